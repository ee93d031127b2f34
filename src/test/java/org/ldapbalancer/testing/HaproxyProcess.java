package org.ldapbalancer.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * HAProxy (Debian's {@code haproxy}) in TCP mode on a free loopback port, spreading connections
 * round robin over {@code backends} and sending each a PROXY protocol header (version 2, {@code
 * send-proxy-v2}, unless told otherwise): the set-up docs/operations.md describes for running
 * several balancers.
 *
 * <p>Fails, never skips, when haproxy is not installed ({@code .ci/run} installs it).
 * Not thread-safe.
 */
public final class HaproxyProcess implements AutoCloseable {
  private static final Duration START_DEADLINE = Duration.ofSeconds(20);

  private final Process process;
  private final int port;
  private final Path logFile;

  private HaproxyProcess(Process process, int port, Path logFile) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
  }

  /**
   * Starts haproxy in the foreground ({@code -db}) with its configuration in {@code dir}.
   *
   * @param backends the ports of the {@code pldap://} listeners on 127.0.0.1 to spread over
   */
  public static HaproxyProcess start(Path dir, List<Integer> backends) throws IOException {
    return start(dir, backends, "send-proxy-v2");
  }

  /**
   * As {@link #start(Path, List)}, with the server option that makes the header: {@code
   * send-proxy-v2} (binary, version 2) or {@code send-proxy} (text, version 1).
   */
  public static HaproxyProcess start(Path dir, List<Integer> backends, String sendProxy)
      throws IOException {
    Path haproxy =
        Executables.find("haproxy")
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "haproxy not installed (haproxy not found): apt-get install haproxy"));
    int port = freePort();
    StringBuilder conf =
        new StringBuilder()
            .append("global\n")
            .append("  maxconn 256\n")
            .append("defaults\n")
            .append("  mode tcp\n")
            .append("  timeout connect 5s\n")
            .append("  timeout client 60s\n")
            .append("  timeout server 60s\n")
            .append("frontend ldap\n")
            .append("  bind 127.0.0.1:").append(port).append('\n')
            .append("  default_backend balancers\n")
            .append("backend balancers\n")
            .append("  balance roundrobin\n");
    for (int i = 0; i < backends.size(); i++) {
      conf.append("  server lb").append(i + 1).append(" 127.0.0.1:").append(backends.get(i))
          .append(' ').append(sendProxy).append('\n');
    }
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, conf);
    Path log = dir.resolve("haproxy.log");
    Process process =
        new ProcessBuilder(haproxy.toString(), "-f", file.toString(), "-db")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    HaproxyProcess proxy = new HaproxyProcess(process, port, log);
    try {
      await("haproxy listening on port " + port)
          .atMost(START_DEADLINE)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !process.isAlive() || proxy.accepts());
    } catch (ConditionTimeoutException e) {
      proxy.close();
      throw new IllegalStateException("haproxy did not listen:\n" + proxy.log(), e);
    }
    if (!process.isAlive()) {
      throw new IllegalStateException("haproxy exited at start:\n" + proxy.log());
    }
    return proxy;
  }

  public int port() {
    return port;
  }

  /** What haproxy has printed so far, for failure messages. */
  public String log() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
