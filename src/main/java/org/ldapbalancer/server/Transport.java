package org.ldapbalancer.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/** The native epoll transport where it loads, NIO otherwise. */
record Transport(
    String name,
    Class<? extends Channel> socketChannel,
    Class<? extends ServerChannel> serverChannel,
    boolean epoll) {

  static Transport best() {
    if (Epoll.isAvailable()) {
      return new Transport("epoll", EpollSocketChannel.class, EpollServerSocketChannel.class, true);
    }
    return new Transport("nio", NioSocketChannel.class, NioServerSocketChannel.class, false);
  }

  EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
    return new MultiThreadIoEventLoopGroup(
        threads, threadFactory, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }
}
