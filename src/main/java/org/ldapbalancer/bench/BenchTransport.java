package org.ldapbalancer.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The client side of the transport choice the server makes: native epoll where it loads (less
 * CPU per operation, which is the point of a load generator), NIO otherwise.
 */
record BenchTransport(String name, Class<? extends Channel> socketChannel, boolean epoll) {

  static BenchTransport best() {
    if (Epoll.isAvailable()) {
      return new BenchTransport("epoll", EpollSocketChannel.class, true);
    }
    return new BenchTransport("nio", NioSocketChannel.class, false);
  }

  /** Daemon threads, so that a stuck connection can never keep the JVM alive after a run. */
  EventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(
        threads,
        new DefaultThreadFactory("ldap-bench", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }
}
