package org.ldapbalancer.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The phase of a run, shared by every event loop and the thread that runs the clock: whether a
 * request may start now and whether it is measured, how many measured requests have completed,
 * and why the run ended.
 *
 * <p>Thread-safe. A request is measured when it <em>starts</em> after the warm-up, so nothing
 * begun in the warm-up leaks into the results.
 */
final class RunControl {
  /** {@link #tryStart} answers: no request now, a warm-up request, a measured request. */
  static final int REFUSED = 0;

  static final int WARMUP = 1;
  static final int MEASURED = 2;

  private static final int IDLE = 0;
  private static final int WARMING_UP = 1;
  private static final int MEASURING = 2;
  private static final int STOPPED = 3;

  private final long maxOps;
  private volatile int phase = IDLE;
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicReference<String> stopReason = new AtomicReference<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile long measureStartNanos;
  private volatile long finishNanos;

  /** @param maxOps measured requests to complete before stopping; 0 for no limit */
  RunControl(long maxOps) {
    this.maxOps = maxOps;
  }

  void startWarmup() {
    phase = WARMING_UP;
  }

  void startMeasuring(long nowNanos) {
    measureStartNanos = nowNanos;
    phase = MEASURING;
  }

  /** No request starts after this; what is in flight is left unfinished. */
  void stop() {
    phase = STOPPED;
  }

  boolean stopped() {
    return phase == STOPPED;
  }

  /** May a request start now, and is it measured? One of the constants above. */
  int tryStart() {
    int p = phase;
    if (p == WARMING_UP) {
      return WARMUP;
    }
    if (p != MEASURING) {
      return REFUSED;
    }
    long n = issued.incrementAndGet();
    return maxOps > 0 && n > maxOps ? REFUSED : MEASURED;
  }

  /** A measured request has had its final response. */
  void completed() {
    long n = completed.incrementAndGet();
    if (n == maxOps) {
      finish("max-ops");
    }
  }

  /** A measured request was lost with its connection: it will never complete. */
  void failed() {
    failed.incrementAndGet();
  }

  /** The persistent connections the run goes on with; connect mode has none. */
  void expectConnections(int n) {
    openConnections.set(n);
  }

  /** A running persistent connection is gone; when the last one goes, the run cannot go on. */
  void connectionLost() {
    if (openConnections.decrementAndGet() == 0 && phase != STOPPED) {
      finish("connections lost");
    }
  }

  /** Stops the run for {@code reason} unless it has ended already. */
  void finish(String reason) {
    phase = STOPPED; // first, so that no result arriving from now on is counted
    if (stopReason.compareAndSet(null, reason)) {
      finishNanos = System.nanoTime();
      finished.countDown();
    }
  }

  /** Waits up to {@code nanos} for the run to end by itself; true when it has. */
  boolean awaitFinish(long nanos) throws InterruptedException {
    return nanos <= 0 ? finished.getCount() == 0 : finished.await(nanos, TimeUnit.NANOSECONDS);
  }

  /** Why the run ended: duration, max-ops, connections lost. */
  String stopReason() {
    return stopReason.get();
  }

  long finishNanos() {
    return finishNanos;
  }

  long measureStartNanos() {
    return measureStartNanos;
  }

  long completedMeasured() {
    return completed.get();
  }

  /** Measured requests started but never answered before the end. */
  long unfinished() {
    long started = maxOps > 0 ? Math.min(issued.get(), maxOps) : issued.get();
    return Math.max(0, started - completed.get() - failed.get());
  }
}
