package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RawLdapClient;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * A client that does not speak LDAP gets a Notice of Disconnection (RFC 4511 §4.4.1) with
 * protocolError and is closed; meanwhile a well-behaved client on another connection keeps
 * getting correct answers.
 */
class MalformedClientInputIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MAX_INCOMING = 1024;
  private static final String WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3";

  private static InMemoryDirectoryServer a;
  private static InMemoryDirectoryServer b;
  private static RunningBalancer balancer;
  private static Thread bystander;
  private static final AtomicBoolean stop = new AtomicBoolean();
  private static final AtomicInteger answered = new AtomicInteger();
  private static final AtomicReference<Throwable> bystanderFailure = new AtomicReference<>();

  private int answeredBefore;

  @BeforeAll
  static void start() throws Exception {
    a = SampleDirectory.start("a", 10, 0);
    b = SampleDirectory.start("b", 10, 0);
    String ua = "ldap://127.0.0.1:" + a.getListenPort();
    String ub = "ldap://127.0.0.1:" + b.getListenPort();
    balancer = RunningBalancer.builder().server(ua, 2, 1).server(ub, 2, 1)
        .maxIncomingClient(MAX_INCOMING).start();
    balancer.awaitReady(ua, ub);
    LDAPConnection well = new LDAPConnection("127.0.0.1", balancer.port());
    bystander = new Thread(() -> keepSearching(well), "well-behaved-client");
    bystander.start();
    await().atMost(WAIT).until(() -> answered.get() > 0 || bystanderFailure.get() != null);
  }

  /** The well-behaved client: searches over one connection until told to stop. */
  private static void keepSearching(LDAPConnection connection) {
    try (connection) {
      for (int i = 0; !stop.get(); i++) {
        int user = i % 10;
        SearchResult r = connection.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE,
            "(uid=user." + user + ")", "uid");
        if (r.getEntryCount() != 1
            || !r.getSearchEntries().get(0).getDN().equalsIgnoreCase(SampleDirectory.userDn(user))) {
          throw new AssertionError("wrong answer for user." + user + ": " + r);
        }
        answered.incrementAndGet();
      }
    } catch (Throwable t) {
      bystanderFailure.set(t);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    stop.set(true);
    if (bystander != null) {
      bystander.join(WAIT.toMillis());
    }
    if (balancer != null) {
      balancer.close();
    }
    if (a != null) {
      a.shutDown(true);
    }
    if (b != null) {
      b.shutDown(true);
    }
  }

  @BeforeEach
  void noteBystanderProgress() {
    answeredBefore = answered.get();
  }

  /** The well-behaved client went on getting answers, none of them wrong. */
  @AfterEach
  void bystanderUnaffected() throws Exception {
    await().atMost(WAIT).until(
        () -> answered.get() >= answeredBefore + 3 || bystanderFailure.get() != null);
    assertThat(bystanderFailure.get()).as("the well-behaved client's failure").isNull();
    // And a new client is served as usual.
    try (LDAPConnection fresh = new LDAPConnection("127.0.0.1", balancer.port())) {
      assertThat(fresh.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.7)")
          .getEntryCount()).isEqualTo(1);
    }
  }

  static Stream<Arguments> malformedInputs() {
    return Stream.of(
        Arguments.of("garbage (an HTTP request)", ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n")),
        Arguments.of("a single garbage octet", octets(0x47)),
        Arguments.of("a SET where the SEQUENCE belongs",
            octets(0x31, 0x05, 0x02, 0x01, 0x01, 0x42, 0x00)),
        Arguments.of("a length announcing more than sockbuf_max_incoming_client",
            octets(0x30, 0x84, 0x00, 0x10, 0x00, 0x00)),
        Arguments.of("one octet over sockbuf_max_incoming_client",
            octets(0x30, 0x82, (MAX_INCOMING + 1) >> 8, (MAX_INCOMING + 1) & 0xff)),
        Arguments.of("indefinite length", octets(0x30, 0x80, 0x02, 0x01, 0x01, 0x42, 0x00, 0, 0)),
        Arguments.of("five length octets", octets(0x30, 0x85, 0, 0, 0, 0, 7)),
        Arguments.of("message ID 0", whoAmI(0x00)),
        Arguments.of("negative message ID", whoAmI(0xff)),
        Arguments.of("message ID of five octets",
            octets(0x30, 0x09, 0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x42, 0x00)),
        Arguments.of("an unknown protocolOp tag [APPLICATION 17]",
            octets(0x30, 0x05, 0x02, 0x01, 0x01, 0x71, 0x00)),
        Arguments.of("a response sent as a request (SearchResultDone)",
            octets(0x30, 0x0c, 0x02, 0x01, 0x01, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04,
                0x00)),
        // A whole element there would be a trailing component, ignored (RFC 4511 §4).
        Arguments.of("a byte after the controls that is no element",
            octets(0x30, 0x08, 0x02, 0x01, 0x01, 0x4a, 0x00, 0xa0, 0x00, 0x04)),
        Arguments.of("a malformed BindRequest",
            octets(0x30, 0x0a, 0x02, 0x01, 0x01, 0x60, 0x05, 0x02, 0x01, 0x03, 0x04, 0x00)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedInputs")
  void noticeOfDisconnectionThenClose(String what, byte[] input) throws Exception {
    try (RawLdapClient raw = RawLdapClient.connect(balancer.port())) {
      raw.send(input);
      List<byte[]> received = raw.readUntilClosed(WAIT);
      assertThat(received).as("what the balancer sent before closing").hasSize(1);
      assertNoticeOfDisconnection(received.get(0));
    }
  }

  @Test
  void aDuplicateMessageIdInFlightIsAProtocolError() throws Exception {
    byte[] search = new LDAPMessage(5, new SearchRequestProtocolOp(SampleDirectory.PEOPLE_DN,
        SearchScope.SUB, DereferencePolicy.NEVER, 0, 0, false,
        Filter.createPresenceFilter("objectClass"), List.of())).encode().encode();
    try (RawLdapClient raw = RawLdapClient.connect(balancer.port())) {
      // One write: the second request is read while the first is still pending upstream.
      raw.send(search, search);
      List<byte[]> received = raw.readUntilClosed(WAIT);
      assertThat(received).isNotEmpty();
      assertNoticeOfDisconnection(received.get(received.size() - 1));
      for (byte[] pdu : received.subList(0, received.size() - 1)) {
        // Anything before the notice can only belong to the first search.
        assertThat(decode(pdu).getMessageID()).isEqualTo(5);
      }
    }
  }

  @Test
  void aValidRequestBeforeTheBadOneIsStillAnswered() throws Exception {
    try (RawLdapClient raw = RawLdapClient.connect(balancer.port())) {
      raw.send(searchForUser(1, 4));
      assertFoundUser(raw, 1, 4);
      raw.sendOctets(0x04, 0x00);
      List<byte[]> received = raw.readUntilClosed(WAIT);
      assertThat(received).hasSize(1);
      assertNoticeOfDisconnection(received.get(0));
    }
  }

  @Test
  void aTruncatedFrameThenCloseIsDropped() throws Exception {
    try (RawLdapClient raw = RawLdapClient.connect(balancer.port())) {
      // A SEQUENCE announcing 32 octets of which only 3 come, then end of stream.
      raw.sendOctets(0x30, 0x20, 0x02, 0x01, 0x01);
      raw.shutdownOutput();
      List<byte[]> received = raw.readUntilClosed(WAIT);
      // The stream is gone: nothing to answer; at most a notice, never anything else.
      for (byte[] pdu : received) {
        assertNoticeOfDisconnection(pdu);
      }
    }
  }

  @Test
  void aFrameSplitAcrossWritesIsReassembled() throws Exception {
    try (RawLdapClient raw = RawLdapClient.connect(balancer.port())) {
      for (byte octet : searchForUser(9, 2)) {
        raw.send(new byte[] {octet});
      }
      assertFoundUser(raw, 9, 2);
    }
  }

  private static byte[] searchForUser(int messageId, int user) {
    return new LDAPMessage(messageId, new SearchRequestProtocolOp(SampleDirectory.PEOPLE_DN,
        SearchScope.ONE, DereferencePolicy.NEVER, 0, 0, false,
        Filter.createEqualityFilter("uid", "user." + user), List.of("uid"))).encode().encode();
  }

  /** Reads one entry, then a successful SearchResultDone, both under {@code messageId}. */
  private static void assertFoundUser(RawLdapClient raw, int messageId, int user)
      throws Exception {
    LDAPMessage entry = decode(raw.readPdu(WAIT));
    assertThat(entry.getMessageID()).isEqualTo(messageId);
    assertThat(entry.getSearchResultEntryProtocolOp().getDN())
        .isEqualToIgnoringCase(SampleDirectory.userDn(user));
    LDAPMessage done = decode(raw.readPdu(WAIT));
    assertThat(done.getMessageID()).isEqualTo(messageId);
    assertThat(done.getSearchResultDoneProtocolOp().getResultCode()).isZero();
  }

  private static void assertNoticeOfDisconnection(byte[] pdu) {
    LDAPMessage m = decode(pdu);
    assertThat(m.getMessageID()).as("unsolicited: message ID 0").isZero();
    ExtendedResponseProtocolOp op = m.getExtendedResponseProtocolOp();
    assertThat(op.getResponseOID()).isEqualTo("1.3.6.1.4.1.1466.20036");
    assertThat(op.getResultCode()).as("protocolError").isEqualTo(2);
  }

  private static LDAPMessage decode(byte[] pdu) {
    assertThat(pdu).as("a PDU before the connection closed").isNotNull();
    try {
      return LDAPMessage.decode(ASN1Element.decode(pdu));
    } catch (Exception e) {
      throw new AssertionError("the balancer sent something UnboundID cannot decode", e);
    }
  }

  /** A Who Am I? request whose one-octet message ID is {@code id}. */
  private static byte[] whoAmI(int id) {
    byte[] oid = WHO_AM_I.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] pdu = new byte[7 + oid.length];
    int opLength = 2 + oid.length;
    pdu[0] = 0x30;
    pdu[1] = (byte) (3 + 2 + opLength);
    pdu[2] = 0x02;
    pdu[3] = 0x01;
    pdu[4] = (byte) id;
    pdu[5] = 0x77;
    pdu[6] = (byte) opLength;
    byte[] full = new byte[7 + opLength];
    System.arraycopy(pdu, 0, full, 0, 7);
    full[7] = (byte) 0x80;
    full[8] = (byte) oid.length;
    System.arraycopy(oid, 0, full, 9, oid.length);
    return full;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static byte[] octets(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }
}
