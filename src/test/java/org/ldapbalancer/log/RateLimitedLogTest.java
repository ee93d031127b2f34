package org.ldapbalancer.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
  private static final String CLOSING = "closing client {}: {}";
  private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final List<Scheduled> timers = new ArrayList<>();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Logger log;

  private record Scheduled(long delayNanos, Runnable task) {}

  @BeforeEach
  void logger() {
    LoggerContext context = new LoggerContext();
    lines.setContext(context);
    lines.start();
    log = context.getLogger("test");
    log.setLevel(Level.INFO);
    log.addAppender(lines);
  }

  private RateLimitedLog limited(int limit) {
    return new RateLimitedLog(
        limit,
        Duration.ofSeconds(10),
        clock::get,
        (delay, task) -> {
          synchronized (timers) {
            timers.add(new Scheduled(delay, task));
          }
        });
  }

  private List<String> messages() {
    return lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }

  @Test
  void theFirstLinesPassThenOneSummaryWhenTheIntervalEnds() {
    RateLimitedLog limited = limited(3);

    for (int i = 1; i <= 5; i++) {
      limited.info(log, CLOSING, "/127.0.0.1:" + i, "malformed request");
    }

    assertThat(messages())
        .containsExactly(
            "INFO closing client /127.0.0.1:1: malformed request",
            "INFO closing client /127.0.0.1:2: malformed request",
            "INFO closing client /127.0.0.1:3: malformed request");
    assertThat(timers).singleElement().extracting(Scheduled::delayNanos).isEqualTo(TEN_SECONDS);

    clock.addAndGet(TEN_SECONDS);
    timers.get(0).task().run();

    assertThat(messages())
        .hasSize(4)
        .last()
        .isEqualTo("WARN 2 similar messages suppressed in 10 s: \"closing client {}: {}\"");

    limited.info(log, CLOSING, "/127.0.0.1:6", "malformed request");
    assertThat(messages()).last().isEqualTo("INFO closing client /127.0.0.1:6: malformed request");
  }

  @Test
  void theTimerIsSetFromTheStartOfTheInterval() {
    RateLimitedLog limited = limited(1);
    limited.info(log, CLOSING, "a", "x");
    clock.addAndGet(TimeUnit.SECONDS.toNanos(4));

    limited.info(log, CLOSING, "b", "x");
    limited.info(log, CLOSING, "c", "x");

    assertThat(timers)
        .singleElement()
        .extracting(Scheduled::delayNanos)
        .isEqualTo(TimeUnit.SECONDS.toNanos(6));
  }

  @Test
  void aLineAfterTheIntervalWritesAnOverdueSummaryFirstAndTheLateTimerAddsNothing() {
    RateLimitedLog limited = limited(1);
    limited.info(log, CLOSING, "a", "x");
    limited.info(log, CLOSING, "b", "x");
    limited.info(log, CLOSING, "c", "x");

    clock.addAndGet(TEN_SECONDS);
    limited.info(log, CLOSING, "d", "x");
    timers.get(0).task().run();

    assertThat(messages())
        .containsExactly(
            "INFO closing client a: x",
            "WARN 2 similar messages suppressed in 10 s: \"closing client {}: {}\"",
            "INFO closing client d: x");
  }

  @Test
  void everyTemplateHasItsOwnShare() {
    RateLimitedLog limited = limited(1);

    limited.info(log, CLOSING, "a", "x");
    limited.info(log, "upstream {} lost", "b");
    limited.warn(log, "server {} refused", "c");
    limited.info(log, CLOSING, "d", "x");

    assertThat(messages())
        .containsExactly(
            "INFO closing client a: x", "INFO upstream b lost", "WARN server c refused");
  }

  @Test
  void linesBelowTheLoggersLevelAreNeitherWrittenNorCounted() {
    log.setLevel(Level.WARN);
    RateLimitedLog limited = limited(1);

    limited.info(log, CLOSING, "a", "x");
    limited.info(log, CLOSING, "b", "x");

    assertThat(messages()).isEmpty();
    assertThat(timers).isEmpty();
  }

  @Test
  void flushWritesWhatWasSuppressedSoFar() {
    RateLimitedLog limited = limited(1);
    limited.info(log, CLOSING, "a", "x");
    limited.info(log, CLOSING, "b", "x");

    limited.flush();
    timers.get(0).task().run();
    limited.flush();

    assertThat(messages())
        .containsExactly(
            "INFO closing client a: x",
            "WARN 1 similar messages suppressed in 10 s: \"closing client {}: {}\"");
  }

  @Test
  void manyThreadsAtOnceShareOneLimitAndEveryLineIsAccountedFor() throws Exception {
    RateLimitedLog limited = limited(20);
    int threads = 8;
    int each = 500;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < each; i++) {
                  limited.info(log, CLOSING, "c", "x");
                }
              });
      thread.start();
      started.add(thread);
    }
    go.countDown();
    for (Thread thread : started) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(thread.isAlive()).isFalse();
    }
    assertThat(timers).hasSize(1);
    timers.get(0).task().run();

    assertThat(messages())
        .hasSize(21)
        .last()
        .isEqualTo(
            "WARN "
                + (threads * each - 20)
                + " similar messages suppressed in 10 s: \"closing client {}: {}\"");
  }
}
