package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LoopbackConnections;
import org.ldapbalancer.testing.RawLdapClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * A request that is framed well but malformed inside is refused at the balancer, with a Notice of
 * Disconnection (protocolError) to its client, and never reaches the upstream connection it would
 * have shared: the server would close that connection (slapd does, RFC 4511 §4.1.1), and every
 * other client's operations on it would fail. Here other clients' searches are in flight on the one
 * shared connection all along, and all succeed on that same connection.
 */
class MalformedRequestDoesNotCutSharedConnectionIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** The SearchRequest: a base DN and nothing else. */
  private static final byte[] SEARCH_WITH_ONLY_A_BASE =
      ByteBufUtil.decodeHexDump("30180201016313041164633d6578616d706c652c64633d636f6d");

  /** The other request: a valid search whose control's criticality has tag 0x19. */
  private static final byte[] CRITICALITY_TAGGED_0X19 =
      ByteBufUtil.decodeHexDump(
          "3040020102633104116463"
              + "3d6578616d706c652c64633d636f6d0a01020a0100020100020100010100"
              + "870b6f626a656374436c6173733000"
              + "a0083006040131190100");

  /** More that slapd answers by closing the connection. */
  private static final List<byte[]> MALFORMED =
      List.of(
          SEARCH_WITH_ONLY_A_BASE,
          CRITICALITY_TAGGED_0X19,
          // A ModifyRequest without its changes.
          ByteBufUtil.decodeHexDump("30180201036613041164633d6578616d706c652c64633d636f6d"),
          // An ExtendedRequest without its requestName.
          ByteBufUtil.decodeHexDump("30050201047700"),
          // A search with a critical Assertion control whose value is no filter: slapd closes
          // the connection ("error decoding filter"), so the control's value is checked here.
          ByteBufUtil.decodeHexDump(
              "304f0201066331041164633d6578616d706c652c64633d636f6d0a01020a01000201000201000101"
                  + "00870b6f626a656374436c6173733000a0173015040c312e332e362e312e312e31320101ff04"
                  + "020102"),
          // The same with a ValuesReturnFilter control whose value is no SEQUENCE.
          ByteBufUtil.decodeHexDump(
              "305c0201076331041164633d6578616d706c652c64633d636f6d0a01020a01000201000201000101"
                  + "00870b6f626a656374436c6173733000a02430220417312e322e3832362e302e312e333334343"
                  + "831302e322e330101ff04048702636e"),
          // A SearchRequest whose attribute list holds an element overrunning it.
          ByteBufUtil.decodeHexDump(
              "302f020105632a04116463"
                  + "3d6578616d706c652c64633d636f6d"
                  + "0a01020a0100020100020100010100"
                  + "8702636e"
                  + "30020409"));

  @Test
  void aMalformedSearchNeverReachesTheSharedUpstreamConnection() throws Exception {
    try (RecordingDirectory directory = RecordingDirectory.start("a", 20);
        RunningBalancer balancer =
            RunningBalancer.builder().ioThreads(1).server(directory.url(), 1, 1).start();
        LDAPConnection bystander = new LDAPConnection("127.0.0.1", balancer.port())) {
      balancer.awaitReady(directory.url());
      assertFound(search(bystander, 0), 0);
      long shared = directory.requests(RecordingDirectory.Request::isSearch).get(0).connection();

      // The bystander's searches wait at the server: in flight on the shared connection.
      directory.holdRequestsMatching(RecordingDirectory.Request::isSearch);
      List<CompletableFuture<SearchResult>> searches = new ArrayList<>();
      try {
        for (int user = 1; user <= 10; user++) {
          searches.add(searchInBackground(bystander, user));
        }
        await().atMost(WAIT).until(() -> directory.held().size() == 1);

        for (byte[] malformed : List.of(SEARCH_WITH_ONLY_A_BASE, CRITICALITY_TAGGED_0X19)) {
          try (RawLdapClient raw = RawLdapClient.connect(balancer.port())) {
            raw.send(malformed);
            List<byte[]> received = raw.readUntilClosed(WAIT);
            assertThat(received).as("what the balancer sent before closing").hasSize(1);
            assertProtocolErrorNotice(received.get(0), "malformed SearchRequest: ");
          }
        }
        for (int user = 11; user <= 19; user++) {
          searches.add(searchInBackground(bystander, user));
        }
      } finally {
        directory.release();
      }

      for (int i = 0; i < searches.size(); i++) {
        assertFound(searches.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS), i + 1);
      }
      // Every search the server read came over the one connection, which is still there.
      assertThat(directory.requests(RecordingDirectory.Request::isSearch))
          .hasSize(20)
          .allSatisfy(r -> assertThat(r.connection()).isEqualTo(shared));
      assertThat(balancer.balancer().readyConnections()).containsEntry(directory.url(), 1);
    }
  }

  @Test
  void slapdKeepsTheSharedConnectionWhileMalformedRequestsArrive() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, 20);
        RunningBalancer balancer =
            slapds.balancerOnOneSharedConnection().start()) {
      balancer.awaitReady(slapds.urls());
      int slapdPort = slapds.server(0).port();
      // One regular connection, shared by every client, and one bind connection.
      Set<Integer> upstreams = LoopbackConnections.clientPortsTowards(slapdPort);
      assertThat(upstreams).hasSize(2);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger answered = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<CompletableFuture<Void>> workers = new ArrayList<>();
      LDAPConnectionOptions options = new LDAPConnectionOptions();
      options.setResponseTimeoutMillis(WAIT.toMillis()); // a lost answer fails, never hangs
      try (LDAPConnection bystander =
          new LDAPConnection(
              options,
              "127.0.0.1",
              balancer.port(),
              DirectoryData.userDn(1),
              DirectoryData.USER_PASSWORD)) {
        // One client, four searches at a time over its connection, until told to stop.
        for (int w = 0; w < 4; w++) {
          int first = w;
          workers.add(
              Background.supply(
                  () -> {
                    for (int i = first;
                        i < 200_000 && !stop.get() && failure.get() == null;
                        i += 4) {
                      int user = i % 20;
                      try {
                        SearchResult r =
                            bystander.search(
                                DirectoryData.PEOPLE_DN,
                                SearchScope.ONE,
                                "(uid=user." + user + ")",
                                "uid");
                        assertThat(r.getSearchEntries())
                            .as("user.%d", user)
                            .singleElement()
                            .satisfies(
                                e ->
                                    assertThat(e.getDN())
                                        .isEqualToIgnoringCase(DirectoryData.userDn(user)));
                        answered.incrementAndGet();
                      } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                      }
                    }
                    return null;
                  }));
        }
        await().atMost(WAIT).until(() -> answered.get() >= 50 || failure.get() != null);

        for (int i = 0; i < 50; i++) {
          byte[] malformed = MALFORMED.get(i % MALFORMED.size());
          try (RawLdapClient raw = RawLdapClient.connect(balancer.port())) {
            raw.send(malformed);
            List<byte[]> received = raw.readUntilClosed(WAIT);
            assertThat(received).as("request %d", i).hasSize(1);
            assertProtocolErrorNotice(received.get(0), "malformed ");
          }
        }

        int afterMalformed = answered.get();
        await()
            .atMost(WAIT)
            .until(() -> answered.get() >= afterMalformed + 50 || failure.get() != null);
        stop.set(true);
        for (CompletableFuture<Void> worker : workers) {
          worker.get(2 * WAIT.toSeconds(), TimeUnit.SECONDS);
        }
      } finally {
        stop.set(true);
      }
      assertThat(failure.get()).as("the bystander's failure\n%s", slapds.logs()).isNull();
      // slapd closed neither connection: the balancer would have made new ones, on new ports.
      assertThat(LoopbackConnections.clientPortsTowards(slapdPort)).isEqualTo(upstreams);
    }
  }

  private static SearchResult search(LDAPConnection connection, int user) throws Exception {
    return connection.search(
        SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user." + user + ")", "uid");
  }

  private static CompletableFuture<SearchResult> searchInBackground(
      LDAPConnection connection, int user) {
    return Background.supply(
        () -> {
          try {
            return search(connection, user);
          } catch (Exception e) {
            throw new IllegalStateException("search for user." + user, e);
          }
        });
  }

  private static void assertFound(SearchResult result, int user) {
    assertThat(result.getResultCode().intValue()).as("user.%d", user).isZero();
    assertThat(result.getSearchEntries())
        .as("user.%d", user)
        .singleElement()
        .satisfies(e -> assertThat(e.getDN()).isEqualToIgnoringCase(SampleDirectory.userDn(user)));
  }

  private static void assertProtocolErrorNotice(byte[] pdu, String diagnosticStart)
      throws Exception {
    LDAPMessage m = LDAPMessage.decode(ASN1Element.decode(pdu));
    assertThat(m.getMessageID()).as("unsolicited: message ID 0").isZero();
    ExtendedResponseProtocolOp op = m.getExtendedResponseProtocolOp();
    assertThat(op.getResponseOID()).isEqualTo("1.3.6.1.4.1.1466.20036");
    assertThat(op.getResultCode()).as("protocolError").isEqualTo(2);
    assertThat(op.getDiagnosticMessage()).startsWith(diagnosticStart);
  }
}
