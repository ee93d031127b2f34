package org.ldapbalancer.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Several {@link SlapdServer} instances on loopback ports, run from the command line for {@code
 * bench/run}: the same data, passwords, access rules and balancer account as the real-server
 * tests, so the benchmark measures the set-up the tests prove correct.
 *
 * <pre>{@code
 * java -cp target/test-classes:target/classes:DEPENDENCIES \
 *     org.ldapbalancer.testing.SlapdCluster [SERVERS [USERS]]     # default: 2 servers, 10,000 users
 * }</pre>
 *
 * <p>Prints one line per server, {@code slapd URL PID}, then {@code ready}, on standard output,
 * and keeps the servers running until standard input reaches its end or the process gets
 * SIGTERM / SIGINT; then it stops them and deletes their directories. A server that fails to
 * start stops the ones already running, and the process exits with status 1.
 *
 * <p>Lines on standard input are commands for the fault suite ({@code bench/faults}), each
 * naming a server by its index from 0, and each answered by one line once done:
 *
 * <pre>
 * kill I      SIGKILL, waits until it is gone        ok kill I
 * stop I      SIGTERM, waits until it is gone        ok stop I
 * start I     starts it again (same port and data),  ok start I PID
 *             waits until it answers
 * restart I   stop, then start                       ok restart I PID
 * pause I     SIGSTOP, waits until it is stopped     ok pause I
 * resume I    SIGCONT                                ok resume I
 * </pre>
 *
 * <p>Anything else, or a command that fails, is answered {@code error MESSAGE}. Other input
 * (bench/run sends none) is ignored as before.
 *
 * <p>Not thread-safe; one process, one cluster.
 */
public final class SlapdCluster {

  private static final int DEFAULT_SERVERS = 2;
  private static final int DEFAULT_USERS = 10_000;

  private final List<SlapdServer> servers = new ArrayList<>();

  private SlapdCluster() {}

  public static void main(String[] args) {
    int count = args.length > 0 ? positive(args[0], "SERVERS") : DEFAULT_SERVERS;
    int users = args.length > 1 ? positive(args[1], "USERS") : DEFAULT_USERS;
    if (args.length > 2) {
      usage("too many arguments");
    }
    SlapdCluster cluster = new SlapdCluster();
    // SIGTERM and SIGINT run shutdown hooks; each SlapdServer also has its own backstop hook
    // that kills its slapd, this one stops them gracefully and deletes their directories.
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "slapd-cluster-stop"));
    PrintStream out = System.out;
    try {
      for (int i = 0; i < count; i++) {
        cluster.servers.add(SlapdServer.builder().users(users).start());
      }
    } catch (RuntimeException e) {
      System.err.println("slapd-cluster: " + e.getMessage());
      System.exit(1);
    }
    for (SlapdServer server : cluster.servers) {
      out.println("slapd " + server.url() + " " + server.pid());
    }
    out.println("ready");
    out.flush();
    cluster.serveCommands(System.in, out);
    System.exit(0); // the hook stops the servers, whichever way the process ends
  }

  /** Runs commands from {@code in} until its end; see the class comment. */
  private void serveCommands(InputStream in, PrintStream out) {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String[] words = line.trim().split("\\s+");
        if (words.length == 2 && words[1].matches("[0-9]+")) {
          out.println(command(words[0], Integer.parseInt(words[1])));
          out.flush();
        } else if (!line.isBlank()) {
          out.println("error usage: kill|stop|start|restart|pause|resume INDEX");
          out.flush();
        }
      }
    } catch (IOException e) {
      // A broken lifeline means the same as a closed one.
    }
  }

  private synchronized String command(String verb, int index) {
    if (index >= servers.size()) {
      return "error no server " + index;
    }
    SlapdServer server = servers.get(index);
    try {
      switch (verb) {
        case "kill" -> server.kill();
        case "stop" -> server.stop();
        case "start", "restart" -> {
          server.restart(); // stop() does nothing to a server that is not running
          return "ok " + verb + " " + index + " " + server.pid();
        }
        case "pause" -> server.pause();
        case "resume" -> server.resume();
        default -> {
          return "error unknown command " + verb;
        }
      }
      return "ok " + verb + " " + index;
    } catch (RuntimeException e) {
      String why = String.valueOf(e.getMessage()).replace('\n', ' ');
      return "error " + verb + " " + index + ": " + why;
    }
  }

  private synchronized void stop() {
    for (SlapdServer server : servers) {
      try {
        server.close();
      } catch (RuntimeException e) {
        System.err.println("slapd-cluster: stopping " + server + ": " + e.getMessage());
      }
    }
    servers.clear();
  }

  private static int positive(String value, String name) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage(name + " must be a positive integer: " + value);
    return 0; // not reached
  }

  private static void usage(String problem) {
    System.err.println("slapd-cluster: " + problem);
    System.err.println("usage: SlapdCluster [SERVERS [USERS]]");
    System.exit(2);
  }
}
