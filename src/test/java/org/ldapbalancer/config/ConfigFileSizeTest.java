package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration file, or a file it includes, that never ends or is absurdly large is an error on
 * its line, not an OutOfMemoryError: {@code include /dev/zero} used to fill the heap.
 */
class ConfigFileSizeTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private static List<String> errors(ThrowingParse parse) {
    return assertTimeoutPreemptively(
        LIMIT,
        () ->
            catchThrowableOfType(ConfigException.class, parse::parse).problems().stream()
                .map(ConfigProblem::toString)
                .toList());
  }

  private interface ThrowingParse {
    void parse() throws ConfigException;
  }

  @Test
  void includingAnEndlessDeviceIsAnErrorOnItsLine() {
    Path zero = Path.of("/dev/zero");
    assertThat(Files.isReadable(zero)).as("/dev/zero (Linux)").isTrue();
    Path main = dir.resolve("lloadd.conf");

    List<String> errors =
        errors(
            () ->
                ConfigParser.parse(
                    "backend-server uri=ldap://a.example\ninclude /dev/zero\n", main));

    assertThat(errors)
        .containsExactly(main + ":2: include: cannot read /dev/zero: larger than 16 MiB");
  }

  @Test
  void anEndlessMainFileIsAnError() {
    Path zero = Path.of("/dev/zero");
    assertThat(Files.isReadable(zero)).as("/dev/zero (Linux)").isTrue();

    assertThat(errors(() -> ConfigParser.parse(zero)))
        .containsExactly("/dev/zero:0: cannot read configuration file: larger than 16 MiB");
  }

  @Test
  void aFileJustOverTheLimitIsRefusedAndOneAtTheLimitIsRead() throws IOException {
    Path big = dir.resolve("big.conf");
    try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength((16 << 20) + 1); // zero bytes: NUL is not a directive, but it is UTF-8
    }
    Path main = dir.resolve("lloadd.conf");
    Files.writeString(main, "backend-server uri=ldap://a.example\ninclude big.conf\n");

    assertThat(errors(() -> ConfigParser.parse(main)))
        .containsExactly(main + ":2: include: cannot read " + big + ": larger than 16 MiB");

    try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(16 << 20);
    }
    assertThat(errors(() -> ConfigParser.parse(main))).noneMatch(e -> e.contains("larger than"));
  }
}
