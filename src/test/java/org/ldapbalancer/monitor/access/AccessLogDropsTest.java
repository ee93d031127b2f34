package org.ldapbalancer.monitor.access;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.log.CountingAsyncAppender;
import org.ldapbalancer.testing.LogCapture;
import org.slf4j.LoggerFactory;

/** A log file that cannot keep up: lines are dropped, not waited for, and the main log says so. */
class AccessLogDropsTest {
  private final StalledFile file = new StalledFile();
  private final CountingAsyncAppender async = new CountingAsyncAppender();
  private AccessLogOutput output;

  /** A file whose writes hang until {@link #resume()}: a disk that stopped. */
  private static final class StalledFile extends AppenderBase<ILoggingEvent> {
    final List<String> written = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch resumed = new CountDownLatch(1);

    @Override
    protected void append(ILoggingEvent event) {
      entered.countDown();
      try {
        resumed.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      written.add(event.getFormattedMessage());
    }

    void resume() {
      resumed.countDown();
    }
  }

  @AfterEach
  void stop() {
    file.resume();
    if (output != null) {
      output.close();
    }
  }

  @Test
  void linesBeyondTheQueueAreDroppedCountedAndReportedOnceInTheMainLog() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    file.setContext(context);
    file.start();
    async.setContext(context);
    async.setQueueSize(1);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(file);
    async.start();
    Logger logger = context.getLogger(AccessLogOutput.LOGGER);
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
    logger.addAppender(async);
    output = new AccessLogOutput(logger, async, null);

    output.write("conn=1000 op=0 UNBIND"); // taken by the writer, which then hangs
    assertThat(file.entered.await(30, TimeUnit.SECONDS)).isTrue();
    long started = System.nanoTime();
    output.write("conn=1000 fd=1 closed"); // waits in the queue
    for (int i = 0; i < 3; i++) {
      output.write("conn=1001 fd=2 ACCEPT"); // no room: dropped
    }

    assertThat(System.nanoTime() - started).as("never waited for the file")
        .isLessThan(TimeUnit.SECONDS.toNanos(5));
    assertThat(output.dropped()).isEqualTo(3);
    try (LogCapture main = LogCapture.of(AccessLog.class)) {
      output.reportDropped();
      output.reportDropped(); // nothing new since
      assertThat(main.lines()).containsExactly(
          "WARN 3 access log lines dropped (3 since start): the log file could not keep up");
    }
    file.resume();
    output.close();
    output = null;
    assertThat(file.written).startsWith("conn=1000 op=0 UNBIND", "conn=1000 fd=1 closed");
  }
}
