package org.ldapbalancer.server;

import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The file of an {@code ldapi://} listener, handled as slapd handles it: a file left behind by a
 * process that is gone is removed before binding, one that something still listens on is not
 * touched (and the start fails), and the file is removed at shutdown. Access is the file's
 * permissions, from the process's umask, and those of its directory: nothing else.
 */
final class SocketFile {
  /** {@code S_IFMT} and {@code S_IFSOCK} of stat(2). */
  private static final int TYPE_MASK = 0170000;

  private static final int SOCKET = 0140000;

  private SocketFile() {}

  /**
   * Makes {@code path} free to bind, removing a stale socket.
   *
   * @throws IOException if the path is in use, or is there and not a socket
   */
  static DomainSocketAddress prepare(Path path) throws IOException {
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      if ((mode & TYPE_MASK) != SOCKET) {
        throw new IOException(path + " exists and is not a socket");
      }
      if (listening(path)) {
        throw new IOException("another process listens on " + path);
      }
      Files.delete(path); // left by a process that ended without removing it
    }
    return new DomainSocketAddress(path.toString());
  }

  private static boolean listening(Path path) {
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return probe.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException refused) {
      return false;
    }
  }

  /** Removes the file at shutdown; a failure is not worth more than a debug line. */
  static void remove(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // the next start removes it as stale
    }
  }
}
