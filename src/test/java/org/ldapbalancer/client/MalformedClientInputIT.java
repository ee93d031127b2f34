package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.client.InvalidMessageIdDisconnectsIT.assertNoticeOfDisconnection;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchScope;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RawLdapClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * Input that cannot be an LDAP message, or a PDU larger than {@code
 * sockbuf_max_incoming_client}, costs the sender its connection (after a Notice of
 * Disconnection) and nobody else anything.
 */
@Timeout(120)
class MalformedClientInputIT {
  private static final int MAX_PDU = 4096;

  /** Each one a different way of not being an LDAPMessage. */
  private static final List<String> GARBAGE = List.of(
      "0402abcd", // not a SEQUENCE
      "3080020101", // indefinite length
      "3003040101", // message ID is not an INTEGER
      "30050201016305", // protocolOp overruns the message
      "30050201014000", // a protocolOp that is no request
      "3009020500000000014200", // message ID of 5 octets
      "30080201014200ff0000", // something other than controls after the protocolOp
      "308500000000010000"); // length of 5 octets

  @Test
  void malformedBerClosesOnlyThatConnection() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1)
            .maxIncomingClient(MAX_PDU).start().awaitReady(dir.url());
        LDAPConnection bystander = new LDAPConnection("127.0.0.1", lb.port())) {
      bystander.bind(SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD);
      for (String hex : GARBAGE) {
        try (RawLdapClient raw = RawLdapClient.connect(lb.port())) {
          raw.sendBytes(HexFormat.of().parseHex(hex));
          List<com.unboundid.ldap.protocol.LDAPMessage> sent = raw.readUntilClosed();
          assertThat(sent).as("answer to %s", hex).hasSize(1);
          assertNoticeOfDisconnection(sent);
        }
        assertThat(bystander.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.2)")
            .getEntryCount()).as("bystander after %s", hex).isEqualTo(1);
      }
    }
  }

  @Test
  void oversizedPduClosesOnlyThatConnection() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1)
            .maxIncomingClient(MAX_PDU).start().awaitReady(dir.url());
        LDAPConnection bystander = new LDAPConnection("127.0.0.1", lb.port())) {
      // Announced only: the balancer must not wait for the body.
      try (RawLdapClient raw = RawLdapClient.connect(lb.port())) {
        raw.sendBytes(HexFormat.of().parseHex("308400100000020101"));
        List<com.unboundid.ldap.protocol.LDAPMessage> sent = raw.readUntilClosed();
        assertNoticeOfDisconnection(sent);
      }
      // Sent in full: a search whose filter value makes it just over the limit.
      try (RawLdapClient raw = RawLdapClient.connect(lb.port())) {
        raw.send(RawLdapClient.search(1, "(description=" + "x".repeat(MAX_PDU) + ")"));
        List<com.unboundid.ldap.protocol.LDAPMessage> sent = raw.readUntilClosed();
        assertNoticeOfDisconnection(sent);
      }
      // Just under the limit is fine.
      try (RawLdapClient raw = RawLdapClient.connect(lb.port())) {
        raw.send(RawLdapClient.search(1, "(description=" + "x".repeat(MAX_PDU - 200) + ")"));
        assertThat(raw.readThrough(1)).hasSize(1);
      }
      assertThat(bystander.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.2)")
          .getEntryCount()).isEqualTo(1);
    }
  }
}
