package org.ldapbalancer.log;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logback's {@link AsyncAppender} that counts the events it drops and, once the queue has room
 * again, says how many in one WARN line. Logback drops silently: with {@code neverBlock} a full
 * queue loses any event, and below the discarding threshold TRACE, DEBUG and INFO are thrown away
 * first. Both are wanted here (an event loop must never wait for standard error), but a gap in the
 * log should be visible as one.
 *
 * <p>The count is exact for events dropped under the discarding threshold and for those dropped
 * because the queue was full when this appender looked; an event that finds the queue filled by
 * another thread between that look and logback's own offer is lost uncounted.
 *
 * <p>Thread-safe, as logback's appender is: {@link #append} runs on every logging thread.
 */
public final class CountingAsyncAppender extends AsyncAppender {
  private final LongAdder dropped = new LongAdder();
  private final AtomicLong unreported = new AtomicLong();

  /** Events dropped since start. */
  public long dropped() {
    return dropped.sum();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (!isStarted()) {
      return;
    }
    if ((isQueueBelowDiscardingThreshold() && isDiscardable(event))
        || getRemainingCapacity() == 0) {
      dropped.increment();
      unreported.incrementAndGet();
      return;
    }
    reportDropped();
    super.append(event);
  }

  /** Writes the drop count in the queue, first, while there is room for it. */
  private void reportDropped() {
    if (unreported.get() == 0 || isQueueBelowDiscardingThreshold()) {
      return;
    }
    long n = unreported.getAndSet(0);
    if (n > 0) {
      LoggerContext context = (LoggerContext) getContext();
      super.append(
          new LoggingEvent(
              CountingAsyncAppender.class.getName(),
              context.getLogger(CountingAsyncAppender.class),
              Level.WARN,
              n + " log messages dropped: the log output could not keep up",
              null,
              null));
    }
  }
}
