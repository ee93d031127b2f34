package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * A client that stops reading its responses does not stall other clients sharing the same
 * upstream connection, and gets all of its responses once it reads again.
 */
@Timeout(180)
class SlowReadingClientIT {
  private static final int SEARCHES = 100;
  private static final int USERS = 5;

  @Test
  void clientThatStopsReadingDoesNotStallOthers() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", USERS);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        LDAPConnection other = new LDAPConnection("127.0.0.1", lb.port());
        MessageClient slow = MessageClient.connect(lb.port())) {
      String big = "b".repeat(20_000);
      for (int i = 0; i < USERS; i++) {
        other.modify(SampleDirectory.userDn(i),
            new Modification(ModificationType.REPLACE, "description", big));
      }
      // About 10 MB of answers the slow client does not read for now.
      LDAPMessage[] flood = new LDAPMessage[SEARCHES];
      for (int i = 0; i < SEARCHES; i++) {
        flood[i] = MessageClient.search(i + 1, "(objectClass=inetOrgPerson)");
      }
      slow.send(flood);

      for (int i = 0; i < 20; i++) {
        assertThat(other.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE,
            "(uid=user." + (i % USERS) + ")", "cn").getEntryCount()).isEqualTo(1);
      }

      int entries = 0;
      int finals = 0;
      while (finals < SEARCHES) {
        LDAPMessage m = slow.read();
        if (MessageClient.isFinal(m)) {
          assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero();
          finals++;
        } else {
          assertThat(m.getSearchResultEntryProtocolOp().getAttributes()).isNotEmpty();
          entries++;
        }
      }
      assertThat(entries).isEqualTo(SEARCHES * USERS);
    }
  }
}
