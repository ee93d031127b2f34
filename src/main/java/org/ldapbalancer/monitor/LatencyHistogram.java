package org.ldapbalancer.monitor;

import java.util.Arrays;

/**
 * Response times in fixed buckets, from 100 µs to 10 s and above (Prometheus' classic histogram:
 * the bounds never change, so histograms of every loop and every scrape add up).
 *
 * <p>Owned by one event loop: {@link #record} is a few comparisons and two increments, with no
 * allocation. Copies are taken on the loop and summed elsewhere.
 */
public final class LatencyHistogram {
  /** Upper bounds in seconds, as {@code le} labels; the last bucket ({@code +Inf}) is implied. */
  private static final double[] BOUNDS_SECONDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    10
  };

  private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];

  static {
    for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
      BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
    }
  }

  /** Buckets, including the last one above every bound. */
  public static final int BUCKETS = BOUNDS_SECONDS.length + 1;

  /** Not cumulative: {@code counts[i]} are the samples in bucket {@code i} only. */
  private final long[] counts = new long[BUCKETS];

  private long sumNanos;

  /** Records one response time; a negative one (a clock step) counts as zero. */
  public void record(long nanos) {
    long n = Math.max(0, nanos);
    int i = 0;
    while (i < BOUNDS_NANOS.length && n > BOUNDS_NANOS[i]) {
      i++;
    }
    counts[i]++;
    sumNanos += n;
  }

  /** The upper bound of bucket {@code i} in seconds; infinity for the last. */
  public static double upperBoundSeconds(int i) {
    return i < BOUNDS_SECONDS.length ? BOUNDS_SECONDS[i] : Double.POSITIVE_INFINITY;
  }

  /** Samples in bucket {@code i} alone (not cumulative). */
  public long bucket(int i) {
    return counts[i];
  }

  public long count() {
    long c = 0;
    for (long n : counts) {
      c += n;
    }
    return c;
  }

  public double sumSeconds() {
    return sumNanos / 1e9;
  }

  /** Mean response time in seconds, or 0 with no samples. */
  public double meanSeconds() {
    long c = count();
    return c == 0 ? 0 : sumSeconds() / c;
  }

  /**
   * The upper bound of the bucket holding quantile {@code q} (0 to 1): an over-estimate by at most
   * one bucket's width, which is what fixed buckets can tell. 0 with no samples; for the last
   * bucket, the largest finite bound.
   */
  public double quantileUpperBoundSeconds(double q) {
    long total = count();
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(upperBoundSeconds(i), BOUNDS_SECONDS[BOUNDS_SECONDS.length - 1]);
      }
    }
    return BOUNDS_SECONDS[BOUNDS_SECONDS.length - 1];
  }

  /** Adds {@code other}'s samples to these; neither may be written meanwhile. */
  public void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    sumNanos += other.sumNanos;
  }

  public LatencyHistogram copy() {
    LatencyHistogram h = new LatencyHistogram();
    h.add(this);
    return h;
  }

  @Override
  public String toString() {
    return "LatencyHistogram" + Arrays.toString(counts);
  }
}
