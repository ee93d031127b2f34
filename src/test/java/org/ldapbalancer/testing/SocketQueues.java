package org.ldapbalancer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the kernel holds in TCP receive queues, from {@code /proc/net/tcp}: with a server paused
 * (SIGSTOP) the kernel still accepts the bytes sent to it, so unread bytes on one of its
 * connections show that a request reached it and waits there. That tells a test which of several
 * paused servers the balancer sent an operation to, without guessing from the selection policy.
 *
 * <p>Linux only; stateless and thread-safe.
 */
public final class SocketQueues {

  private static final List<Path> TABLES =
      List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
  private static final String ESTABLISHED = "01";

  private SocketQueues() {}

  /**
   * Bytes received but not yet read on established connections whose local port is {@code port}.
   */
  public static long unreadBytes(int port) {
    return sum(port, true);
  }

  /**
   * Bytes on their way to a server listening on loopback {@code port}: those its connections have
   * received but not read, plus those the other ends (the balancer's connections) have written but
   * the kernel has not yet delivered.
   */
  public static long queuedTowards(int port) {
    return sum(port, true) + sum(port, false);
  }

  /**
   * Established connections whose remote port is {@code port}: on loopback, the connections
   * someone (the balancer) holds to a server listening there.
   */
  public static int establishedTo(int port) {
    int count = 0;
    for (Path table : TABLES) {
      for (String[] fields : rows(table)) {
        if (port(fields[2]) == port && fields[3].equals(ESTABLISHED)) {
          count++;
        }
      }
    }
    return count;
  }

  /**
   * Established connections whose local port is {@code port}: on loopback, the clients a server
   * listening there holds.
   */
  public static int establishedAt(int port) {
    int count = 0;
    for (Path table : TABLES) {
      for (String[] fields : rows(table)) {
        if (port(fields[1]) == port && fields[3].equals(ESTABLISHED)) {
          count++;
        }
      }
    }
    return count;
  }

  /**
   * Whether the connection from local port {@code localPort} to remote port {@code remotePort}
   * is established: seen from a server's side, whether it still holds that client.
   */
  public static boolean isEstablished(int localPort, int remotePort) {
    for (Path table : TABLES) {
      for (String[] fields : rows(table)) {
        if (port(fields[1]) == localPort && port(fields[2]) == remotePort) {
          return fields[3].equals(ESTABLISHED);
        }
      }
    }
    return false;
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
  }

  private static List<String[]> rows(Path table) {
    try {
      if (!Files.exists(table)) {
        return List.of();
      }
      List<String> lines = Files.readAllLines(table);
      return lines.subList(1, lines.size()).stream().map(l -> l.trim().split("\\s+")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + table, e);
    }
  }

  /**
   * @param atServer the receive queues of connections whose local port is {@code port}; otherwise
   *     the send queues of connections whose remote port is {@code port}
   */
  private static long sum(int port, boolean atServer) {
    long total = 0;
    for (Path table : TABLES) {
      List<String> lines;
      try {
        if (!Files.exists(table)) {
          continue;
        }
        lines = Files.readAllLines(table);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + table, e);
      }
      for (String line : lines.subList(1, lines.size())) {
        // sl local_address rem_address st tx_queue:rx_queue ...
        String[] fields = line.trim().split("\\s+");
        String address = fields[atServer ? 1 : 2];
        int addressPort = Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
        if (addressPort != port || !fields[3].equals(ESTABLISHED)) {
          continue;
        }
        String queues = fields[4];
        int colon = queues.indexOf(':');
        String queue = atServer ? queues.substring(colon + 1) : queues.substring(0, colon);
        total += Long.parseLong(queue.toLowerCase(Locale.ROOT), 16);
      }
    }
    return total;
  }
}
