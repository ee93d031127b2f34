package org.ldapbalancer.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines one class logs while a test runs, as they are formatted; close to stop. */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private CapturedLog(Class<?> source) {
    this.logger = (Logger) LoggerFactory.getLogger(source);
    appender.start();
    logger.addAppender(appender);
  }

  public static CapturedLog of(Class<?> source) {
    return new CapturedLog(source);
  }

  /** The formatted messages so far. */
  public List<String> messages() {
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  public boolean contains(String text) {
    return messages().stream().anyMatch(m -> m.contains(text));
  }

  public long count(String text) {
    return messages().stream().filter(m -> m.contains(text)).count();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
