package org.ldapbalancer.upstream;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.ldapbalancer.config.HealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one configured server answers, as every event loop sees it: a server that leaves
 * operations without any response for longer than {@code health-check-timeout}, or does not answer
 * a probe within it, is taken out of selection (regular and bind) until a probe answers again.
 *
 * <p>One per server, shared by the server's pools on every event loop. Thread-safe: the state is
 * one atomic flag, read on the selection path as a single field load; transitions are
 * compare-and-set, so each outage is logged once (out, and back) whichever loop sees it first.
 * The periodic probe's due time is shared too, so that the loops take turns rather than each
 * probing every interval.
 */
public final class ServerHealth {
  private static final Logger log = LoggerFactory.getLogger(ServerHealth.class);

  private final String name;
  private final HealthCheck settings;
  private final AtomicBoolean out = new AtomicBoolean();
  /** Whether the current outage was logged: a suspect server is out silently until confirmed. */
  private final AtomicBoolean announced = new AtomicBoolean();
  private final AtomicLong nextProbeNanos;

  public ServerHealth(String name, HealthCheck settings) {
    this.name = name;
    this.settings = settings;
    this.nextProbeNanos = new AtomicLong(System.nanoTime() + settings.interval().toNanos());
  }

  /** A server that is never checked: always in selection (tests that drive pools by hand). */
  static ServerHealth unchecked(String name) {
    return new ServerHealth(name, HealthCheck.OFF);
  }

  HealthCheck settings() {
    return settings;
  }

  /** Whether selection may use the server. One volatile load. */
  public boolean isUsable() {
    return !out.get();
  }

  /**
   * The server did not answer: out of selection. Logged by the loop that saw it first.
   *
   * @param why what was seen, for the log line
   */
  void unresponsive(String why) {
    out.set(true);
    if (announced.compareAndSet(false, true)) {
      log.warn("server {} unresponsive ({}), taken out of selection", name, why);
    }
  }

  /**
   * The server went silent with operations outstanding and is being probed: out of selection
   * until the probe decides, without a log line (a server busy with one long operation answers
   * at once and is back). Otherwise operations that time out meanwhile would free their
   * clients' slots only for the next ones to go to the same silent server.
   */
  void suspect() {
    out.set(true);
  }

  /** A probe answered: back in selection (logged if the outage was). */
  void answered() {
    if (out.compareAndSet(true, false) && announced.compareAndSet(true, false)) {
      log.info("server {} answers again, back in selection", name);
    }
  }

  /**
   * Whether the periodic probe is due now and this caller is the one to send it: at most one
   * loop wins each interval. Always false with {@code health-check-interval 0}.
   */
  boolean claimPeriodicProbe(long nowNanos) {
    long interval = settings.interval().toNanos();
    if (interval <= 0) {
      return false;
    }
    long due = nextProbeNanos.get();
    return nowNanos - due >= 0 && nextProbeNanos.compareAndSet(due, nowNanos + interval);
  }
}
