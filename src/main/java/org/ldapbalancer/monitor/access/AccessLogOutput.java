package org.ldapbalancer.monitor.access;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.config.LogSettings;
import org.ldapbalancer.log.CountingAsyncAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where access log lines go: the logger {@value #LOGGER}, and behind it, with {@code logfile}, an
 * asynchronous bounded appender (the same {@link CountingAsyncAppender} as the main log) in front
 * of the file. Without {@code logfile} the lines join the main log on standard error.
 *
 * <p>The queue drops lines rather than make an event loop wait when the disk cannot keep up; how
 * many is said in the main log every {@value #REPORT_SECONDS} seconds while it happens, and in the
 * access log itself once there is room again.
 *
 * <p>Thread-safe: {@link #write} is called from every event loop.
 */
final class AccessLogOutput {
  static final String LOGGER = "ldapbalancer.access";

  /** Lines the queue holds before it drops: a burst of a few thousand operations. */
  static final int QUEUE_SIZE = 8192;

  static final long REPORT_SECONDS = 10;

  /** slapd's line as a syslog daemon's ISO format writes it: time (UTC), tag, pid, message. */
  static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} %property{SERVICE}[%property{PID}]: %msg%n";

  /** A JSON line carries its own time. */
  static final String JSON_PATTERN = "%msg%n";

  private static final Logger mainLog = LoggerFactory.getLogger(AccessLog.class);

  private final Logger logger;
  private final ch.qos.logback.classic.Logger logbackLogger;
  private final CountingAsyncAppender async;
  private final FileAppender<ILoggingEvent> file;
  private final ScheduledExecutorService reporter;
  private long reported;

  /**
   * @param async the queue in front of the file, or null when the lines join the main log
   * @param file the file behind the queue, or null
   */
  AccessLogOutput(
      ch.qos.logback.classic.Logger logbackLogger,
      CountingAsyncAppender async,
      FileAppender<ILoggingEvent> file) {
    this.logger = LoggerFactory.getLogger(LOGGER);
    this.logbackLogger = logbackLogger;
    this.async = async;
    this.file = file;
    if (async != null) {
      reporter =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "ldap-balancer-access-log");
                t.setDaemon(true);
                return t;
              });
      reporter.scheduleWithFixedDelay(
          this::reportDropped, REPORT_SECONDS, REPORT_SECONDS, TimeUnit.SECONDS);
    } else {
      reporter = null;
    }
  }

  static AccessLogOutput start(LogSettings settings) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger logger = context.getLogger(LOGGER);
    logger.setLevel(Level.INFO);
    if (settings.file().isEmpty()) {
      logger.setAdditive(true);
      return new AccessLogOutput(logger, null, null);
    }
    if (context.getProperty("SERVICE") == null) {
      context.putProperty("SERVICE", "ldap-balancer"); // logback.xml sets it; -n replaces it
    }
    if (context.getProperty("PID") == null) {
      context.putProperty("PID", Long.toString(ProcessHandle.current().pid()));
    }
    Path path = settings.file().get();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(
        settings.format() == LogSettings.Format.JSON ? JSON_PATTERN : TEXT_PATTERN);
    encoder.start();
    FileAppender<ILoggingEvent> file = new FileAppender<>();
    file.setContext(context);
    file.setName("access-file");
    file.setFile(path.toString());
    file.setAppend(true);
    file.setEncoder(encoder);
    file.start();
    if (!file.isStarted()) {
      throw new UncheckedIOException(new IOException("cannot open logfile " + path));
    }
    CountingAsyncAppender async = new CountingAsyncAppender();
    async.setContext(context);
    async.setName("access-async");
    async.setQueueSize(QUEUE_SIZE);
    // Every access line is INFO: dropped only when the queue is full, never earlier.
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.setMaxFlushTime(2000);
    async.addAppender(file);
    async.start();
    logger.addAppender(async);
    logger.setAdditive(false);
    return new AccessLogOutput(logger, async, file);
  }

  void write(String line) {
    logger.info(line);
  }

  long dropped() {
    return async == null ? 0 : async.dropped();
  }

  /** Says in the main log how many lines were dropped since it last said so, if any. */
  synchronized void reportDropped() {
    long total = dropped();
    if (total > reported) {
      mainLog.warn(
          "{} access log lines dropped ({} since start): the log file could not keep up",
          total - reported,
          total);
      reported = total;
    }
  }

  /** Writes out what is queued, says what was dropped, and closes the file. */
  void close() {
    if (reporter != null) {
      reporter.shutdownNow();
    }
    if (async != null) {
      logbackLogger.detachAppender(async);
      async.stop(); // flushes the queue into the file, for at most maxFlushTime
      if (file != null) {
        file.stop();
      }
      reportDropped();
    }
    // Another balancer in the same process (tests) may still write through the logger.
    if (!logbackLogger.iteratorForAppenders().hasNext()) {
      logbackLogger.setLevel(null);
      logbackLogger.setAdditive(true);
    }
  }
}
