package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * PDUs are reassembled however the bytes arrive, and large ones (multi-octet lengths, many
 * reads) pass both ways intact.
 */
@Timeout(120)
class FragmentedAndLargePdusIT {
  @Test
  void requestsArrivingByteByByteAreReassembled() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1).start()
            .awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      for (int id = 1; id <= 3; id++) {
        bytes.write(MessageClient.search(id, "(uid=user." + id + ")").encode().encode());
      }
      for (byte b : bytes.toByteArray()) {
        raw.sendBytes(new byte[] {b});
      }
      var finals = raw.readFinals(1, 2, 3);
      assertThat(finals.values()).allSatisfy(m ->
          assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).hasSize(3);
    }
  }

  @Test
  void largeRequestAndLargeResponsePassIntact() throws Exception {
    String big = "v".repeat(200_000) + "!";
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1).start()
            .awaitReady(dir.url());
        LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      assertThat(c.modify(SampleDirectory.userDn(1),
          new Modification(ModificationType.REPLACE, "description", big)).getResultCode())
          .isEqualTo(ResultCode.SUCCESS);
      Entry e = c.getEntry(SampleDirectory.userDn(1), "description");
      assertThat(e.getAttributeValue("description")).isEqualTo(big);
      // A search returning several large entries in one burst.
      for (int i = 2; i < 5; i++) {
        c.modify(SampleDirectory.userDn(i), new Modification(ModificationType.REPLACE,
            "description", big + i));
      }
      List<com.unboundid.ldap.sdk.SearchResultEntry> entries = c.search(SampleDirectory.PEOPLE_DN,
          com.unboundid.ldap.sdk.SearchScope.ONE, "(description=v*)", "description")
          .getSearchEntries();
      assertThat(entries).hasSize(4);
      assertThat(entries).extracting(x -> x.getAttributeValue("description").length())
          .allMatch(n -> n >= big.length());
    }
  }
}
