package org.ldapbalancer.monitor.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * cn=Incoming Connections lists each client, and a modify of its entry closes it (lloadd 2.7's
 * {@code olmConnectionState: closing}) for the bindconf identity only; other writes under
 * cn=Monitor are refused. Real slapd behind, OpenLDAP's tools in front.
 */
@Timeout(180)
final class MonitorClosesClientIT {
  private static final String INCOMING =
      "cn=Incoming Connections,cn=Load Balancer,cn=Backends,cn=Monitor";

  @Test
  void anAdministratorClosesAClientByModifyingItsEntry() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(3).start();
        RunningBalancer lb =
            RunningBalancer.builder()
                .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
                .server(slapd.url(), 2, 1)
                .start()) {
      lb.awaitReady(slapd.url());
      LdapTool admin =
          LdapTool.at(lb.url()).boundAs(DirectoryData.BALANCER_DN, DirectoryData.BALANCER_PASSWORD);
      AtomicReference<ExtendedResult> notice = new AtomicReference<>();
      LDAPConnectionOptions options = new LDAPConnectionOptions();
      options.setUnsolicitedNotificationHandler((c, n) -> notice.set(n));
      try (LDAPConnection victim = new LDAPConnection(options, "127.0.0.1", lb.port())) {
        victim.bind(DirectoryData.userDn(1), DirectoryData.USER_PASSWORD);
        victim.getEntry(DirectoryData.userDn(1));

        LdapTool.Result listed =
            admin.search("-LLL", "-o", "ldif-wrap=no", "-b", INCOMING, "-s", "one",
                "(olmConnectionAuthzDN=" + DirectoryData.userDn(1) + ")");
        assertThat(listed.succeeded()).as("%s", listed).isTrue();
        assertThat(listed.stdout())
            .contains("objectClass: olmBalancerConnection")
            .contains("olmConnectionType: regular")
            .contains("olmConnectionState: ready")
            .contains("olmConnectionPeerAddress: IP=127.0.0.1:")
            .contains("olmConnectionLocalAddress: IP=127.0.0.1:" + lb.port())
            .contains("olmReceivedOps: 2")
            .contains("olmCompletedOps: 2")
            .contains("olmPendingOps: 0");
        String dn = listed.stdout().lines().filter(l -> l.startsWith("dn: ")).findFirst()
            .orElseThrow().substring(4);
        assertThat(dn).matches("cn=Connection \\d+," + INCOMING);
        String close = "dn: " + dn + "\nchangetype: modify\nreplace: olmConnectionState\n"
            + "olmConnectionState: closing\n";

        LdapTool.Result byUser =
            LdapTool.at(lb.url())
                .boundAs(DirectoryData.userDn(2), DirectoryData.USER_PASSWORD)
                .modify(close);
        assertThat(byUser.exitCode()).as("%s", byUser).isEqualTo(50);
        LdapTool.Result wrongChange =
            admin.modify(close.replace("olmConnectionState: closing", "olmConnectionState: ready"));
        assertThat(wrongChange.exitCode()).as("%s", wrongChange).isEqualTo(19);
        assertThat(victim.isConnected()).isTrue();

        LdapTool.Result closed = admin.modify(close);
        assertThat(closed.succeeded()).as("%s", closed).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> !victim.isConnected());
        await().atMost(Duration.ofSeconds(30)).until(() -> notice.get() != null);
        assertThat(notice.get().getResultCode().intValue()).isEqualTo(52);

        LdapTool.Result again = admin.modify(close);
        assertThat(again.exitCode()).as("closing it twice: %s", again).isEqualTo(32);
        LdapTool.Result gone =
            admin.search("-LLL", "-b", INCOMING, "-s", "one",
                "(olmConnectionAuthzDN=" + DirectoryData.userDn(1) + ")");
        assertThat(gone.succeeded()).as("%s", gone).isTrue();
        assertThat(gone.stdout()).doesNotContain("dn:");
      }

      LdapTool.Result add =
          admin.add("dn: cn=x," + INCOMING + "\nobjectClass: monitorContainer\ncn: x\n");
      assertThat(add.exitCode()).as("%s", add).isEqualTo(53);
      LdapTool.Result delete = admin.delete(INCOMING);
      assertThat(delete.exitCode()).as("%s", delete).isEqualTo(53);
    }
  }
}
