package org.ldapbalancer.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CountingAsyncAppenderTest {
  private final LoggerContext context = new LoggerContext();
  private final StalledOutput output = new StalledOutput();
  private final CountingAsyncAppender async = new CountingAsyncAppender();
  private final Logger log = context.getLogger("test");

  /** Standard error that stops taking lines until {@link #resume()}: a stalled pipe. */
  private static final class StalledOutput extends AppenderBase<ILoggingEvent> {
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
      written.add(event.getLevel() + " " + event.getFormattedMessage());
    }

    void resume() {
      resumed.countDown();
    }
  }

  private void start(int queueSize, int discardingThreshold) {
    context.setMDCAdapter(new LogbackMDCAdapter()); // what logback's SLF4J provider would set
    output.setContext(context);
    output.start();
    async.setContext(context);
    async.setQueueSize(queueSize);
    async.setDiscardingThreshold(discardingThreshold);
    async.setNeverBlock(true);
    async.addAppender(output);
    async.start();
    log.setLevel(Level.INFO);
    log.addAppender(async);
  }

  /** Logs one line and waits until the output holds it, so that the queue is empty and stuck. */
  private void stallOutput() throws InterruptedException {
    log.warn("stalled");
    assertThat(output.entered.await(30, TimeUnit.SECONDS)).isTrue();
  }

  @AfterEach
  void stop() {
    output.resume();
    async.stop();
  }

  @Test
  void aFullQueueDropsWithoutWaitingAndTheCountIsReportedOnceThereIsRoom() throws Exception {
    start(4, 0);
    stallOutput();

    long started = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      log.warn("line {}", i);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(async.dropped()).isEqualTo(96);

    output.resume();
    await().atMost(Duration.ofSeconds(20)).until(() -> output.written.size() == 5);
    log.warn("after");

    await().atMost(Duration.ofSeconds(20)).until(() -> output.written.size() == 7);
    assertThat(output.written)
        .containsExactly(
            "WARN stalled",
            "WARN line 0",
            "WARN line 1",
            "WARN line 2",
            "WARN line 3",
            "WARN 96 log messages dropped: the log output could not keep up",
            "WARN after");
    assertThat(async.dropped()).isEqualTo(96);
  }

  @Test
  void belowTheThresholdInfoIsDroppedFirstAndWarningsStillGetThrough() throws Exception {
    start(10, 5);
    stallOutput();

    for (int i = 0; i < 10; i++) {
      log.info("info {}", i);
    }
    log.warn("warning 1");
    log.error("error 1");

    // 10 places: six INFO lines fit before fewer than five are left; the other four are dropped.
    assertThat(async.dropped()).isEqualTo(4);
    assertThat(async.getNumberOfElementsInQueue()).isEqualTo(8);
    output.resume();
    await().atMost(Duration.ofSeconds(20)).until(() -> output.written.size() == 9);
    assertThat(output.written).endsWith("INFO info 5", "WARN warning 1", "ERROR error 1");
  }
}
