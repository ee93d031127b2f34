package org.ldapbalancer.testing;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One real OpenLDAP {@code slapd} on a loopback port, in its own temporary directory, for
 * integration tests that need a server that is not ours.
 *
 * <p>slapd runs in the foreground as a child of the test JVM, so {@link #close()} (or, as a
 * backstop, JVM shutdown) ends it. The data are loaded with {@code slapadd} before the first
 * start; see {@link DirectoryData} for the entries, names and passwords and {@link
 * SlapdConfigFile} for the access rules.
 *
 * <pre>{@code
 * try (SlapdServer slapd = SlapdServer.builder().users(10).start()) {
 *   LdapTool.at(slapd.url()).search("-b", DirectoryData.SUFFIX, "(uid=user.1)");
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one test drives one instance. Separate instances are independent and may
 * be started concurrently.
 */
public final class SlapdServer implements AutoCloseable {

  private static final Duration STARTUP_DEADLINE = Duration.ofSeconds(20);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(10);
  private static final String LOOPBACK = "127.0.0.1";

  /** A free port can be taken by someone else before slapd binds it; a few tries cover that. */
  private static final int PORT_ATTEMPTS = 3;

  private final Path slapd;
  private final Path instanceDir;
  private final Path configFile;
  private final Path logFile;
  private final Thread shutdownHook;
  private int port;
  // Volatile only for the shutdown hook, which runs on another thread.
  private volatile Process process;
  private boolean paused;
  private boolean closed;
  /** Whether slapd also listens on a Unix domain socket in its instance directory. */
  private final boolean ldapi;

  private SlapdServer(Path slapd, Path instanceDir, Path configFile, boolean ldapi) {
    this.ldapi = ldapi;
    this.slapd = slapd;
    this.instanceDir = instanceDir;
    this.configFile = configFile;
    this.logFile = instanceDir.resolve("slapd.log");
    // Tests that forget close(), or a JVM ended by a failing assertion elsewhere, must not
    // leave slapd processes behind holding ports.
    this.shutdownHook = new Thread(this::destroyQuietly, "slapd-" + instanceDir.getFileName());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts an instance with the default data (100 users). */
  public static SlapdServer start() {
    return builder().start();
  }

  public int port() {
    return port;
  }

  /**
   * {@code ldapi://...}, the Unix domain socket slapd also listens on when built with {@link
   * Builder#ldapi()}.
   */
  public String ldapiUrl() {
    if (!ldapi) {
      throw new IllegalStateException("started without ldapi://");
    }
    return "ldapi://"
        + URLEncoder.encode(instanceDir.resolve("ldapi").toString(), StandardCharsets.UTF_8);
  }

  /** {@code ldap://127.0.0.1:PORT}, the form lloadd's {@code uri} and the ldap* tools take. */
  public String url() {
    return "ldap://" + LOOPBACK + ":" + port;
  }

  public String host() {
    return LOOPBACK;
  }

  /** slapd's process id, while it runs. */
  public long pid() {
    return requireProcess().pid();
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Bytes slapd has read with read system calls ({@code rchar} in {@code /proc/PID/io}): its
   * database is memory-mapped, so this grows with the requests it receives. Lets a test wait
   * until load is really reaching this server.
   */
  public long bytesRead() {
    Path io = Path.of("/proc", String.valueOf(pid()), "io");
    try {
      return Files.readAllLines(io).stream()
          .filter(line -> line.startsWith("rchar:"))
          .mapToLong(line -> Long.parseLong(line.substring("rchar:".length()).trim()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no rchar in " + io));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + io, e);
    }
  }

  /** What slapd has written to stdout and stderr so far, for failure messages. */
  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  /** Graceful stop: SIGTERM, then wait for slapd to exit (SIGKILL after 10 s). */
  public void stop() {
    if (!isRunning()) {
      return;
    }
    if (paused) {
      resume(); // A stopped process would hold SIGTERM pending forever.
    }
    process.destroy();
    if (!awaitExit(STOP_DEADLINE)) {
      kill();
    }
  }

  /** Abrupt death: SIGKILL, as a crash or the OOM killer would; waits until it is gone. */
  public void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    if (!awaitExit(STOP_DEADLINE)) {
      throw new IllegalStateException("slapd " + process.pid() + " survived SIGKILL");
    }
    paused = false;
  }

  /**
   * SIGSTOP: slapd keeps its socket, the kernel keeps accepting connections into the backlog,
   * but nothing answers — the "hung server" case.
   */
  public void pause() {
    ProcessSignals.stop(pid());
    paused = true;
  }

  /** SIGCONT after {@link #pause()}; requests queued meanwhile are then answered. */
  public void resume() {
    ProcessSignals.resume(pid());
    paused = false;
  }

  /** Stops slapd if it runs and starts it again on the same port with the same data. */
  public void restart() {
    requireOpen();
    stop();
    launch();
  }

  /** Stops slapd and deletes its directory. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      deleteInstanceDir();
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // The hook is running or about to; nothing left to undo.
      }
    }
  }

  @Override
  public String toString() {
    return "SlapdServer[" + url() + ", " + instanceDir + "]";
  }

  private void startOnFreePort() {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      port = freePort();
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        if (!log().contains("Address already in use")) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  private void launch() {
    List<String> command =
        List.of(
            slapd.toString(),
            "-f", configFile.toString(),
            "-h", ldapi ? url() + "/ " + ldapiUrl() : url() + "/",
            // Any -d keeps slapd in the foreground; level 0 logs only what it must (errors).
            "-d", "0");
    try {
      process =
          new ProcessBuilder(command)
              .directory(instanceDir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectErrorStream(true)
              // A file rather than a pipe: nobody has to drain it, and it survives for log().
              .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + String.join(" ", command), e);
    }
    awaitAnswering(command);
  }

  private void awaitAnswering(List<String> command) {
    try {
      Awaitility.await("slapd answering on " + url())
          .atMost(STARTUP_DEADLINE)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !process.isAlive() || answers());
    } catch (ConditionTimeoutException e) {
      process.destroyForcibly();
      awaitExit(STOP_DEADLINE);
      throw failure("did not answer within " + STARTUP_DEADLINE.toSeconds() + " s", command);
    }
    if (!process.isAlive()) {
      throw failure("exited with status " + process.exitValue(), command);
    }
  }

  /** True once slapd returns the root DSE: listening alone is not ready. */
  private boolean answers() {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis(1000);
    options.setResponseTimeoutMillis(1000);
    try (LDAPConnection connection = new LDAPConnection(options, LOOPBACK, port)) {
      return connection.getRootDSE() != null;
    } catch (LDAPException notYet) {
      // A server with "security tls=1" answers, but refuses the clear-text search.
      return notYet.getResultCode() == com.unboundid.ldap.sdk.ResultCode.CONFIDENTIALITY_REQUIRED;
    }
  }

  private IllegalStateException failure(String what, List<String> command) {
    return new IllegalStateException(
        "slapd "
            + what
            + "\ncommand: "
            + String.join(" ", command)
            + "\nslapd output:\n"
            + log());
  }

  private boolean awaitExit(Duration deadline) {
    try {
      return process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Process requireProcess() {
    if (!isRunning()) {
      throw new IllegalStateException("slapd is not running: " + this);
    }
    return process;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("closed: " + this);
    }
  }

  private void destroyQuietly() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private void deleteInstanceDir() {
    deleteRecursively(instanceDir);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Leaving a temp directory behind is not worth failing a test for.
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Options for {@link SlapdServer}; {@link #start()} creates, loads and starts the instance. */
  /** A server certificate and key, and the CA that client certificates must chain to. */
  public record Tls(Path certificate, Path key, Path ca) {}

  public static final class Builder {

    private int users = 100;
    private String extraLdif = "";
    private boolean balancerAccount = true;
    private Tls tls;
    private boolean requireTls;
    private boolean ldapi;

    private final List<String> overlays = new ArrayList<>();

    private String globalConfig = "";

    private Builder() {}

    /** Lines added to the global section of slapd.conf (e.g. {@code authz-regexp}). */
    public Builder globalConfig(String lines) {
      this.globalConfig = lines;
      return this;
    }

    /** Listens on a Unix domain socket too ({@link SlapdServer#ldapiUrl()}). */
    public Builder ldapi() {
      this.ldapi = true;
      return this;
    }

    /**
     * An overlay on the database, loaded as the module of that name: {@code syncprov} answers
     * syncrepl searches, {@code sssvlv} server-side sorting and VLV.
     */
    public Builder overlay(String name) {
      overlays.add(name);
      return this;
    }

    /** StartTLS with this certificate ({@code TLSVerifyClient try}). */
    public Builder tls(Tls tls) {
      this.tls = tls;
      return this;
    }

    /**
     * {@code security tls=1}: binds and operations without TLS are refused
     * (confidentialityRequired), so that a test can prove a connection is encrypted.
     */
    public Builder requireTls() {
      this.requireTls = true;
      return this;
    }

    /** How many {@code uid=user.I,ou=people,dc=example,dc=com} entries, I from 0; default 100. */
    public Builder users(int users) {
      if (users < 0) {
        throw new IllegalArgumentException("users must not be negative: " + users);
      }
      this.users = users;
      return this;
    }

    /** More entries, loaded after the standard ones (so they may be placed below them). */
    public Builder extraLdif(String ldif) {
      this.extraLdif = ldif;
      return this;
    }

    /**
     * Leaves out {@link DirectoryData#BALANCER_DN}: a server that refuses the balancer's {@code
     * bindconf} (invalidCredentials) while it still knows every user.
     */
    public Builder withoutBalancerAccount() {
      this.balancerAccount = false;
      return this;
    }

    public SlapdServer start() {
      Path slapd = Executables.require("slapd", "slapd");
      Path slapadd = Executables.require("slapadd", "slapd");
      Path instanceDir;
      try {
        instanceDir = Files.createTempDirectory("slapd-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a slapd instance directory", e);
      }
      try {
        Path dataDir = Files.createDirectory(instanceDir.resolve("data"));
        Path configFile = instanceDir.resolve("slapd.conf");
        Files.writeString(
            configFile,
            SlapdConfigFile.render(
                instanceDir, dataDir, tls, requireTls, overlays, globalConfig));
        Path ldif = instanceDir.resolve("data.ldif");
        Files.writeString(ldif, DirectoryData.ldif(users, balancerAccount, extraLdif));
        SlapdLoader.load(slapadd, configFile, ldif, instanceDir);
        SlapdServer server = new SlapdServer(slapd, instanceDir, configFile, ldapi);
        try {
          server.startOnFreePort();
        } catch (RuntimeException e) {
          server.close();
          throw e;
        }
        return server;
      } catch (IOException e) {
        deleteRecursively(instanceDir);
        throw new UncheckedIOException("cannot prepare a slapd instance", e);
      } catch (RuntimeException e) {
        deleteRecursively(instanceDir);
        throw e;
      }
    }
  }
}
