package org.ldapbalancer.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * The signals that end the process. The first SIGTERM or SIGINT starts the draining shutdown (the
 * process then exits 0, as lloadd does, rather than the JVM's 143); any later one ends the drain at
 * once. Handlers rather than a shutdown hook: a hook runs once, and a second signal during it
 * could not be told apart from the first.
 */
final class Shutdown {
  private final CountDownLatch signalled = new CountDownLatch(1);
  private final AtomicInteger signals = new AtomicInteger();
  private final Runnable onLaterSignal;

  private Shutdown(Runnable onLaterSignal) {
    this.onLaterSignal = onLaterSignal;
  }

  /**
   * Installs the handlers.
   *
   * @param onLaterSignal run (on a signal-dispatch thread) for every signal after the first
   */
  static Shutdown install(Runnable onLaterSignal) {
    Shutdown shutdown = new Shutdown(onLaterSignal);
    Signal.handle(new Signal("TERM"), s -> shutdown.signalled());
    Signal.handle(new Signal("INT"), s -> shutdown.signalled());
    return shutdown;
  }

  private void signalled() {
    if (signals.incrementAndGet() == 1) {
      signalled.countDown();
    } else {
      onLaterSignal.run();
    }
  }

  /** Returns once the first signal has come. */
  void await() throws InterruptedException {
    signalled.await();
  }
}
