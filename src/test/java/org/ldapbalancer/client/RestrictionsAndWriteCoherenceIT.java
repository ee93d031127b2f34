package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.DirectoryData.BALANCER_DN;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.controls.TransactionSpecificationRequestControl;
import com.unboundid.ldap.sdk.extensions.EndTransactionExtendedRequest;
import com.unboundid.ldap.sdk.extensions.StartTransactionExtendedRequest;
import com.unboundid.ldap.sdk.extensions.StartTransactionExtendedResult;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * {@code restrict_exop}, {@code restrict_control} and {@code write_coherence} against two slapds
 * that are not replicas of each other, so that what a read sees shows which server served it.
 */
final class RestrictionsAndWriteCoherenceIT {
  private static final String WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3";
  private static final String MANAGE_DSA_IT = "2.16.840.1.113730.3.4.2";
  private static final int ROUNDS = 40;

  private static RunningBalancer start(SlapdGroup slapds, Restrictions restrictions)
      throws Exception {
    RunningBalancer balancer =
        slapds.balancer(Duration.ZERO).ioThreads(1).restrictions(restrictions).start();
    return balancer.awaitReady(slapds.urls());
  }

  /**
   * Writes a new description to the user's own entry, then reads it back at once, {@link #ROUNDS}
   * times on one connection.
   *
   * @return how many reads did not see the write just made
   */
  private static int staleReads(RunningBalancer balancer, boolean askWhoAmIFirst)
      throws Exception {
    int stale = 0;
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", balancer.port())) {
      c.bind(userDn(3), USER_PASSWORD);
      if (askWhoAmIFirst) {
        assertThat(c.processExtendedOperation(new WhoAmIExtendedRequest()).getResultCode())
            .isEqualTo(com.unboundid.ldap.sdk.ResultCode.SUCCESS);
      }
      for (int i = 0; i < ROUNDS; i++) {
        String value = "round " + i;
        c.modify(userDn(3), new Modification(ModificationType.REPLACE, "description", value));
        String read = c.getEntry(userDn(3), "description").getAttributeValue("description");
        if (!value.equals(read)) {
          stale++;
        }
      }
    }
    return stale;
  }

  @Test
  void withoutWriteCoherenceReadsGoToTheOtherServerAndMissTheWrite() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 10);
        RunningBalancer balancer = start(slapds, Restrictions.NONE)) {
      // The control experiment: round robin alternates, so reads land where the write did not.
      assertThat(staleReads(balancer, false)).isPositive();
    }
  }

  @Test
  void underWriteCoherenceEveryReadAfterAWriteSeesIt() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 10);
        RunningBalancer balancer =
            start(slapds, new Restrictions(Map.of(), RestrictAction.IGNORE, Map.of(), 5))) {
      assertThat(staleReads(balancer, false)).isZero();
    }
  }

  @Test
  void anExtendedOperationMarkedConnectionPinsTheClientsLaterOperations() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 10);
        RunningBalancer balancer =
            start(
                slapds,
                new Restrictions(
                    Map.of(WHO_AM_I, RestrictAction.CONNECTION),
                    RestrictAction.IGNORE,
                    Map.of(),
                    0))) {
      assertThat(staleReads(balancer, true)).isZero();
    }
  }

  /**
   * slapd refuses a Proxied Authorization control on the transaction's start (unavailable
   * critical extension), so transactions work only without {@code proxyauthz}.
   */
  @Test
  void aTransactionRunsWhenItsStartPinsTheConnectionAndNoIdentityIsProxied() throws Exception {
    Restrictions txn =
        new Restrictions(
            Map.of("1.3.6.1.1.21.1", RestrictAction.CONNECTION),
            RestrictAction.IGNORE,
            Map.of(),
            0);
    try (SlapdGroup slapds = SlapdGroup.start(2, 10);
        RunningBalancer balancer =
            slapds
                .balancer(Duration.ZERO)
                .proxyAuthz(false)
                .ioThreads(1)
                .restrictions(txn)
                .start()
                .awaitReady(slapds.urls());
        LDAPConnection c = new LDAPConnection("127.0.0.1", balancer.port())) {
      // Without proxied identities every operation runs as the balancer's account, which may
      // write its own entry.
      StartTransactionExtendedResult start =
          (StartTransactionExtendedResult)
              c.processExtendedOperation(new StartTransactionExtendedRequest());
      assertThat(start.getResultCode()).isEqualTo(com.unboundid.ldap.sdk.ResultCode.SUCCESS);
      for (int i = 0; i < 3; i++) {
        ModifyRequest modify =
            new ModifyRequest(
                BALANCER_DN, new Modification(ModificationType.REPLACE, "description", "txn " + i));
        modify.addControl(new TransactionSpecificationRequestControl(start.getTransactionID()));
        assertThat(c.modify(modify).getResultCode())
            .isEqualTo(com.unboundid.ldap.sdk.ResultCode.SUCCESS);
      }
      var end =
          c.processExtendedOperation(
              new EndTransactionExtendedRequest(start.getTransactionID(), true));
      assertThat(end.getResultCode())
          .as("%s", end)
          .isEqualTo(com.unboundid.ldap.sdk.ResultCode.SUCCESS);
      assertThat(c.getEntry(BALANCER_DN, "description").getAttributeValue("description"))
          .isEqualTo("txn 2");
    }
  }

  @Test
  void rejectedExtendedOperationsAndControlsAreRefusedAndOthersPass() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 10);
        RunningBalancer balancer =
            start(
                slapds,
                new Restrictions(
                    Map.of(WHO_AM_I, RestrictAction.REJECT),
                    RestrictAction.IGNORE,
                    Map.of(MANAGE_DSA_IT, RestrictAction.REJECT),
                    0))) {
      LdapTool tool = LdapTool.at(balancer.url()).boundAs(userDn(1), USER_PASSWORD);

      LdapTool.Result whoami = tool.whoami();
      assertThat(whoami.succeeded()).as("%s", whoami).isFalse();
      assertThat(whoami.stdout() + whoami.stderr())
          .contains("Server is unwilling to perform (53)")
          .contains("extended operation or control disallowed");

      LdapTool.Result manageDsaIt = tool.search("-M", "-b", PEOPLE_DN, "-s", "base");
      assertThat(manageDsaIt.exitCode()).as("%s", manageDsaIt).isEqualTo(53);
      assertThat(manageDsaIt.stdout() + manageDsaIt.stderr())
          .contains("extended operation or control disallowed");

      LdapTool.Result plain = tool.search("-b", PEOPLE_DN, "-s", "base");
      assertThat(plain.succeeded()).as("%s", plain).isTrue();
      // An extended operation not named passes (the password modify of RFC 3062).
      LdapTool.Result passwd = tool.passwd("-s", "new-password", "-a", USER_PASSWORD);
      assertThat(passwd.succeeded()).as("%s", passwd).isTrue();
    }
  }
}
