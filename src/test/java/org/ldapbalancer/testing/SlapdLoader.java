package org.ldapbalancer.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Loads an instance's LDIF with {@code slapadd} before slapd first starts: it writes the mdb
 * database directly, far faster than {@code ldapadd} through a running server.
 */
final class SlapdLoader {

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private SlapdLoader() {}

  static void load(Path slapadd, Path configFile, Path ldif, Path instanceDir)
      throws IOException {
    Path output = instanceDir.resolve("slapadd.log");
    // -q skips checks slapd would make on a running server; the generated LDIF is known good.
    List<String> command =
        List.of(slapadd.toString(), "-f", configFile.toString(), "-l", ldif.toString(), "-q");
    Process process =
        new ProcessBuilder(command)
            .directory(instanceDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(output.toFile()))
            .start();
    try {
      if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("slapadd did not finish: " + String.join(" ", command));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for slapadd", e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "slapadd failed with status "
              + process.exitValue()
              + "\ncommand: "
              + String.join(" ", command)
              + "\noutput:\n"
              + Files.readString(output));
    }
  }
}
