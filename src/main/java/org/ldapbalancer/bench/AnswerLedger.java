package org.ldapbalancer.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What became of every request the generator sent, warm-up and the drain after the stop
 * included: each one is answered (once, with a result code), lost with its connection, or still
 * unanswered when the run ends. A final response to no outstanding request (a second answer, or
 * one under an ID never sent) is counted as unexpected. So a server that gives every request
 * exactly one final response shows {@code unanswered == 0} and {@code unexpected == 0}, whatever
 * the measured figures say; that is the check of {@code bench/faults}.
 *
 * <p>Separate from {@link BenchStats}, which counts only measured operations answered before the
 * stop. Thread-safe: event loops count, the clock thread reads; after {@link #close()} nothing
 * more is counted, so a snapshot taken then stays consistent with the connections closing.
 */
final class AnswerLedger {
  private final LongAdder sent = new LongAdder();
  private final LongAdder answered = new LongAdder();
  private final LongAdder lost = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final LongAdder notices = new LongAdder();
  private final Map<Integer, LongAdder> byCode = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** A request has been written. */
  void sent() {
    if (!closed) {
      sent.increment();
    }
  }

  /** An outstanding request has had its final response. */
  void answered(int resultCode) {
    if (!closed) {
      byCode.computeIfAbsent(resultCode, c -> new LongAdder()).increment();
      answered.increment();
    }
  }

  /** A connection was closed (by the server or a failure) with this many requests outstanding. */
  void lost(int requests) {
    if (!closed && requests > 0) {
      lost.add(requests);
    }
  }

  /** A final response whose message ID matches no outstanding request. */
  void unexpected() {
    if (!closed) {
      unexpected.increment();
    }
  }

  /** An unsolicited Notice of Disconnection (RFC 4511 §4.4.1). */
  void notice() {
    if (!closed) {
      notices.increment();
    }
  }

  /** Requests sent and neither answered nor lost yet. */
  long outstanding() {
    return sent.sum() - answered.sum() - lost.sum();
  }

  /** Stops counting: whatever happens from now on is not part of the run. */
  void close() {
    closed = true;
  }

  /** The counts now; what is still outstanding is unanswered. Call after {@link #close()}. */
  BenchResult.Answers snapshot(double drainSeconds, double drainedSeconds) {
    Map<Integer, Long> codes = new TreeMap<>();
    byCode.forEach((code, n) -> codes.put(code, n.sum()));
    long s = sent.sum();
    long a = answered.sum();
    long l = lost.sum();
    return new BenchResult.Answers(s, a, codes, l, Math.max(0, s - a - l), unexpected.sum(),
        notices.sum(), drainSeconds, drainedSeconds);
  }
}
