package org.ldapbalancer.monitor.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.config.LogLevel;
import org.ldapbalancer.config.LogSettings;
import org.slf4j.LoggerFactory;

class AccessLogOutputTest {
  @TempDir Path dir;

  @Test
  void withoutStatsTheAccessLogIsOffAndGivesConnectionsNoLog() {
    AccessLog log = AccessLog.start(new LogSettings(LogLevel.CONNS, Optional.empty(),
        LogSettings.Format.SLAPD));

    assertThat(log.isOn()).isFalse();
    assertThat(log.connected(new io.netty.channel.embedded.EmbeddedChannel())).isNull();
  }

  @Test
  void textLinesGoToTheLogfileWithTimeServiceAndPid() throws Exception {
    Path file = dir.resolve("access.log");
    AccessLog log = AccessLog.start(new LogSettings(LogLevel.STATS, Optional.of(file),
        LogSettings.Format.SLAPD));
    try {
      log.write("conn=1000 op=0 UNBIND");
      log.write("conn=1000 fd=3 closed");
    } finally {
      log.close(); // writes out the queue
    }

    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
        .hasSize(2)
        .allMatch(l -> l.matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\S+\\["
                + ProcessHandle.current().pid() + "\\]: conn=1000 .*"))
        .anyMatch(l -> l.endsWith(": conn=1000 op=0 UNBIND"));
    assertThat(log.dropped()).isZero();
  }

  @Test
  void jsonLinesAreWrittenAsTheyAre() throws Exception {
    Path file = dir.resolve("access.json");
    AccessLog log = AccessLog.start(new LogSettings(LogLevel.STATS | LogLevel.STATS2,
        Optional.of(file), LogSettings.Format.JSON));
    try {
      log.write("{\"conn\":1000}");
    } finally {
      log.close();
    }

    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).containsExactly("{\"conn\":1000}");
    assertThat(log.entries()).isTrue();
    assertThat(log.json()).isTrue();
  }

  @Test
  void afterCloseTheAccessLoggerNoLongerWritesToTheFile() throws Exception {
    Path file = dir.resolve("closed.log");
    AccessLog log = AccessLog.start(new LogSettings(LogLevel.STATS, Optional.of(file),
        LogSettings.Format.JSON));
    log.close();

    LoggerFactory.getLogger(AccessLogOutput.LOGGER).info("{\"late\":true}");

    assertThat(Files.readString(file)).isEmpty();
  }

  @Test
  void aLogfileThatCannotBeOpenedIsAnError() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("plain"), "x");

    assertThatExceptionOfType(UncheckedIOException.class)
        .isThrownBy(() -> AccessLog.start(new LogSettings(LogLevel.STATS,
            Optional.of(notADirectory.resolve("access.log")), LogSettings.Format.SLAPD)))
        .withMessageContaining("cannot open logfile");
  }
}
