package org.ldapbalancer.log;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Lets through at most {@code limit} messages per key in each interval and drops the rest; when the
 * interval ends, one line says how many were dropped. For lines that an outsider can make the
 * balancer write at will (a client flooding it with malformed input), so that they cannot fill the
 * disk or crowd out everything else.
 *
 * <pre>{@code
 * RateLimitedLog.DEFAULT.info(log, "closing client {}: {}", address, reason);
 * }</pre>
 *
 * <p>The key is the logger and the message template, so one call site is limited as a whole. The
 * template must be a constant: every distinct template keeps a small record for the life of the
 * process.
 *
 * <p>Thread-safe: one instance serves every event loop. Each key's window is guarded by its own
 * lock, held for a few comparisons; logging happens outside it.
 */
public final class RateLimitedLog {
  /** Twenty lines per call site every ten seconds: a flood shows, but stays a few lines. */
  public static final RateLimitedLog DEFAULT = new RateLimitedLog(20, Duration.ofSeconds(10));

  /** Runs a task later; the summary of an interval is written when the interval ends. */
  @FunctionalInterface
  interface Timer {
    void after(long delayNanos, Runnable task);
  }

  private record Key(String logger, String template) {}

  /** One key's current interval. The counters are guarded by the window itself. */
  private static final class Window {
    final Logger log;
    final String template;
    long start;
    int passed;
    int suppressed;

    /** The start of the interval whose summary is scheduled, or {@link #NONE}. */
    long summaryFor = NONE;

    Window(Logger log, String template, long start) {
      this.log = log;
      this.template = template;
      this.start = start;
    }
  }

  private static final long NONE = Long.MIN_VALUE;

  private final int limit;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final Timer timer;
  private final ConcurrentHashMap<Key, Window> windows = new ConcurrentHashMap<>();

  /**
   * @param limit messages per key let through in each interval, at least 1
   * @param interval the length of an interval
   */
  public RateLimitedLog(int limit, Duration interval) {
    // The JDK's shared delay thread: no thread of our own for a line every few seconds at most.
    this(
        limit,
        interval,
        System::nanoTime,
        (delay, task) ->
            CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS).execute(task));
  }

  RateLimitedLog(int limit, Duration interval, LongSupplier nanoClock, Timer timer) {
    if (limit < 1 || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("limit " + limit + " per " + interval);
    }
    this.limit = limit;
    this.intervalNanos = interval.toNanos();
    this.nanoClock = nanoClock;
    this.timer = timer;
  }

  /** Logs at INFO unless this template has had its share of the current interval. */
  public void info(Logger log, String template, Object... args) {
    if (log.isInfoEnabled() && permit(log, template)) {
      log.info(template, args);
    }
  }

  /** Logs at WARN unless this template has had its share of the current interval. */
  public void warn(Logger log, String template, Object... args) {
    if (log.isWarnEnabled() && permit(log, template)) {
      log.warn(template, args);
    }
  }

  private boolean permit(Logger log, String template) {
    long now = nanoClock.getAsLong();
    Key key = new Key(log.getName(), template);
    Window w = windows.computeIfAbsent(key, k -> new Window(log, template, now));
    int overdue = 0;
    boolean permitted;
    long scheduleFor = NONE;
    synchronized (w) {
      if (now - w.start >= intervalNanos) {
        // A new interval; the old one's summary, if its timer has not run yet, comes first.
        overdue = w.suppressed;
        w.suppressed = 0;
        w.summaryFor = NONE;
        w.start = now;
        w.passed = 0;
      }
      permitted = w.passed < limit;
      if (permitted) {
        w.passed++;
      } else {
        w.suppressed++;
        if (w.summaryFor != w.start) {
          w.summaryFor = w.start;
          scheduleFor = w.start;
        }
      }
    }
    if (overdue > 0) {
      summary(log, template, overdue);
    }
    if (scheduleFor != NONE) {
      long start = scheduleFor;
      timer.after(start + intervalNanos - now, () -> intervalEnded(w, start));
    }
    return permitted;
  }

  /**
   * Writes the summaries of intervals not yet over, as if they had ended now: at exit, so that what
   * was suppressed in the last seconds is not lost with the timers.
   */
  public void flush() {
    windows.forEach(
        (key, w) -> {
          int suppressed;
          synchronized (w) {
            suppressed = w.suppressed;
            w.suppressed = 0;
            w.summaryFor = NONE;
          }
          if (suppressed > 0) {
            summary(w.log, w.template, suppressed);
          }
        });
  }

  private void intervalEnded(Window w, long start) {
    int suppressed;
    synchronized (w) {
      if (w.summaryFor != start) {
        return; // a later message started a new interval and has written this summary
      }
      suppressed = w.suppressed;
      w.suppressed = 0;
      w.summaryFor = NONE;
    }
    if (suppressed > 0) {
      summary(w.log, w.template, suppressed);
    }
  }

  private void summary(Logger log, String template, int suppressed) {
    // At WARN, whatever the level of the suppressed lines: that lines were lost matters more.
    log.warn(
        "{} similar messages suppressed in {} s: \"{}\"",
        suppressed,
        TimeUnit.NANOSECONDS.toSeconds(intervalNanos),
        template);
  }
}
