package org.ldapbalancer.operation;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.RootDSE;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;
import org.ldapbalancer.testing.VerifyCredentialsHandler;

/**
 * Debian's slapd does not implement Verify Credentials (OpenLDAP ships it only as the contrib
 * module {@code vc}, which Debian does not package): with {@code feature vc} on, the balancer
 * must see that in the root DSE and bind OpenLDAP's own clients the ordinary way. Had the bind
 * gone as Verify Credentials, slapd would have refused the unknown operation and the bind failed.
 */
@Timeout(120)
class VerifyCredentialsWithRealSlapdIT {

  @Test
  void slapdWithoutVerifyCredentialsGetsOrdinaryBinds() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(3).start()) {
      try (LDAPConnection direct = new LDAPConnection("127.0.0.1", slapd.port())) {
        RootDSE dse = direct.getRootDSE();
        assertThat(dse.getSupportedExtendedOperationOIDs())
            .as("slapd's root DSE")
            .isNotEmpty()
            .doesNotContain(VerifyCredentialsHandler.OID);
      }
      try (RunningBalancer lb =
          RunningBalancer.builder()
              .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
              .server(slapd.url(), 2, 1)
              .verifyCredentials(true)
              .start()) {
        lb.awaitReady(slapd.url());

        // The root DSE is read as each regular connection becomes ready, so by the time a
        // client process has started its answer is in; two rounds leave no doubt.
        for (int i = 1; i <= 2; i++) {
          LdapTool.Result whoami =
              LdapTool.at(lb.url())
                  .boundAs(DirectoryData.userDn(i), DirectoryData.USER_PASSWORD)
                  .whoami();
          assertThat(whoami.succeeded()).as("%s", whoami).isTrue();
          assertThat(whoami.stdout().trim()).isEqualTo("dn:" + DirectoryData.userDn(i));
        }

        LdapTool.Result wrong =
            LdapTool.at(lb.url()).boundAs(DirectoryData.userDn(1), "wrong").whoami();
        assertThat(wrong.exitCode()).as("%s", wrong).isEqualTo(49);
      }
    }
  }
}
