package org.ldapbalancer.bench;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What a run measured, after the warm-up.
 *
 * @param seconds the measured window: from the end of the warm-up to the stop
 * @param operations measured operations that had their final response (any result code)
 * @param byKind per operation kind performed, in {@link OpKind} order
 * @param errorsByCode measured operations with a result other than success, by result code
 * @param connectionErrors connections that failed or were lost, over the whole run
 * @param unfinished measured requests still without an answer when the run stopped
 * @param stopReason {@code duration}, {@code max-ops} or {@code connections lost}
 * @param answers what became of every request sent, warm-up and drain included
 * @param tls for {@code ldaps://}: the provider and the handshakes made and resumed; else
 *     {@code null}
 */
public record BenchResult(
    BenchSettings settings,
    String transport,
    int connectionsReady,
    double seconds,
    long operations,
    Latency latency,
    Map<OpKind, KindResult> byKind,
    Map<Integer, Long> errorsByCode,
    long connectionErrors,
    String firstConnectionError,
    long unfinished,
    String stopReason,
    Answers answers,
    String tls) {

  public double opsPerSecond() {
    return seconds > 0 ? operations / seconds : 0;
  }

  /** LDAP errors (all result codes but success) plus connection errors. */
  public long errors() {
    return errorsByCode.values().stream().mapToLong(Long::longValue).sum() + connectionErrors;
  }

  /**
   * What became of every request the generator sent ({@link AnswerLedger}): the check that each
   * got exactly one final response is {@code unanswered == 0 && unexpected == 0}, and
   * {@code sent == answered + lostWithConnection + unanswered} always holds.
   *
   * @param sent requests written, warm-up included (not the session binds)
   * @param answered requests with their final response, whenever it came
   * @param byResultCode answered requests by result code (0 is success)
   * @param lostWithConnection requests outstanding when their connection closed under them
   * @param unanswered requests still outstanding at the end, after the drain
   * @param unexpected final responses that matched no outstanding request
   * @param noticesOfDisconnection unsolicited Notices of Disconnection received
   * @param drainSeconds how long the run was willing to wait for answers after the stop
   * @param drainedSeconds how long it waited
   */
  public record Answers(long sent, long answered, Map<Integer, Long> byResultCode,
      long lostWithConnection, long unanswered, long unexpected, long noticesOfDisconnection,
      double drainSeconds, double drainedSeconds) {
    public Answers {
      byResultCode = Collections.unmodifiableMap(new TreeMap<>(byResultCode));
    }

    /** Every request answered exactly once, none lost with its connection. */
    public boolean everyRequestAnsweredOnce() {
      return unanswered == 0 && unexpected == 0 && lostWithConnection == 0;
    }
  }

  /** One kind's share of the run. */
  public record KindResult(long operations, long errors, Latency latency) {}

  /** Latency percentiles in microseconds. */
  public record Latency(long p50, long p90, long p99, long p999, long max, double mean) {
    static Latency of(Histogram h) {
      if (h.getTotalCount() == 0) {
        return new Latency(0, 0, 0, 0, 0, 0);
      }
      return new Latency(h.getValueAtPercentile(50), h.getValueAtPercentile(90),
          h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
    }
  }
}
