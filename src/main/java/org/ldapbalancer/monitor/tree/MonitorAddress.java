package org.ldapbalancer.monitor.tree;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A socket address as lloadd writes it in {@code olmConnectionPeerAddress} and {@code
 * olmConnectionLocalAddress}: {@code IP=127.0.0.1:389}, {@code IP=[::1]:389}, {@code
 * PATH=/run/ldapi}. Stateless.
 */
public final class MonitorAddress {
  private MonitorAddress() {}

  public static String of(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      String host = inet.getAddress().getHostAddress();
      if (inet.getAddress() instanceof Inet6Address) {
        host = "[" + host + "]";
      }
      return "IP=" + host + ":" + inet.getPort();
    }
    if (address instanceof DomainSocketAddress unix) {
      return "PATH=" + unix.path();
    }
    return address == null ? "unknown" : address.toString();
  }
}
