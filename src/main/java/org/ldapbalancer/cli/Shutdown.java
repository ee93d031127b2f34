package org.ldapbalancer.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT so the balancer can close in order (Notice of Disconnection to
 * every client) and the process can exit 0, as lloadd does, rather than the JVM's 143.
 */
final class Shutdown {
  private Shutdown() {}

  static void awaitSignal() throws InterruptedException {
    CountDownLatch signalled = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> signalled.countDown());
    Signal.handle(new Signal("INT"), s -> signalled.countDown());
    signalled.await();
  }
}
