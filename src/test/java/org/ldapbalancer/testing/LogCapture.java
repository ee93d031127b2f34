package org.ldapbalancer.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * The formatted lines one logger writes while a test runs; safe to read from the test thread
 * while event loops write. Close it to detach.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          lines.add(event.getLevel() + " " + event.getFormattedMessage());
        }
      };

  private LogCapture(Class<?> source) {
    logger = (Logger) LoggerFactory.getLogger(source);
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  public static LogCapture of(Class<?> source) {
    return new LogCapture(source);
  }

  /** Every line so far, as {@code LEVEL message}. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Whether any line so far contains {@code text}. */
  public boolean contains(String text) {
    return lines.stream().anyMatch(l -> l.contains(text));
  }

  /** How many lines so far contain {@code text}. */
  public long count(String text) {
    return lines.stream().filter(l -> l.contains(text)).count();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
