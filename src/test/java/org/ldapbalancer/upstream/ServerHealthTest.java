package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.Messages.search;
import static org.ldapbalancer.testing.Messages.searchDone;
import static org.ldapbalancer.upstream.Traffic.forward;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.HealthCheck;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.RecordingClient;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/** The passive and active checks of a server's health, on embedded connections. */
class ServerHealthTest {
  private static final long SECOND = 1_000_000_000L;

  private final RecordingClient client = new RecordingClient("client");
  private EmbeddedUpstreams ups;

  @AfterEach
  void releaseBuffers() {
    if (ups != null) {
      ups.releaseUnread();
    }
  }

  private Upstream start(HealthCheck check) {
    ups = EmbeddedUpstreams.builder().healthCheck(check).build();
    return ups.regular();
  }

  private boolean usable() {
    return ups.pool().regularConnections().isUsable();
  }

  /** The probe among what was sent: root DSE, base scope, attribute 1.1. */
  private static int probeId(List<LDAPMessage> sent) {
    LDAPMessage probe = sent.stream()
        .filter(m -> m.getProtocolOpType() == LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_REQUEST)
        .filter(m -> m.getSearchRequestProtocolOp().getBaseDN().isEmpty())
        .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no probe in " + sent));
    SearchRequestProtocolOp op = probe.getSearchRequestProtocolOp();
    assertThat(op.getScope()).isEqualTo(SearchScope.BASE);
    assertThat(op.getAttributes()).containsExactly("1.1");
    return probe.getMessageID();
  }

  @Test
  void operationsWithoutAnyResponseTakeTheServerOutUntilAProbeAnswers() {
    Upstream u = start(new HealthCheck(Duration.ZERO, Duration.ofSeconds(1)));
    Operation op = forward(u.link(), client, 1, search());
    u.sent();
    long t0 = System.nanoTime();
    try (LogCapture log = LogCapture.of(ServerHealth.class)) {
      ups.pool().expire(t0, 0);
      assertThat(usable()).as("nothing owed for long yet").isTrue();

      ups.pool().expire(t0 + 2 * SECOND, 0);
      assertThat(usable()).as("suspect: probed, and nothing new goes to it meanwhile").isFalse();
      int probe = probeId(u.sent());
      assertThat(log.lines()).as("not logged while only suspect").isEmpty();

      ups.pool().expire(t0 + 2 * SECOND + SECOND / 10, 0);
      assertThat(log.lines()).as("the probe has 200 ms").isEmpty();
      ups.pool().expire(t0 + 2 * SECOND + SECOND / 5, 0);
      assertThat(usable()).isFalse();
      assertThat(log.lines()).singleElement().asString()
          .contains("unresponsive (1 operations without a response for")
          .contains("nor to a probe), taken out of selection");
      assertThat(ups.router().forward(new Operation(client, 2, 0x63), null, null))
          .as("selection finds nothing").isEqualTo(ResultCode.UNAVAILABLE);

      ups.pool().expire(t0 + 3 * SECOND, 0);
      assertThat(u.sent()).as("one probe at a time").isEmpty();
      assertThat(client.answersTo(op)).as("the operation waits for its own answer").isEmpty();

      u.answer(probe, searchDone(ResultCode.SUCCESS));
      assertThat(usable()).isTrue();
      assertThat(log.lines()).hasSize(2).last().asString().contains("answers again");
    }
  }

  /**
   * Two event loops, one server: both probe it while it is stopped; it resumes and answers one
   * loop's probe first. The other loop's probe, sent while the server was stopped, waits behind
   * the backlog the server works through: it must not take the server straight back out (once
   * logged twice per outage under load), yet that loop still takes it out if the server then
   * stays silent towards it for the whole time-out.
   */
  @Test
  void aServerBroughtBackByOneLoopIsNotTakenOutByAnotherLoopsOldProbe() {
    ServerHealth shared =
        new ServerHealth("upstream.test", new HealthCheck(Duration.ZERO, Duration.ofSeconds(1)));
    EmbeddedUpstreams loopA = EmbeddedUpstreams.builder().health(shared).build();
    EmbeddedUpstreams loopB = EmbeddedUpstreams.builder().health(shared).build();
    try {
      Upstream ua = loopA.regular();
      Upstream ub = loopB.regular();
      forward(ua.link(), client, 1, search());
      forward(ub.link(), client, 2, search());
      ua.sent();
      int opB = ub.sent().get(0).getMessageID();
      long t0 = System.nanoTime();
      try (LogCapture log = LogCapture.of(ServerHealth.class)) {
        loopA.pool().expire(t0 + 2 * SECOND, 0);
        loopB.pool().expire(t0 + 2 * SECOND, 0);
        int probeA = probeId(ua.sent());
        int probeB = probeId(ub.sent());
        loopA.pool().expire(t0 + 2 * SECOND + SECOND / 2, 0);
        loopB.pool().expire(t0 + 2 * SECOND + SECOND / 2, 0);
        assertThat(shared.isUsable()).as("stopped: out").isFalse();

        // Resumed at 5 s: loop A's probe is answered first.
        ua.answer(probeA, searchDone(ResultCode.SUCCESS));
        assertThat(shared.isUsable()).isTrue();
        loopB.pool().expire(t0 + 5 * SECOND, 0);
        loopB.pool().expire(t0 + 5 * SECOND + SECOND / 2, 0);
        assertThat(shared.isUsable()).as("loop B's probe has a fresh time-out").isTrue();
        ub.answer(opB, searchDone(ResultCode.SUCCESS));
        ub.answer(probeB, searchDone(ResultCode.SUCCESS));
        loopB.pool().expire(t0 + 6 * SECOND, 0);
        assertThat(shared.isUsable()).isTrue();
        assertThat(log.lines()).hasSize(2);
        assertThat(log.lines().get(0)).contains("unresponsive");
        assertThat(log.lines().get(1)).contains("answers again");

        // Out again: loop B's operation stays unanswered for the whole time-out and its probe too.
        forward(ub.link(), client, 3, search());
        ub.sent();
        loopB.pool().expire(t0 + 7 * SECOND + SECOND / 10, 0);
        probeId(ub.sent());
        loopB.pool().expire(t0 + 7 * SECOND + SECOND / 2, 0);
        assertThat(shared.isUsable()).as("silent towards loop B for 1.1 s, probe unanswered")
            .isFalse();
      }
    } finally {
      loopA.releaseUnread();
      loopB.releaseUnread();
    }
  }

  @Test
  void anyResponseKeepsTheServerIn() {
    Upstream u = start(new HealthCheck(Duration.ZERO, Duration.ofSeconds(1)));
    forward(u.link(), client, 1, search());
    forward(u.link(), client, 2, search());
    u.sent();
    long t0 = System.nanoTime();
    ups.pool().expire(t0 + SECOND / 2, 0);
    u.answer(1, searchDone(ResultCode.SUCCESS));
    ups.pool().expire(t0 + SECOND, 0);
    ups.pool().expire(t0 + SECOND + SECOND / 2, 0);
    assertThat(usable()).as("the last answer came 0.5 s before").isTrue();
    ups.pool().expire(t0 + 2 * SECOND + SECOND / 10, 0);
    assertThat(usable()).as("silent for 1.1 s: suspect, probed").isFalse();
    ups.pool().expire(t0 + 2 * SECOND + SECOND / 2, 0);
    assertThat(usable()).isFalse();
  }

  @Test
  void aServerSilentOverALongOperationButAnsweringTheProbeStaysIn() {
    Upstream u = start(new HealthCheck(Duration.ZERO, Duration.ofSeconds(1)));
    forward(u.link(), client, 1, search());
    u.sent();
    long t0 = System.nanoTime();
    try (LogCapture log = LogCapture.of(ServerHealth.class)) {
      ups.pool().expire(t0 + 2 * SECOND, 0);
      assertThat(usable()).as("suspect while the probe decides").isFalse();
      int probe = probeId(u.sent());
      u.answer(probe, searchDone(ResultCode.SUCCESS));
      assertThat(usable()).as("back as soon as it answers").isTrue();
      assertThat(log.lines()).as("a suspicion that came to nothing is not logged").isEmpty();
    }
    ups.pool().expire(t0 + 3 * SECOND, 0);
    assertThat(usable()).isTrue();
    assertThat(u.sent()).as("the next probe only after another second of silence").isEmpty();
  }

  @Test
  void aServerRemovedByAReloadIsNoLongerJudged() {
    HealthCheck check = new HealthCheck(Duration.ZERO, Duration.ofSeconds(1));
    ServerHealth shared = new ServerHealth("ldap://upstream.test:389", check);
    ups = EmbeddedUpstreams.builder().healthCheck(check).health(shared).build();
    Upstream u = ups.regular();
    forward(u.link(), client, 1, search());
    u.sent();
    long t0 = System.nanoTime();
    ups.pool().retire(); // its operation in flight finishes on the connection

    try (LogCapture log = LogCapture.of(ServerHealth.class)) {
      ups.pool().expire(t0 + 3 * SECOND, 0);
      assertThat(shared.isUsable()).as("left as it was for the day it is added again").isTrue();
      assertThat(log.lines()).isEmpty();
    }
  }

  @Test
  void aPeriodicProbeWithoutAnswerTakesAnIdleServerOut() {
    Upstream u = start(new HealthCheck(Duration.ofSeconds(1), Duration.ofSeconds(1)));
    long t0 = System.nanoTime();
    ups.pool().expire(t0 + SECOND / 2, 0);
    assertThat(u.sent()).as("not due yet").isEmpty();

    ups.pool().expire(t0 + 2 * SECOND, 0);
    int probe = probeId(u.sent());
    assertThat(usable()).isTrue();

    ups.pool().expire(t0 + 3 * SECOND + SECOND / 10, 0);
    assertThat(usable()).as("the probe went unanswered for 1 s").isFalse();

    u.answer(probe, searchDone(ResultCode.SUCCESS));
    assertThat(usable()).isTrue();
  }

  @Test
  void withTheChecksOffNothingIsProbedOrTakenOut() {
    Upstream u = start(HealthCheck.OFF);
    forward(u.link(), client, 1, search());
    u.sent();
    ups.pool().expire(System.nanoTime() + 3600 * SECOND, 0);
    assertThat(usable()).isTrue();
    assertThat(u.sent()).isEmpty();
  }
}
