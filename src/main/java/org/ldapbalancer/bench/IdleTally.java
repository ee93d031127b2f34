package org.ldapbalancer.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What idle mode's connections have come to, and how many may be setting up at once.
 *
 * <p>Thread-safe: event loops report, the thread that opens connections and keeps the clock
 * reads. Every connection releases its set-up permit exactly once: when its search is answered
 * or when it could not get that far.
 */
final class IdleTally {
  private final Semaphore settingUp;
  private final AtomicInteger setUp = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger lost = new AtomicInteger();
  private final AtomicInteger searchErrors = new AtomicInteger();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();
  private final AtomicReference<String> refusal = new AtomicReference<>();

  /** @param atOnce connections that may be connecting, binding or searching at the same time */
  IdleTally(int atOnce) {
    this.settingUp = new Semaphore(atOnce);
  }

  /** Waits for a set-up permit; false if none came within the timeout. */
  boolean awaitPermit(long timeoutMillis) throws InterruptedException {
    return settingUp.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** The search was answered (with {@code resultCode}): the connection is now idle and open. */
  void setUp(int resultCode) {
    if (resultCode != 0) {
      searchErrors.incrementAndGet();
    }
    setUp.incrementAndGet();
    open.incrementAndGet();
    settingUp.release();
  }

  /** The connection could not be set up. */
  void failed(String reason) {
    firstFailure.compareAndSet(null, reason);
    failed.incrementAndGet();
    settingUp.release();
  }

  /** The session bind was refused: the run cannot do what was asked and ends. */
  void refused(String reason) {
    refusal.compareAndSet(null, reason);
    failed(reason);
  }

  /** An idle connection was closed by the server or the network. */
  void lost(String reason) {
    firstFailure.compareAndSet(null, reason);
    lost.incrementAndGet();
    open.decrementAndGet();
  }

  /** An idle connection is being closed at the end of the run. */
  void closedByUs() {
    open.decrementAndGet();
  }

  int setUp() {
    return setUp.get();
  }

  int open() {
    return open.get();
  }

  int failed() {
    return failed.get();
  }

  int lost() {
    return lost.get();
  }

  int searchErrors() {
    return searchErrors.get();
  }

  String firstFailure() {
    return firstFailure.get();
  }

  String refusal() {
    return refusal.get();
  }
}
