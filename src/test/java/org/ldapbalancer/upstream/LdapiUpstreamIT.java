package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * {@code backend-server uri=ldapi://...}: the balancer reaches a real slapd over its Unix domain
 * socket only (slapd's TCP port sees none of its connections), binds there as its {@code
 * bindconf} account, and clients' operations run as themselves.
 */
@Timeout(120)
final class LdapiUpstreamIT {

  @Test
  void aServerOnAUnixSocketServesClientsAsThemselves() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(3).ldapi().start();
        RunningBalancer lb =
            RunningBalancer.builder()
                .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
                .server(
                    new BackendServer(
                        LdapUrl.parseListener(slapd.ldapiUrl()),
                        2,
                        1,
                        Duration.ofMillis(200),
                        0,
                        0))
                .start()) {
      lb.awaitReady(LdapUrl.parseListener(slapd.ldapiUrl()).toString());

      LdapTool.Result search =
          LdapTool.at(lb.url()).search("-LLL", "-b", DirectoryData.userDn(2), "-s", "base", "uid");
      assertThat(search.succeeded()).as("%s", search).isTrue();
      assertThat(search.stdout()).contains("uid: user.2");

      LdapTool.Result whoami =
          LdapTool.at(lb.url())
              .boundAs(DirectoryData.userDn(1), DirectoryData.USER_PASSWORD)
              .whoami();
      assertThat(whoami.succeeded()).as("%s", whoami).isTrue();
      assertThat(whoami.stdout().trim()).isEqualTo("dn:" + DirectoryData.userDn(1));

      assertThat(BalancerProcess.connectionsTo(slapd.port()))
          .as("no connection to slapd's TCP port")
          .isZero();
    }
  }
}
