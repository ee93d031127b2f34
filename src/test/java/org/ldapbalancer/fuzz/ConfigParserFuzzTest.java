package org.ldapbalancer.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.ConfigException;
import org.ldapbalancer.config.ConfigParser;
import org.ldapbalancer.config.ConfigProblem;

/**
 * Fuzzes {@link ConfigParser} with arbitrary text (the input's bytes as UTF-8, malformed sequences
 * replaced, as an editor would show them). It must return a configuration or throw a {@link
 * ConfigException} whose problems each name a file and a line that exists; nothing else, and never
 * a hang.
 *
 * <p>The text is read as if it were {@code lloadd.conf} in a scratch directory that holds a few
 * files to {@code include}: a valid one, one that includes itself, one that is not UTF-8, and a
 * directory. That keeps the fuzzer's includes inside the scratch directory unless it spells out an
 * absolute path.
 */
class ConfigParserFuzzTest {
  private static final Path SCRATCH = scratchDirectory();
  private static final Path MAIN = SCRATCH.resolve("lloadd.conf");

  @FuzzTest
  @DictionaryEntries({
    "backend-server",
    "uri=ldap://",
    "uri=ldaps://",
    "uri=ldap://[::1]:1389",
    "numconns=",
    "bindconns=",
    "retry=",
    "max-pending-ops=",
    "conn-max-pending=",
    "starttls=",
    "weight=",
    "bindconf",
    "bindmethod=simple",
    "bindmethod=none",
    "binddn=",
    "credentials=",
    "network-timeout=",
    "timeout=",
    "tier",
    "roundrobin",
    "include",
    "servers.conf",
    "loop.conf",
    "not-utf8.conf",
    "a-directory",
    "io-threads",
    "client_max_pending",
    "sockbuf_max_incoming_client",
    "sockbuf_max_incoming_upstream",
    "feature",
    "proxyauthz",
    "disable",
    "pidfile",
    "listen",
    "tls_cacert=",
    "9999999999",
    "2147483648",
    "\\",
    "\""
  })
  void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    int lines = physicalLines(text);
    Object first = parseText(text);
    if (first instanceof BalancerConfig config) {
      // Without servers the file is accepted (as lloadd), but never silently.
      Check.that(
          !config.servers().isEmpty()
              || config.warnings().stream()
                  .anyMatch(w -> w.message().contains("no backend-server configured")),
          () -> "a configuration without servers and without a warning saying so");
      Check.that(config.ioThreads() >= 1, () -> "io-threads " + config.ioThreads());
      Check.that(config.clientMaxPending() >= 0, () -> "negative client_max_pending");
      Check.that(config.maxIncomingClient() >= 1, () -> "sockbuf_max_incoming_client < 1");
      Check.that(config.maxIncomingUpstream() >= 1, () -> "sockbuf_max_incoming_upstream < 1");
      config.warnings().forEach(w -> checkLocated(w, lines));
    } else {
      @SuppressWarnings("unchecked")
      List<ConfigProblem> problems = (List<ConfigProblem>) first;
      Check.that(!problems.isEmpty(), () -> "a ConfigException without problems");
      problems.forEach(p -> checkLocated(p, lines));
    }
  }

  /** The configuration, or the problems of the {@link ConfigException}; nothing else escapes. */
  private static Object parseText(String text) {
    try {
      return ConfigParser.parse(text, MAIN);
    } catch (ConfigException e) {
      String joined =
          e.problems().stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
      Check.equal(e.getMessage(), joined, "exception message");
      return e.problems();
    }
  }

  /** Every problem points at a line of the file it names, and reads as one line of text. */
  private static void checkLocated(ConfigProblem problem, int lines) {
    Check.that(problem.file() != null, () -> "no file: " + problem);
    Check.that(problem.line() >= 1, () -> "no line: " + problem);
    if (problem.file().equals(MAIN)) {
      Check.that(problem.line() <= lines, () -> "line past the end (" + lines + "): " + problem);
    }
    Check.that(!problem.message().isBlank(), () -> "empty message: " + problem);
    Check.that(problem.message().indexOf('\n') < 0, () -> "message over several lines: " + problem);
  }

  /** Lines as an editor counts them: a line feed ends one, a last line may lack it. */
  private static int physicalLines(String text) {
    int lines = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }

  private static Path scratchDirectory() {
    try {
      Path dir = Files.createTempDirectory("config-fuzz");
      Files.writeString(dir.resolve("servers.conf"), "backend-server uri=ldap://a.example:389\n");
      Files.writeString(dir.resolve("loop.conf"), "include loop.conf\n");
      Files.write(dir.resolve("not-utf8.conf"), new byte[] {'i', 'o', (byte) 0xff, '\n'});
      Files.createDirectory(dir.resolve("a-directory"));
      dir.toFile().deleteOnExit();
      for (String name : List.of("servers.conf", "loop.conf", "not-utf8.conf", "a-directory")) {
        dir.resolve(name).toFile().deleteOnExit();
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
