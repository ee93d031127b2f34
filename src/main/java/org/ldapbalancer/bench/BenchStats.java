package org.ldapbalancer.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies and errors. Event loops record (wait-free, through HdrHistogram {@link Recorder}s);
 * the clock thread takes one interval a second, prints it, and adds measured intervals to the
 * totals.
 *
 * <p>Latencies are in microseconds, from the write of a request to its final response.
 * Warm-up operations go to their own recorder: they appear in the per-second lines but never in
 * the totals. An operation that ends with an LDAP error is timed like any other (the server
 * did the work) and also counted under its result code.
 */
final class BenchStats {
  /** Values above an hour are clamped: no operation in a bounded run can take longer. */
  static final long HIGHEST_MICROS = 3_600_000_000L;

  private static final int DIGITS = 3;

  private final Recorder[] measured = new Recorder[OpKind.ALL.length];
  private final Recorder warmup = newRecorder();
  private final LongAdder[] errorsByKind = new LongAdder[OpKind.ALL.length];
  private final Map<Integer, LongAdder> errorsByCode = new ConcurrentHashMap<>();
  private final LongAdder intervalErrors = new LongAdder();
  private final LongAdder connectionErrors = new LongAdder();
  private final AtomicReference<String> firstConnectionError = new AtomicReference<>();

  // Owned by the clock thread.
  private final Histogram[] totals = new Histogram[OpKind.ALL.length];
  private final Histogram[] recycled = new Histogram[OpKind.ALL.length];
  private Histogram recycledWarmup;
  private final Histogram interval = newHistogram();

  /** @param kinds the operation kinds this run performs */
  BenchStats(Iterable<OpKind> kinds) {
    for (OpKind kind : kinds) {
      measured[kind.ordinal()] = newRecorder();
      totals[kind.ordinal()] = newHistogram();
      errorsByKind[kind.ordinal()] = new LongAdder();
    }
  }

  private static Recorder newRecorder() {
    return new Recorder(1, HIGHEST_MICROS, DIGITS);
  }

  private static Histogram newHistogram() {
    return new Histogram(1, HIGHEST_MICROS, DIGITS);
  }

  /** Called on an event loop for every final response. */
  void record(OpKind kind, boolean isMeasured, long latencyNanos, int resultCode) {
    long micros = Math.min(HIGHEST_MICROS, (latencyNanos + 500) / 1000);
    if (isMeasured) {
      measured[kind.ordinal()].recordValue(micros);
    } else {
      warmup.recordValue(micros);
    }
    if (resultCode != 0) {
      intervalErrors.increment();
      if (isMeasured) {
        errorsByKind[kind.ordinal()].increment();
        errorsByCode.computeIfAbsent(resultCode, c -> new LongAdder()).increment();
      }
    }
  }

  /** A connection failed or was lost (not an LDAP result); keeps the first reason for the report. */
  void connectionError(String reason) {
    connectionErrors.increment();
    intervalErrors.increment();
    firstConnectionError.compareAndSet(null, reason);
  }

  /**
   * Takes the operations completed since the last call, adds the measured ones to the totals,
   * and returns all of them (valid until the next call). Clock thread only.
   */
  Histogram takeInterval() {
    interval.reset();
    for (int k = 0; k < measured.length; k++) {
      if (measured[k] != null) {
        Histogram h = measured[k].getIntervalHistogram(recycled[k]);
        totals[k].add(h);
        interval.add(h);
        recycled[k] = h;
      }
    }
    recycledWarmup = warmup.getIntervalHistogram(recycledWarmup);
    interval.add(recycledWarmup);
    return interval;
  }

  /** Errors (LDAP and connection) since the last call. */
  long takeIntervalErrors() {
    return intervalErrors.sumThenReset();
  }

  /** The measured latencies of one kind, or {@code null} when the run performs none. */
  Histogram total(OpKind kind) {
    return totals[kind.ordinal()];
  }

  /** The measured latencies of every kind together. */
  Histogram total() {
    Histogram all = newHistogram();
    for (Histogram h : totals) {
      if (h != null) {
        all.add(h);
      }
    }
    return all;
  }

  long errors(OpKind kind) {
    LongAdder n = errorsByKind[kind.ordinal()];
    return n == null ? 0 : n.sum();
  }

  /** Measured operations that ended with a result other than success, by result code. */
  Map<Integer, Long> errorsByCode() {
    Map<Integer, Long> copy = new TreeMap<>();
    errorsByCode.forEach((code, n) -> copy.put(code, n.sum()));
    return copy;
  }

  long connectionErrors() {
    return connectionErrors.sum();
  }

  String firstConnectionError() {
    return firstConnectionError.get();
  }
}
