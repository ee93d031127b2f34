package org.ldapbalancer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TCP connections established to a local server, from {@code /proc/net/tcp}: the client ports
 * of a server's connections name them, so a test can tell that the balancer's upstream connections
 * are the same ones after an event, not replacements (which would have new ports).
 *
 * <p>Linux only; stateless and thread-safe.
 */
public final class LoopbackConnections {

  private static final List<Path> TABLES =
      List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
  private static final String ESTABLISHED = "01";

  private LoopbackConnections() {}

  /** The local ports of established connections whose remote port is {@code serverPort}. */
  public static Set<Integer> clientPortsTowards(int serverPort) {
    Set<Integer> ports = new TreeSet<>();
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
        // sl local_address rem_address st ...
        String[] fields = line.trim().split("\\s+");
        if (port(fields[2]) == serverPort && fields[3].equals(ESTABLISHED)) {
          ports.add(port(fields[1]));
        }
      }
    }
    return ports;
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
  }
}
