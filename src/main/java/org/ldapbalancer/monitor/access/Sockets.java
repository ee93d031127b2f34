package org.ldapbalancer.monitor.access;

import io.netty.channel.Channel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.UnixChannel;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;

/** How slapd names a connection's ends in its log: {@code fd=12}, {@code IP=127.0.0.1:389}. */
final class Sockets {
  private Sockets() {}

  /** The descriptor of the socket, or -1 where the transport does not say (NIO). */
  static int fd(Channel channel) {
    if (channel instanceof UnixChannel unix) {
      return unix.fd().intValue();
    }
    return -1;
  }

  /** The address the listener that accepted {@code channel} is bound to, or null. */
  static SocketAddress listenerAddress(Channel channel) {
    Channel parent = channel.parent();
    return parent != null ? parent.localAddress() : channel.localAddress();
  }

  /** {@code IP=127.0.0.1:41234}, {@code IP=[::1]:389}, {@code PATH=/run/ldapi}. */
  static String describe(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      String host =
          inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
      if (inet.getAddress() instanceof Inet6Address) {
        int zone = host.indexOf('%');
        host = "[" + compressed(zone >= 0 ? host.substring(0, zone) : host) + "]";
      }
      return "IP=" + host + ":" + inet.getPort();
    }
    if (address instanceof DomainSocketAddress unix) {
      return "PATH=" + unix.path();
    }
    return String.valueOf(address);
  }

  /**
   * The RFC 5952 form of an IPv6 address Java wrote in full ({@code 0:0:0:0:0:0:0:1} is {@code
   * ::1}): the longest run of two or more zero groups, the first of equals, becomes {@code ::}.
   */
  static String compressed(String full) {
    String[] groups = full.split(":", -1);
    if (groups.length != 8) {
      return full;
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (!groups[i].equals("0")) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, 8));
    return head + "::" + tail;
  }
}
