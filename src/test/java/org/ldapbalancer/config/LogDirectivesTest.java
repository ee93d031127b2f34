package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.ldapbalancer.config.ConfigFixture.SERVER;
import static org.ldapbalancer.config.ConfigFixture.errors;
import static org.ldapbalancer.config.ConfigFixture.parse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogDirectivesTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "stats, 256",
    "Stats, 256",
    "STATS2, 512",
    "256, 256",
    "0x100, 256",
    "0X300, 768",
    "-1, -1",
    "any, -1",
    "none, 32768",
    "0, 0",
    "conns, 8",
    "trace, 1",
    "sync, 16384"
  })
  void aLevelIsANameOrANumber(String word, int mask) throws Exception {
    assertThat(parse(SERVER, "loglevel " + word).logging().level()).isEqualTo(mask);
  }

  @Test
  void severalLevelsAddUpOnOneLineAndAcrossLines() throws Exception {
    LogSettings settings =
        parse(SERVER, "loglevel stats conns", "loglevel \"0x20 acl\"").logging();

    assertThat(settings.level()).isEqualTo(256 | 8 | 32 | 128);
    assertThat(settings.accessLog()).isTrue();
  }

  @Test
  void anExplicitZeroClearsTheLevelsNamedBeforeItButNoneDoesNot() throws Exception {
    // slapd's config_logging, which lloadd links: "Explicitly setting a zero clears all the levels".
    assertThat(parse(SERVER, "loglevel stats conns", "loglevel 0").logging().level()).isZero();
    assertThat(parse(SERVER, "loglevel stats", "loglevel conns 0x0 acl").logging().level())
        .isEqualTo(LogLevel.ACL);
    assertThat(parse(SERVER, "loglevel stats", "loglevel none").logging().level())
        .isEqualTo(LogLevel.STATS | LogLevel.NONE);
  }

  @Test
  void withoutLoglevelThereIsNoAccessLog() throws Exception {
    LogSettings settings = parse(SERVER).logging();

    assertThat(settings).isEqualTo(LogSettings.DEFAULT);
    assertThat(settings.accessLog()).isFalse();
  }

  @Test
  void anUnknownLevelIsAnErrorNamingFileAndLine() {
    assertThat(errors(SERVER, "loglevel stats statz"))
        .singleElement()
        .asString()
        .startsWith("lloadd.conf:2: loglevel: unknown level \"statz\" (expected a number");
  }

  @Test
  void loglevelNeedsAnArgument() {
    assertThat(errors(SERVER, "loglevel"))
        .containsExactly("lloadd.conf:2: loglevel: missing argument");
  }

  @Test
  void logfileAndLogformatAreTaken() throws Exception {
    Path file = dir.resolve("access.log");

    LogSettings settings =
        parse(SERVER, "loglevel stats", "logfile " + file, "logformat json").logging();

    assertThat(settings.file()).contains(file);
    assertThat(settings.format()).isEqualTo(LogSettings.Format.JSON);
    assertThat(parse(SERVER, "logformat slapd").logging().format())
        .isEqualTo(LogSettings.Format.SLAPD);
  }

  @Test
  void anUnknownFormatIsAnError() {
    assertThat(errors(SERVER, "logformat xml"))
        .containsExactly(
            "lloadd.conf:2: logformat: unknown format \"xml\" (expected slapd or json)");
  }

  @Test
  void aLogfileInAMissingDirectoryIsAnError() {
    Path file = dir.resolve("no/such/dir/access.log");

    assertThat(errors(SERVER, "logfile " + file))
        .containsExactly(
            "lloadd.conf:2: logfile: no directory " + file.getParent() + " for " + file);
  }

  @Test
  void aLogfileThatIsADirectoryIsAnError() throws Exception {
    Files.createDirectories(dir.resolve("d"));

    assertThat(errors(SERVER, "logfile " + dir.resolve("d")))
        .containsExactly("lloadd.conf:2: logfile: " + dir.resolve("d") + " is a directory");
  }

  @Test
  void theCommandLineFormTakesSeveralWordsAndRejectsUnknownOnes() {
    assertThat(LogLevel.parse(List.of("stats conns"))).isEqualTo(264);
    assertThat(LogLevel.parse(List.of("stats,0x8"))).isEqualTo(264);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LogLevel.parse(List.of("bogus")))
        .withMessageStartingWith("unknown level \"bogus\"");
  }
}
