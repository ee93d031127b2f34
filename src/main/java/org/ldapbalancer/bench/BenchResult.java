package org.ldapbalancer.bench;

import java.util.Map;
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
    String stopReason) {

  public double opsPerSecond() {
    return seconds > 0 ? operations / seconds : 0;
  }

  /** LDAP errors (all result codes but success) plus connection errors. */
  public long errors() {
    return errorsByCode.values().stream().mapToLong(Long::longValue).sum() + connectionErrors;
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
