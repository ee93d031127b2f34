package org.ldapbalancer.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.ConfigProblem;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.LogLevel;
import org.ldapbalancer.log.RateLimitedLog;
import org.ldapbalancer.server.Balancer;
import org.ldapbalancer.tls.TlsContexts;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ldap-balancer}: the command line, shaped as lloadd(8) where the two overlap.
 *
 * <pre>
 * ldap-balancer -f FILE [-h "URL ..."] [-d LEVEL] [-t] [-V] [-n NAME] [-4|-6]
 *               [-s LEVEL] [-l USER] [-o OPTION[=VALUE]]
 * ldap-balancer demo [--port N] [--users N]
 * </pre>
 */
@Command(
    name = "ldap-balancer",
    description = "An LDAPv3 load balancer; reads lloadd.conf.",
    subcommands = {DemoCommand.class, BenchCommand.class},
    usageHelpAutoWidth = true,
    exitCodeOnInvalidInput = 1) // lloadd's exit for a bad option, not picocli's 2
public final class Main implements Callable<Integer> {
  /** The listener when neither -h nor the file names one (as lloadd: every address, port 389). */
  static final String DEFAULT_LISTENER = "ldap:///";

  @Option(names = "-f", paramLabel = "FILE", description = "the configuration file (lloadd.conf)")
  Path configFile;

  @Option(
      names = "-h",
      paramLabel = "URLS",
      description =
          "listener URLs, separated by spaces (default: ldap:///); http://HOST:PORT/ serves"
              + " /metrics, /healthz, /readyz and a status page")
  String listenUrls;

  @Option(
      names = "-d",
      paramLabel = "LEVEL",
      description =
          "log levels as loglevel takes them (names such as stats, conns, trace, or numbers):"
              + " stats adds the access log, any other level debug logging; the process always"
              + " stays in the foreground")
  String debugLevel;

  @Option(names = "-t", description = "check the configuration and exit: 0 when valid")
  boolean checkOnly;

  @Option(
      names = "-V",
      description = "print the version; then exit when given twice (-VV) or alone, as lloadd,"
          + " else carry on (-V -t -f FILE also checks the file)")
  boolean[] version = new boolean[0];

  @Option(names = "-n", paramLabel = "NAME", description = "the service name in log lines")
  String serviceName;

  @Option(names = "-4", description = "listen on IPv4 addresses only")
  boolean ipv4Only;

  @Option(names = "-6", description = "listen on IPv6 addresses only")
  boolean ipv6Only;

  @Option(
      names = "-s",
      paramLabel = "LEVEL",
      description = "lloadd's syslog level: checked, then ignored (the log goes to stderr or the"
          + " logfile, never to syslog)")
  String syslogLevel;

  @Option(
      names = "-S",
      paramLabel = "SEVERITY",
      description = "lloadd's syslog severity (EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO,"
          + " DEBUG): checked, then ignored")
  String syslogSeverity;

  @Option(
      names = "-l",
      paramLabel = "USER",
      description = "lloadd's syslog facility (LOCAL0-LOCAL7, USER, DAEMON): checked, then ignored")
  String syslogUser;

  @Option(
      names = "-o",
      paramLabel = "OPTION[=VALUE]",
      description = "lloadd's generic option; its only one, slp, is accepted and ignored")
  List<String> genericOptions = new ArrayList<>();

  @Option(names = "-u", paramLabel = "USER", description = "refused: use systemd's User=")
  String user;

  @Option(names = "-g", paramLabel = "GROUP", description = "refused: use systemd's Group=")
  String group;

  @Option(
      names = "-r",
      paramLabel = "DIR",
      description = "refused: use systemd's RootDirectory=")
  String rootDirectory;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "on SIGTERM, how long operations in flight may take to finish before they are"
              + " abandoned (default: ${DEFAULT-VALUE}; 0: at once)")
  long shutdownGraceSeconds;

  @Option(names = "--help", usageHelp = true, description = "show this help")
  boolean help;

  public static void main(String[] args) {
    productionBufferSettings();
    int status = run(args);
    flushLogs();
    System.exit(status);
  }

  /**
   * Logging is asynchronous (logback.xml), so the last lines (the shutdown's among them) may still
   * be queued: stopping the context writes them out before the process ends. Logback's shutdown
   * hook does the same on any other way out. Counts of suppressed lines are written first.
   */
  static void flushLogs() {
    RateLimitedLog.DEFAULT.flush();
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext c) {
      c.stop();
    }
  }

  /**
   * Netty's leak detection samples one buffer in 128 and records a stack trace for it: in a
   * profile of forwarded searches that was half of all heap allocated per operation, on every
   * operation, forever. The tests run with it on (and at paranoid level where it matters); the
   * shipped process turns it off unless {@code -Dio.netty.leakDetection.level} says otherwise.
   */
  static void productionBufferSettings() {
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  static int run(String... args) {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setExecutionExceptionHandler(
        (e, c, parsed) -> {
          c.getErr().println("ldap-balancer: " + e.getMessage());
          return 1;
        });
    return cmd.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    if (version.length > 0) {
      System.out.println("ldap-balancer " + versionString());
      if (version.length > 1 || configFile == null) {
        return 0;
      }
    }
    if ("?".equals(debugLevel) || "?".equals(syslogLevel)) {
      // As lloadd: list the levels and exit.
      System.out.print(LogLevel.describe());
      return 0;
    }
    String refused = refusedOption();
    if (refused != null) {
      err.println("ldap-balancer: " + refused);
      return 1;
    }
    List<String> optionWarnings;
    try {
      optionWarnings = ignoredOptions();
    } catch (IllegalArgumentException e) {
      err.println("ldap-balancer: " + e.getMessage());
      return 1;
    }
    if (configFile == null) {
      err.println("ldap-balancer: no configuration file; give one with -f (see --help)");
      return 1;
    }
    int commandLineLevel;
    try {
      commandLineLevel = commandLineLevel(debugLevel);
    } catch (IllegalArgumentException e) {
      err.println("ldap-balancer: -d: " + e.getMessage());
      return 1;
    }
    CheckedConfig checked = CheckedConfig.check(configFile, this::listeners);
    if (!checked.isValid()) {
      checked.problems().forEach(err::println);
      return 1;
    }
    BalancerConfig config = checked.config();
    if (commandLineLevel != 0) {
      config = config.withLogging(config.logging().withLevel(commandLineLevel));
    }
    debugLogging(config.logging().level());
    for (ConfigProblem warning : config.warnings()) {
      err.println(warning + " (warning)");
    }
    optionWarnings.forEach(w -> err.println("ldap-balancer: " + w + " (warning)"));
    List<LdapUrl> urls = checked.listeners();
    for (LdapUrl url : urls) {
      if (addressFamily().acceptsBothFamilies(url)) {
        err.println("ldap-balancer: -6: " + url + " also accepts IPv4 clients (the JVM opens the"
            + " wildcard address dual-stack); name an IPv6 address, or set the sysctl"
            + " net.ipv6.bindv6only=1 (warning)");
      }
    }
    TlsContexts tls = checked.tls();
    if (shutdownGraceSeconds < 0) {
      err.println("ldap-balancer: --shutdown-grace: a number of seconds, 0 or more");
      return 1;
    }
    if (checkOnly) {
      System.out.println(configFile + ": configuration is valid");
      return 0;
    }
    if (serviceName != null) {
      ((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory())
          .putProperty("SERVICE", serviceName);
    }
    Balancer balancer;
    try {
      balancer = Balancer.start(config, urls, tls);
    } catch (IOException e) {
      err.println("ldap-balancer: " + e.getMessage());
      return 1;
    }
    Path pidFile = config.pidFile().orElse(null);
    if (pidFile != null) {
      try {
        writePidFile(pidFile);
      } catch (IOException e) {
        // -t checked the directory; it may have changed since. Do not serve without the file.
        err.println("ldap-balancer: cannot write pidfile " + pidFile + ": " + e);
        balancer.close();
        return 1;
      }
    }
    Reload reload = new Reload(configFile, this::listeners, urls, balancer);
    reload.install();
    Shutdown shutdown = Shutdown.install(balancer::hurry);
    shutdown.await();
    balancer.drain(Duration.ofSeconds(shutdownGraceSeconds));
    balancer.close();
    if (pidFile != null) {
      Files.deleteIfExists(pidFile);
    }
    return 0;
  }

  /** The listeners to open; what start-up could not open is refused here, {@code -t} or not. */
  private List<LdapUrl> listeners(BalancerConfig config) {
    List<String> texts = new ArrayList<>();
    if (listenUrls != null) {
      if (listenUrls.isBlank()) {
        throw new IllegalArgumentException("no URL given");
      }
      for (String url : listenUrls.trim().split("\\s+")) {
        texts.add(url);
      }
    } else if (!config.listenUrls().isEmpty()) {
      texts.addAll(config.listenUrls()); // checked by the parser, with file and line
    } else {
      texts.add(DEFAULT_LISTENER);
    }
    List<LdapUrl> urls = new ArrayList<>();
    for (String text : texts) {
      // -4 and -6 decide the address first: two names for one address are one listener.
      LdapUrl url = addressFamily().restrict(LdapUrl.parseListener(text));
      if (urls.contains(url)) {
        throw new IllegalArgumentException(text + " names the same address as an earlier URL");
      }
      urls.add(url);
    }
    return urls;
  }

  private AddressFamily addressFamily() {
    return ipv4Only ? AddressFamily.IPV4 : ipv6Only ? AddressFamily.IPV6 : AddressFamily.ANY;
  }

  /**
   * lloadd's {@code -u}, {@code -g} and {@code -r} change the process's user, group and root
   * directory after opening the listeners. A JVM cannot do that (no setuid, no chroot); running as
   * root instead of failing would be the worst reading of the command line.
   *
   * @return why the command line is refused, or null
   */
  String refusedOption() {
    if (user != null || group != null) {
      return (user != null ? "-u" : "-g") + ": the JVM cannot change its user or group once"
          + " started; start it as that user instead: User= and Group= in the systemd unit"
          + " (AmbientCapabilities=CAP_NET_BIND_SERVICE to listen on port 389), or runuser/setpriv";
    }
    if (rootDirectory != null) {
      return "-r: the JVM cannot change its root directory (chroot); use RootDirectory= (or"
          + " ProtectSystem=strict, ReadOnlyPaths=) in the systemd unit, or a container";
    }
    if (ipv4Only && ipv6Only) {
      return "-4 and -6 exclude each other";
    }
    return null;
  }

  /**
   * Checks lloadd's options that change nothing here, as lloadd would check them, and says why
   * each is ignored.
   *
   * @return one warning per option given
   * @throws IllegalArgumentException for a value lloadd would refuse
   */
  List<String> ignoredOptions() {
    List<String> warnings = new ArrayList<>();
    if (syslogLevel != null) {
      try {
        LogLevel.parse(List.of(syslogLevel));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("-s: " + e.getMessage());
      }
      warnings.add("-s " + syslogLevel + ": ignored; nothing is logged to syslog, the log goes"
          + " to standard error (or the logfile); use -d or loglevel for its levels");
    }
    if (syslogSeverity != null) {
      if (!SYSLOG_SEVERITIES.contains(syslogSeverity.toUpperCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("-S: unknown syslog level \"" + syslogSeverity
            + "\" (expected EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO or DEBUG)");
      }
      warnings.add("-S " + syslogSeverity + ": ignored; nothing is logged to syslog, the log goes"
          + " to standard error (or the logfile)");
    }
    if (syslogUser != null) {
      if (!SYSLOG_USERS.contains(syslogUser.toUpperCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException(
            "-l: unrecognized syslog user \"" + syslogUser
                + "\" (expected LOCAL0 to LOCAL7, USER or DAEMON)");
      }
      warnings.add("-l " + syslogUser + ": ignored; nothing is logged to syslog, the log goes to"
          + " standard error (journald under systemd: SyslogFacility= in the unit)");
    }
    for (String option : genericOptions) {
      int eq = option.indexOf('=');
      String name = eq < 0 ? option : option.substring(0, eq);
      if (!name.equalsIgnoreCase("slp")) {
        throw new IllegalArgumentException(
            "-o: unknown option \"" + name + "\" (lloadd knows only slp)");
      }
      warnings.add("-o " + option + ": ignored; SLP registration is not supported");
    }
    return warnings;
  }

  /** lloadd's {@code -S} values (its parse_syslog_level). */
  private static final java.util.Set<String> SYSLOG_SEVERITIES =
      java.util.Set.of("EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG");

  private static final java.util.Set<String> SYSLOG_USERS =
      java.util.Set.of(
          "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7", "USER",
          "DAEMON");

  /**
   * Reads {@code -d}: as lloadd, the levels of {@code loglevel} (slapd.conf(5)), added to the
   * file's.
   *
   * @return the levels given, 0 for none
   * @throws IllegalArgumentException for a word that is not a level
   */
  static int commandLineLevel(String level) {
    return level == null ? 0 : LogLevel.parse(List.of(level));
  }

  /**
   * {@code stats} and {@code stats2} are the access log; any other level but {@code none} turns
   * on the main log's DEBUG lines, which is what those levels ask slapd for.
   */
  static void debugLogging(int level) {
    if ((level & ~(LogLevel.STATS | LogLevel.STATS2 | LogLevel.NONE)) != 0) {
      Logger logger = (Logger) LoggerFactory.getLogger("org.ldapbalancer");
      logger.setLevel(Level.DEBUG);
    }
  }

  static String versionString() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "(development build)" : v;
  }

  /**
   * Writes the process ID whole or not at all: into a file beside it, then renamed over it, so a
   * reader (systemd's {@code PIDFile=}, {@code kill $(cat ...)}) never sees it empty or partly
   * written.
   */
  private static void writePidFile(Path pidFile) throws IOException {
    Path dir = pidFile.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + pidFile.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
      // A temporary file is private (0600); a pid file is for every reader.
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(
          tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
