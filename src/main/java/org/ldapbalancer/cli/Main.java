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
 * ldap-balancer -f FILE [-h "URL ..."] [-d LEVEL] [-t] [-V] [-n NAME]
 * ldap-balancer demo [--port N] [--users N]
 * </pre>
 */
@Command(
    name = "ldap-balancer",
    description = "An LDAPv3 load balancer; reads lloadd.conf.",
    subcommands = {DemoCommand.class, BenchCommand.class},
    usageHelpAutoWidth = true)
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

  @Option(names = "-V", description = "print the version and exit")
  boolean version;

  @Option(names = "-n", paramLabel = "NAME", description = "the service name in log lines")
  String serviceName;

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
    if (version) {
      System.out.println("ldap-balancer " + versionString());
      return 0;
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
    List<LdapUrl> urls = checked.listeners();
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
      LdapUrl url = LdapUrl.parseListener(text);
      if (urls.contains(url)) {
        throw new IllegalArgumentException(text + " names the same address as an earlier URL");
      }
      urls.add(url);
    }
    return urls;
  }

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
