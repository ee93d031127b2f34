package org.ldapbalancer.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
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
    awaitEndOfInput(System.in);
    System.exit(0); // the hook stops the servers, whichever way the process ends
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

  private static void awaitEndOfInput(InputStream in) {
    byte[] discard = new byte[256];
    try {
      while (in.read(discard) >= 0) {
        // Input is only a lifeline: whoever started us closes it to stop us.
      }
    } catch (IOException e) {
      // A broken lifeline means the same as a closed one.
    }
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
