package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.client.ClientConnection;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * Clients that do not read their large results are each bounded, but together they could still
 * exhaust memory: past the process-wide bound the client holding most is cut off, while a client
 * that keeps up is served throughout.
 */
@Timeout(120)
class BufferedMemoryBoundIT {
  private static final long LIMIT = 24L * 1024 * 1024;

  @Test
  void pastTheProcessWideBoundTheClientHoldingMostIsCutOff() throws Exception {
    System.setProperty("ldapbalancer.maxBufferedBytes", Long.toString(LIMIT));
    List<Socket> stalled = new ArrayList<>();
    try (LogCapture logged = LogCapture.of(ClientConnection.class);
        RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(2)
            .ioTimeout(Duration.ZERO) // only the memory bound may cut them off here
            .server(dir.url(), 2, 1).start().awaitReady(dir.url());
        LDAPConnection good = new LDAPConnection("127.0.0.1", lb.port())) {
      String big = "b".repeat(100_000);
      for (int i = 0; i < 5; i++) {
        good.modify(SampleDirectory.userDn(i),
            new Modification(ModificationType.REPLACE, "description", big));
      }
      // Six clients asking for some 15 MB each and reading none of it: 90 MB in all.
      for (int c = 0; c < 6; c++) {
        Socket s = new Socket("127.0.0.1", lb.port());
        s.setReceiveBufferSize(4096);
        stalled.add(s);
        for (int i = 1; i <= 30; i++) {
          s.getOutputStream().write(
              MessageClient.search(i, "(objectClass=inetOrgPerson)").encode().encode());
        }
        s.getOutputStream().flush();
      }
      await("a client cut off for holding most").atMost(Duration.ofSeconds(60))
          .until(() -> logged.contains("are the most"));
      for (int i = 0; i < 10; i++) {
        assertThat(good.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE,
            "(uid=user." + (i % 5) + ")", "cn").getEntryCount()).isEqualTo(1);
      }
      long cut = logged.count("are the most");
      assertThat(cut).isBetween(1L, 6L);
    } finally {
      System.clearProperty("ldapbalancer.maxBufferedBytes");
      for (Socket s : stalled) {
        s.close();
      }
    }
  }
}
