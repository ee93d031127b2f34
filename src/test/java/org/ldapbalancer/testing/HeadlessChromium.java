package org.ldapbalancer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, for tests of pages served by the balancer: loads a page, lets its
 * scripts run for a bounded (virtual) time, and returns the DOM as it then stands.
 */
public final class HeadlessChromium {
  static final String INSTALL_HINT = "apt-get install --no-install-recommends chromium";

  private HeadlessChromium() {}

  /**
   * The page's DOM after {@code scriptMillis} of virtual time, within {@code deadline} of real
   * time.
   *
   * @throws IllegalStateException if Chromium is not installed (never a skip: a page test that
   *     cannot run must fail the build), fails, or overruns the deadline
   */
  public static String dumpDom(String url, long scriptMillis, Duration deadline) {
    Path chromium =
        Executables.find("chromium")
            .or(() -> Executables.find("chromium-browser"))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "chromium not installed (needed to test the status page): "
                            + INSTALL_HINT));
    Path dir = null;
    try {
      dir = Files.createTempDirectory("chromium-");
      Path out = dir.resolve("dom.html");
      Path err = dir.resolve("stderr.txt");
      Process p =
          new ProcessBuilder(
                  List.of(
                      chromium.toString(),
                      "--headless",
                      "--no-sandbox",
                      "--disable-gpu",
                      "--disable-dev-shm-usage",
                      "--no-first-run",
                      "--user-data-dir=" + dir.resolve("profile"),
                      "--virtual-time-budget=" + scriptMillis,
                      "--dump-dom",
                      url))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException("chromium did not finish within " + deadline);
      }
      String dom = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0 || dom.isBlank()) {
        throw new IllegalStateException(
            "chromium exited " + p.exitValue() + ": "
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return dom;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run chromium", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while chromium ran", e);
    } finally {
      if (dir != null) {
        deleteRecursively(dir);
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A profile directory left in /tmp is not worth failing a test for.
    }
  }
}
