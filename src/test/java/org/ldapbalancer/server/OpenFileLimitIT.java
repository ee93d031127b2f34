package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.demo.SampleDirectory;

/**
 * The packaged balancer at a small open-file limit: accepting stops short of the limit, clients
 * already connected are served, a server that restarts meanwhile is connected to again (the
 * reserve), and accepting resumes when clients leave.
 */
@Timeout(180)
class OpenFileLimitIT {
  private static final int LIMIT = 256;

  @TempDir Path dir;
  private final List<InMemoryDirectoryServer> directories = new ArrayList<>();
  private final List<LDAPConnection> clients = new ArrayList<>();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private Process process;

  @AfterEach
  void stop() {
    clients.forEach(LDAPConnection::close);
    if (process != null) {
      process.destroyForcibly();
    }
    directories.forEach(d -> d.shutDown(true));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Why the last search that failed did, for the assertion messages. */
  private volatile String lastFailure;

  private boolean answers(LDAPConnection c, Duration within) {
    try {
      SearchRequest r = new SearchRequest(SampleDirectory.PEOPLE_DN, SearchScope.ONE,
          "(uid=user.1)", "cn");
      r.setResponseTimeoutMillis(within.toMillis());
      return c.search(r).getEntryCount() == 1;
    } catch (LDAPException e) {
      lastFailure = e.toString();
      return false;
    }
  }

  @Test
  void atTheOpenFileLimitAcceptingPausesAndServersAreStillReconnected() throws Exception {
    int portA = freePort();
    directories.add(SampleDirectory.start("a", 5, portA));
    directories.add(SampleDirectory.start("b", 5, 0));
    int port = freePort();
    Path conf = dir.resolve("lloadd.conf");
    Files.writeString(conf,
        "bindconf bindmethod=simple binddn=\"" + SampleDirectory.BALANCER_DN + "\" credentials="
            + SampleDirectory.BALANCER_PASSWORD + "\n"
            + "io-threads 1\n"
            + "backend-server uri=ldap://127.0.0.1:" + portA + " numconns=1 bindconns=1 retry=200\n"
            + "backend-server uri=ldap://127.0.0.1:" + directories.get(1).getListenPort()
            + " numconns=1 bindconns=1 retry=200\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jar = System.getenv("LDAP_BALANCER_JAR");
    assertThat(jar).as("LDAP_BALANCER_JAR (set by the build)").isNotNull();
    process = new ProcessBuilder("bash", "-c",
        "ulimit -n " + LIMIT + " && exec \"$0\" -Xmx128m -jar \"$1\" -f \"$2\" -h \"$3\"",
        java, jar, conf.toString(), "ldap://127.0.0.1:" + port).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          log.add(line);
        }
      } catch (java.io.IOException e) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    await("listening").atMost(Duration.ofSeconds(60))
        .until(() -> log.stream().anyMatch(l -> l.contains("listening on")));

    // Connect until a new client is no longer taken in (it waits in the kernel's backlog).
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis(2000);
    // The balancer listens before its connections to the servers are set up (until then a
    // search is answered unavailable): the first client asks until it is answered.
    LDAPConnection first = new LDAPConnection(options, "127.0.0.1", port);
    clients.add(first);
    await("the servers' connections set up").atMost(Duration.ofSeconds(30))
        .until(() -> answers(first, Duration.ofSeconds(2)));
    LDAPConnection waiting = null;
    for (int i = 0; i < LIMIT && waiting == null; i++) {
      LDAPConnection c = new LDAPConnection(options, "127.0.0.1", port);
      // A client that is taken in is answered at once.
      if (answers(c, Duration.ofSeconds(2))) {
        clients.add(c);
      } else {
        waiting = c;
      }
    }
    assertThat(waiting).as("a client left waiting short of the limit").isNotNull();
    assertThat(clients).as("then: %s\n%s", lastFailure, String.join("\n", log))
        .hasSizeGreaterThan(50);
    assertThat(log).anyMatch(l -> l.contains("open-file limit") && l.contains("accepting no new"));

    // A server restarting now gets its connections back from the reserve.
    int before = log.size();
    directories.get(0).shutDown(true);
    await("connection loss noticed").atMost(Duration.ofSeconds(20))
        .until(() -> log.subList(before, log.size()).stream()
            .anyMatch(l -> l.contains("127.0.0.1:" + portA)));
    directories.set(0, SampleDirectory.start("a", 5, portA));
    await("server connected again").atMost(Duration.ofSeconds(20))
        .until(() -> log.subList(before, log.size()).stream()
            .anyMatch(l -> l.contains("127.0.0.1:" + portA + ": connected again")));
    assertThat(log).noneMatch(l -> l.contains("Too many open files"));
    for (LDAPConnection c : clients.subList(0, 10)) {
      assertThat(answers(c, Duration.ofSeconds(10))).isTrue();
    }

    // Clients leave: the waiting one is taken in and served.
    for (int i = 0; i < 20; i++) {
      clients.remove(clients.size() - 1).close();
    }
    LDAPConnection taken = waiting;
    clients.add(taken);
    await("the waiting client served").atMost(Duration.ofSeconds(20))
        .until(() -> answers(taken, Duration.ofSeconds(2)));
    assertThat(log).anyMatch(l -> l.contains("accepting clients again"));
    process.destroy();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
  }
}
