package org.ldapbalancer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.config.LogLevel;

/** {@code loglevel} in the file and {@code -d} on the command line, as {@code -t} checks them. */
class LogLevelOptionTest {
  @TempDir Path dir;

  private record Run(int exit, String err) {}

  private static Run run(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.run(args);
      return new Run(exit, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  private Path config(String... lines) throws Exception {
    return Files.writeString(dir.resolve("lloadd.conf"),
        "backend-server uri=ldap://127.0.0.1:3890\n" + String.join("\n", lines) + "\n");
  }

  @Test
  void aBadLevelInTheFileIsRefusedByCheckModeWithFileAndLine() throws Exception {
    Path file = config("loglevel stats", "loglevel 0xZZ");

    Run r = run("-t", "-f", file.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains(file + ":3: loglevel: unknown level \"0xZZ\"");
  }

  @Test
  void checkModeAcceptsStatsWithALogfile() throws Exception {
    Path file = config("loglevel stats", "logfile " + dir.resolve("access.log"), "logformat json");

    assertThat(run("-t", "-f", file.toString()).exit()).isZero();
  }

  @Test
  void aBadCommandLineLevelIsRefused() throws Exception {
    Path file = config();

    Run r = run("-t", "-d", "statz", "-f", file.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("ldap-balancer: -d: unknown level \"statz\"");
  }

  @Test
  void statsOnTheCommandLineIsTheAccessLogAndNotDebugging() {
    assertThat(Main.commandLineLevel("stats")).isEqualTo(LogLevel.STATS);
    assertThat(Main.commandLineLevel("stats 0x8")).isEqualTo(LogLevel.STATS | LogLevel.CONNS);
    assertThat(Main.commandLineLevel("0")).isZero();
    assertThat(Main.commandLineLevel(null)).isZero();

    Main.debugLogging(LogLevel.STATS | LogLevel.STATS2 | LogLevel.NONE);

    assertThat(((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger("org.ldapbalancer")).getLevel())
        .isNotEqualTo(ch.qos.logback.classic.Level.DEBUG);
  }
}
