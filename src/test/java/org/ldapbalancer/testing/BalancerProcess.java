package org.ldapbalancer.testing;

import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The packaged balancer (the jar the build made, {@code LDAP_BALANCER_JAR}) as a process of its
 * own in front of real servers, for fault tests that look at what the process holds (open files,
 * threads), signal it, or give it an open-file limit. An in-process {@link RunningBalancer} shares
 * those with the test JVM.
 *
 * <pre>{@code
 * try (BalancerProcess lb = BalancerProcess.builder(dir).servers(slapds.urls()).start()) {
 *   long files = lb.openFiles();
 * }
 * }</pre>
 *
 * <p>The configuration: {@code bindconf} as {@link DirectoryData#BALANCER_DN}, every server in one
 * round-robin tier with {@code numconns=2 bindconns=1 retry=200}. Not thread-safe.
 */
public final class BalancerProcess implements AutoCloseable {
  private static final Duration START_DEADLINE = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final int proxyProtocolPort;
  private final Path logFile;
  private final Path configFile;

  private BalancerProcess(
      Process process, int port, int proxyProtocolPort, Path logFile, Path configFile) {
    this.process = process;
    this.port = port;
    this.proxyProtocolPort = proxyProtocolPort;
    this.logFile = logFile;
    this.configFile = configFile;
  }

  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  public long pid() {
    return process.pid();
  }

  public int port() {
    return port;
  }

  public String url() {
    return "ldap://127.0.0.1:" + port;
  }

  /** The port of the {@code pldap://} listener; see {@link Builder#proxyProtocolListener()}. */
  public int proxyProtocolPort() {
    if (proxyProtocolPort == 0) {
      throw new IllegalStateException("started without a pldap:// listener");
    }
    return proxyProtocolPort;
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** Descriptors the process has open ({@code /proc/PID/fd}). */
  public int openFiles() {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
      return (int) fds.count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the balancer's descriptors", e);
    }
  }

  /** Threads of the process ({@code Threads:} of {@code /proc/PID/status}). */
  public int threads() {
    return (int) statusField("Threads:");
  }

  /** Resident memory in KiB ({@code VmRSS:} of {@code /proc/PID/status}). */
  public long residentKib() {
    return statusField("VmRSS:");
  }

  private long statusField(String name) {
    Path status = Path.of("/proc", Long.toString(pid()), "status");
    try {
      return Files.readAllLines(status).stream()
          .filter(line -> line.startsWith(name))
          .mapToLong(line -> Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no " + name + " in " + status));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + status, e);
    }
  }

  /** Established connections from the balancer to a server port, as the kernel sees them. */
  public static int connectionsTo(int serverPort) {
    return SocketQueues.establishedTo(serverPort);
  }

  /** Clients the balancer holds now, as the kernel sees them. */
  public int clients() {
    return SocketQueues.establishedAt(port);
  }

  /** Everything the process has logged so far, for failure messages. */
  public String log() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  /** SIGTERM: the balancer's orderly shutdown. */
  public void sigterm() {
    process.destroy();
  }

  /** Sends a signal by name ({@code HUP}, {@code TERM}, {@code INT}). */
  public void signal(String name) {
    ProcessSignals.send(name, pid());
  }

  /** The configuration file the process was started with, to be rewritten before a SIGHUP. */
  public Path configFile() {
    return configFile;
  }

  /**
   * The configuration {@link Builder#start()} writes for these servers: {@code bindconf} as the
   * balancer's account with {@code timeout} seconds, one round-robin tier.
   */
  public static String configFor(int timeoutSeconds, List<String> servers) {
    StringBuilder conf = new StringBuilder()
        .append("bindconf bindmethod=simple binddn=\"").append(DirectoryData.BALANCER_DN)
        .append("\" credentials=").append(DirectoryData.BALANCER_PASSWORD)
        .append(" network-timeout=5 timeout=").append(timeoutSeconds).append('\n')
        .append("tier roundrobin\n");
    for (String url : servers) {
      conf.append("backend-server uri=").append(url)
          .append(" numconns=2 bindconns=1 retry=200\n");
    }
    return conf.toString();
  }

  /** Waits until the log has a line containing {@code text}. */
  public void awaitLog(String text, Duration deadline) {
    await("the balancer logging '" + text + "'")
        .atMost(deadline)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> log().contains(text));
  }

  /** Waits for the process to exit; its exit status, or -1 if it is still running then. */
  public int awaitExit(Duration deadline) throws InterruptedException {
    return process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** True once a search through the balancer succeeds. */
  public boolean answers() {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis(1000);
    options.setResponseTimeoutMillis(1000);
    try (LDAPConnection c = new LDAPConnection(options, "127.0.0.1", port)) {
      return c.search(DirectoryData.userDn(0), SearchScope.BASE, "(objectClass=*)", "1.1")
          .getEntryCount() == 1;
    } catch (LDAPException notYet) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Options; {@link #start()} writes the configuration, starts the jar and waits for it. */
  public static final class Builder {
    private final Path dir;
    private final List<String> servers = new ArrayList<>();
    private int timeoutSeconds = 5;
    private int openFileLimit;
    private boolean proxyProtocolListener;
    private final List<String> extraLines = new ArrayList<>();
    private int port;
    private final List<String> arguments = new ArrayList<>();

    private Builder(Path dir) {
      this.dir = dir;
    }

    public Builder servers(String... urls) {
      servers.addAll(List.of(urls));
      return this;
    }

    /** {@code bindconf timeout}: an operation's time limit upstream; default 5 s. */
    public Builder timeoutSeconds(int seconds) {
      this.timeoutSeconds = seconds;
      return this;
    }

    /** Starts the process with this open-file limit ({@code ulimit -n}); 0 leaves it as is. */
    public Builder openFileLimit(int limit) {
      this.openFileLimit = limit;
      return this;
    }

    /** Adds lines to the configuration file, after the generated ones. */
    public Builder configLines(String... lines) {
      extraLines.addAll(List.of(lines));
      return this;
    }

    /** A {@code pldap://127.0.0.1} listener on a port of its own, besides the plain one. */
    public Builder proxyProtocolListener() {
      this.proxyProtocolListener = true;
      return this;
    }

    /** A line added to the configuration file, e.g. {@code feature session-tracking}. */
    public Builder configLine(String line) {
      extraLines.add(line);
      return this;
    }

    /** Listens on this port rather than a free one (a second process beside the first). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** More command-line arguments ({@code --shutdown-grace 60}). */
    public Builder arguments(String... more) {
      arguments.addAll(List.of(more));
      return this;
    }

    public BalancerProcess start() throws IOException {
      String jar = System.getenv("LDAP_BALANCER_JAR");
      if (jar == null || !Files.isRegularFile(Path.of(jar))) {
        throw new IllegalStateException(
            "LDAP_BALANCER_JAR (set by the build for integration tests) names no jar: " + jar);
      }
      Path file = dir.resolve("lloadd.conf");
      StringBuilder conf = new StringBuilder(configFor(timeoutSeconds, servers));
      extraLines.forEach(l -> conf.append(l).append('\n'));
      Files.writeString(file, conf);
      int port = this.port != 0 ? this.port : freePort();
      int proxyPort = proxyProtocolListener ? freePort() : 0;
      String listeners =
          "ldap://127.0.0.1:" + port + (proxyPort > 0 ? " pldap://127.0.0.1:" + proxyPort : "");
      List<String> command = new ArrayList<>();
      if (openFileLimit > 0) {
        // bash execs java, so the process (and its pid) is the JVM itself.
        command.addAll(List.of("bash", "-c", "ulimit -n " + openFileLimit + " && exec \"$@\"",
            "bash"));
      }
      // As bin/ldap-balancer: SIGHUP at its default even when the build runs under nohup.
      command.addAll(List.of("env", "--default-signal=HUP"));
      command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:+UseSerialGC", "-Xms64m", "-jar", jar, "-f", file.toString(),
          "-h", listeners));
      command.addAll(arguments);
      Path log = dir.resolve("balancer.log");
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .start();
      BalancerProcess balancer = new BalancerProcess(process, port, proxyPort, log, file);
      try {
        // Its own log line too: with SO_REUSEPORT another process may answer on the same port.
        await("the balancer answering on " + balancer.url())
            .atMost(START_DEADLINE)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> !process.isAlive()
                || (balancer.log().contains("listening on ") && balancer.answers()));
      } catch (ConditionTimeoutException e) {
        balancer.close();
        throw new IllegalStateException("the balancer did not answer:\n" + balancer.log(), e);
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("the balancer exited at start:\n" + balancer.log());
      }
      return balancer;
    }

    private static int freePort() {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("no free loopback port", e);
      }
    }
  }
}
