package org.ldapbalancer.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads an lloadd.conf file (lloadd.conf(5)) into a {@link BalancerConfig}.
 *
 * <p>Every problem is collected before giving up, so one run lists them all:
 *
 * <pre>{@code
 * try {
 *   BalancerConfig config = ConfigParser.parse(Path.of("/etc/openldap/lloadd.conf"));
 *   config.warnings().forEach(w -> log.warn("{}", w));
 * } catch (ConfigException e) {
 *   e.problems().forEach(p -> System.err.println(p)); // file:line: message
 * }
 * }</pre>
 *
 * <p>Directives lloadd knows but this balancer does not implement yet are accepted with a warning,
 * unless ignoring them would be unsafe or would silently change behaviour (a tier strategy, SASL);
 * those are errors. TLS files are read later, when the contexts are built ({@code
 * org.ldapbalancer.tls.TlsContexts}), and their problems also name file and line. A word lloadd does not know is an error.
 *
 * <p>Thread-safe: each call parses with its own state.
 */
public final class ConfigParser {
  private final Problems problems = new Problems();
  private final BindConfDirective bindConf = new BindConfDirective();
  private final TierList tiers = new TierList();
  private final GlobalDirectives globals = new GlobalDirectives();
  private final TlsDirectives tls = new TlsDirectives();
  private final LogDirectives logging = new LogDirectives();
  private final RestrictionDirectives restrictions = new RestrictionDirectives();
  private final MonitorAccessDirective monitorAccess = new MonitorAccessDirective();

  /** Whether any backend-server line was seen, even one with errors (they are reported). */
  private boolean sawBackendServer;

  /** The files being read, outermost first, to catch an include loop. */
  private final List<OpenFile> open = new ArrayList<>();

  private record OpenFile(Path identity, Path shown) {}

  private ConfigParser() {}

  /**
   * Parses a configuration file; {@code include}d files are resolved against the directory of the
   * file that names them.
   *
   * @throws ConfigException listing every error, each as {@code file:line: message}
   */
  public static BalancerConfig parse(Path file) throws ConfigException {
    ConfigText text;
    try {
      text = read(file);
    } catch (IOException e) {
      throw new ConfigException(
          List.of(new ConfigProblem(file, 0, "cannot read configuration file: " + reason(e))));
    }
    return parse(text, file);
  }

  /**
   * Parses configuration text, as if read from {@code nameForMessages}: messages name that file,
   * and relative {@code include}s are resolved against its directory.
   *
   * @throws ConfigException listing every error, each as {@code file:line: message}
   */
  public static BalancerConfig parse(String text, Path nameForMessages) throws ConfigException {
    return parse(ConfigText.of(text), nameForMessages);
  }

  private static BalancerConfig parse(ConfigText text, Path nameForMessages)
      throws ConfigException {
    ConfigParser parser = new ConfigParser();
    parser.parseText(text, nameForMessages);
    return parser.build(nameForMessages, lastLine(text.text()));
  }

  private void parseText(ConfigText text, Path file) {
    open.add(new OpenFile(identity(file), file));
    for (LogicalLine directive : ConfigTokenizer.split(text, file, problems)) {
      dispatch(directive);
    }
    open.remove(open.size() - 1);
  }

  private void dispatch(LogicalLine directive) {
    switch (directive.keyword()) {
      case "include" -> include(directive);
      case "bindconf" -> bindConf.apply(directive, problems);
      case "tier" -> tiers.startTier(directive, problems);
      case "monitor-access" -> monitorAccess.apply(directive, problems);
      case "backend-server" -> {
        sawBackendServer = true;
        BackendServerDirective.parse(directive, problems).ifPresent(tiers::add);
      }
      default -> {
        if (!globals.apply(directive, problems)
            && !tls.apply(directive, problems)
            && !logging.apply(directive, problems)
            && !restrictions.apply(directive, problems)
            && !UnsupportedDirectives.warnIfKnown(directive, problems)) {
          problems.error(directive, "unknown directive \"" + directive.name() + '"');
        }
      }
    }
  }

  private void include(LogicalLine directive) {
    if (!Arguments.count(directive, 1, 1, problems)) {
      return;
    }
    String name = directive.args().get(0).text();
    Path target;
    try {
      Path parent = directive.file().getParent();
      target = parent == null ? Path.of(name) : parent.resolve(name);
    } catch (InvalidPathException e) {
      problems.error(directive, directive.name() + ": bad path \"" + name + "\": " + e.getReason());
      return;
    }
    Path identity = identity(target);
    if (open.stream().anyMatch(f -> f.identity().equals(identity))) {
      String chain =
          open.stream().map(f -> f.shown().toString()).collect(Collectors.joining(" -> "));
      problems.error(directive, "include loop: " + chain + " -> " + target);
      return;
    }
    ConfigText text;
    try {
      text = read(target);
    } catch (IOException e) {
      problems.error(directive, directive.name() + ": cannot read " + target + ": " + reason(e));
      return;
    }
    parseText(text, target);
  }

  private BalancerConfig build(Path mainFile, int lastLine) throws ConfigException {
    BindConf bind = bindConf.build(problems);
    List<Tier> tierList = tiers.build(problems);
    TlsSettings listenerTls = tls.build(problems);
    if (!sawBackendServer) {
      problems.warn(
          mainFile,
          lastLine,
          "no backend-server configured: every operation will be answered unavailable (52)");
    }
    // On by default (lloadd 2.7), but an anonymous connection cannot assert identities: a file
    // that names neither (lloadd 2.6's, where it was off by default) runs as it did there. The
    // balancer says so at start (Balancer#reportProxiedAuthorization).
    boolean proxyAuthz =
        globals.proxyAuthz() && (globals.proxyAuthzNamed() || bind.method() != BindMethod.NONE);
    if (problems.hasErrors()) {
      throw new ConfigException(problems.errors());
    }
    return BalancerConfig.builder(bind, tierList)
        .ioThreads(globals.ioThreads())
        .clientMaxPending(globals.clientMaxPending())
        .maxIncomingClient(globals.maxIncomingClient())
        .maxIncomingUpstream(globals.maxIncomingUpstream())
        .proxyAuthz(proxyAuthz)
        .pidFile(globals.pidFile())
        .listenUrls(globals.listenUrls())
        .ioTimeout(globals.ioTimeout())
        .warnings(problems.warnings())
        .listenerTls(listenerTls)
        .logging(logging.build())
        .sessionTracking(globals.sessionTracking())
        .restrictions(restrictions.build())
        .healthCheck(globals.healthCheck())
        .idleTimeout(globals.idleTimeout())
        .monitorAccess(monitorAccess.build())
        .verifyCredentials(globals.verifyCredentials())
        .build();
  }

  /** Far above any real file; without a bound, "include /dev/zero" filled the heap. */
  private static final int MAX_FILE_BYTES = 16 << 20;

  /** UTF-8, checked line by line when the directives are split ({@link ConfigText}). */
  private static ConfigText read(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException("is a directory");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new IOException("larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
    }
    return ConfigText.decode(bytes);
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
  }

  /** The same file reached by two names (symbolic links, "a/../b") must count as one. */
  private static Path identity(Path file) {
    try {
      return file.toRealPath();
    } catch (IOException | SecurityException e) {
      return file.toAbsolutePath().normalize();
    }
  }

  /** Where to point a message about the file as a whole: its last line. */
  private static int lastLine(String text) {
    String[] lines = text.split("\r?\n", -1);
    int n = lines.length;
    if (n > 1 && lines[n - 1].isEmpty()) {
      n--;
    }
    return Math.max(1, n);
  }
}
