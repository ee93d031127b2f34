package org.ldapbalancer.server;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.channel.Channel;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a reserve of file descriptors for connections to the servers (the design note's open
 * question "what when we run out of file descriptors"). Without it, at the process's open-file
 * limit every descriptor an upstream connection frees is taken at once by a client waiting to be
 * accepted, and a server that restarts stays unused until clients leave.
 *
 * <p>Accepting pauses (the listeners stop reading) while the descriptors in use reach the limit
 * minus the reserve, and resumes once clients have closed a few below that. Clients are counted
 * exactly as they come and go; everything else (upstream connections, the JVM's own files) is
 * measured now and then and held as a baseline.
 *
 * <p>Thread-safe: clients are accepted and closed on every event loop.
 */
final class DescriptorBudget {
  private static final Logger log = LoggerFactory.getLogger(DescriptorBudget.class);

  /** Descriptors below the pause point before accepting resumes, so it does not flap. */
  static final int HYSTERESIS = 8;

  private final long limit;
  private final int reserve;
  private final LongSupplier openDescriptors;
  private final AtomicInteger clients = new AtomicInteger();
  private final List<Channel> listeners = new CopyOnWriteArrayList<>();
  /** Descriptors in use that are not clients, as last measured. */
  private volatile long baseline;

  private boolean paused; // guarded by this

  /**
   * @param limit the open-file limit of the process, or a negative value when unknown (then
   *     nothing is ever paused)
   * @param reserve descriptors to keep free for upstream connections and the process itself
   * @param openDescriptors how many descriptors the process has open now
   */
  DescriptorBudget(long limit, int reserve, LongSupplier openDescriptors) {
    this.limit = limit;
    this.reserve = reserve;
    this.openDescriptors = openDescriptors;
    this.baseline = openDescriptors.getAsLong();
  }

  /** The budget of this process, from the JVM's view of its descriptors. */
  static DescriptorBudget forThisProcess(int reserve) {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof UnixOperatingSystemMXBean unix) {
      return new DescriptorBudget(
          unix.getMaxFileDescriptorCount(), reserve, unix::getOpenFileDescriptorCount);
    }
    return new DescriptorBudget(-1, reserve, () -> 0);
  }

  long limit() {
    return limit;
  }

  int reserve() {
    return reserve;
  }

  /** The most descriptors in use at which clients are still accepted. */
  long pausePoint() {
    return limit - reserve;
  }

  void addListener(Channel listener) {
    listeners.add(listener);
  }

  /** A client was accepted; its close is counted by itself. */
  void accepted(Channel client) {
    int n = clients.incrementAndGet();
    client.closeFuture().addListener(f -> released());
    if (limit > 0 && baseline + n >= pausePoint()) {
      pause(baseline + n);
    }
  }

  private void released() {
    int n = clients.decrementAndGet();
    if (limit > 0 && baseline + n < pausePoint() - HYSTERESIS) {
      resume(baseline + n);
    }
  }

  /**
   * Measures what is not a client again (upstream connections come and go) and re-applies the
   * rule; run now and then, off the event loops' hot path.
   */
  void recalibrate() {
    if (limit <= 0) {
      return;
    }
    int n = clients.get();
    baseline = Math.max(0, openDescriptors.getAsLong() - n);
    long inUse = baseline + n;
    if (inUse >= pausePoint()) {
      pause(inUse);
    } else if (inUse < pausePoint() - HYSTERESIS) {
      resume(inUse);
    }
    synchronized (this) {
      // Netty's acceptor turns reading back on a second after an accept error: pausing wins.
      if (paused) {
        listeners.forEach(l -> l.config().setAutoRead(false));
      }
    }
  }

  private synchronized void pause(long inUse) {
    if (paused) {
      return;
    }
    paused = true;
    listeners.forEach(l -> l.config().setAutoRead(false));
    log.warn(
        "open-file limit: {} of {} descriptors in use; accepting no new clients until some close"
            + " ({} kept for connections to the servers)",
        inUse,
        limit,
        reserve);
  }

  private synchronized void resume(long inUse) {
    if (!paused) {
      return;
    }
    paused = false;
    listeners.forEach(l -> l.config().setAutoRead(true));
    log.info("{} of {} descriptors in use: accepting clients again", inUse, limit);
  }

  synchronized boolean isPaused() {
    return paused;
  }

  int clients() {
    return clients.get();
  }
}
