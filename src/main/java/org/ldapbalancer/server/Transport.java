package org.ldapbalancer.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * The I/O transport: Linux's io_uring or epoll through Netty's native transports, NIO
 * elsewhere. Chosen once at start by the system property {@code ldapbalancer.transport}
 * ({@code auto}, the default, {@code io_uring}, {@code epoll} or {@code nio}); {@code auto} takes
 * the first of {@link #AUTO_ORDER} that this kernel and sandbox allow.
 *
 * @param why how it was chosen, for the start-up log line
 */
record Transport(
    String name,
    Class<? extends Channel> socketChannel,
    Class<? extends ServerChannel> serverChannel,
    Supplier<IoHandlerFactory> handlers,
    String why) {

  /**
   * What {@code auto} tries, in order. io_uring measured cheaper than epoll in every shape
   * (BENCHMARKS.md, fourth round: 28.4 against 35.6 µs per search at 8 x 1, 12.5 against 19.1 at
   * 32 x 4, a quarter of the system calls); epoll where the kernel or a sandbox (seccomp) refuses
   * io_uring, NIO off Linux.
   */
  static final String[] AUTO_ORDER = {"io_uring", "epoll", "nio"};

  /** Netty's switch for arming io_uring's readiness polls as multishot polls. */
  static final String IO_URING_MULTISHOT_POLL = "io.netty.iouring.pollAddMultishotEnabled";

  static {
    // Netty's io_uring transport waits for a socket to become readable with a multishot poll,
    // which reports each change once. A connection whose reset arrives together with its last
    // bytes (HAProxy's health checks on pldap://, a client that sends an Abandon and goes) is read
    // once, the poll has already fired, and the reset is never seen: its descriptor stays open
    // for good (Netty 4.2.18; ResetConnectionsClosedIT). A single-shot poll, armed afresh each
    // time, reports the reset. Set here, before Netty reads it, unless the operator set it.
    if (System.getProperty(IO_URING_MULTISHOT_POLL) == null) {
      System.setProperty(IO_URING_MULTISHOT_POLL, "false");
    }
  }

  static Transport best() {
    String wanted =
        System.getProperty("ldapbalancer.transport", "auto").trim().toLowerCase(Locale.ROOT);
    if (!wanted.equals("auto")) {
      Transport t = named(wanted);
      if (t == null) {
        throw new IllegalArgumentException(
            "ldapbalancer.transport=" + wanted + ": expected auto, io_uring, epoll or nio");
      }
      String unavailable = unavailable(wanted);
      if (unavailable != null) {
        throw new IllegalStateException(
            "ldapbalancer.transport=" + wanted + " is not available here: " + unavailable);
      }
      return t.because("ldapbalancer.transport=" + wanted);
    }
    StringBuilder skipped = new StringBuilder();
    for (String name : AUTO_ORDER) {
      String unavailable = unavailable(name);
      if (unavailable == null) {
        return named(name).because(skipped.length() == 0 ? "auto" : "auto;" + skipped);
      }
      skipped.append(' ').append(name).append(" unavailable (").append(unavailable).append(')');
    }
    throw new IllegalStateException("no transport available:" + skipped);
  }

  private Transport because(String reason) {
    return new Transport(name, socketChannel, serverChannel, handlers, reason);
  }

  private static Transport named(String name) {
    return switch (name) {
      case "io_uring" -> new Transport("io_uring", IoUringSocketChannel.class,
          IoUringServerSocketChannel.class, IoUringIoHandler::newFactory, "");
      case "epoll" -> new Transport("epoll", EpollSocketChannel.class,
          EpollServerSocketChannel.class, EpollIoHandler::newFactory, "");
      case "nio" -> new Transport("nio", NioSocketChannel.class, NioServerSocketChannel.class,
          NioIoHandler::newFactory, "");
      default -> null;
    };
  }

  /** Why the transport cannot be used here, or null when it can. */
  private static String unavailable(String name) {
    return switch (name) {
      case "io_uring" -> IoUring.isAvailable() ? null : String.valueOf(IoUring.unavailabilityCause());
      case "epoll" -> Epoll.isAvailable() ? null : String.valueOf(Epoll.unavailabilityCause());
      default -> null;
    };
  }

  /**
   * The listening channel for Unix domain sockets ({@code ldapi://}), or null when this transport
   * has none that can tell a client's peer credentials (NIO): SASL EXTERNAL over {@code ldapi://}
   * needs them.
   */
  Class<? extends ServerChannel> serverDomainSocketChannel() {
    return switch (name) {
      case "epoll" -> EpollServerDomainSocketChannel.class;
      case "io_uring" -> IoUringServerDomainSocketChannel.class;
      default -> null;
    };
  }

  /** The channel for connecting to a server over {@code ldapi://}, or null as above. */
  Class<? extends Channel> domainSocketChannel() {
    return switch (name) {
      case "epoll" -> EpollDomainSocketChannel.class;
      case "io_uring" -> IoUringDomainSocketChannel.class;
      default -> null;
    };
  }

  /**
   * Whether listeners bind with {@code SO_REUSEPORT}, so that a new process can listen on the same
   * ports before the old one drains (docs/operations.md, "Shutdown and upgrade"): on the native
   * transports unless the system property {@code ldapbalancer.reusePort} is {@code false}. NIO
   * cannot set it; a second process there fails with "address already in use".
   */
  boolean sharesPorts() {
    return !name.equals("nio")
        && Boolean.parseBoolean(System.getProperty("ldapbalancer.reusePort", "true"));
  }

  /**
   * What the start-up log says about port sharing. When the old process of a hand-over closes its
   * listener, connections the kernel queued there but the process had not yet accepted are reset,
   * unless {@code net.ipv4.tcp_migrate_req} (Linux 5.14 and later) hands them to another listener
   * on the port.
   */
  String portSharing() {
    if (!sharesPorts()) {
      return "ports not shared (" + (name.equals("nio") ? "nio" : "ldapbalancer.reusePort=false")
          + "): an upgrade cannot start beside this process";
    }
    String migrate;
    try {
      migrate = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req")).trim();
    } catch (IOException | RuntimeException e) {
      migrate = "unknown";
    }
    return "ports shared (SO_REUSEPORT)"
        + (migrate.equals("1")
            ? ""
            : "; net.ipv4.tcp_migrate_req is " + migrate + ": set it to 1 so that a hand-over"
                + " resets no queued connection");
  }

  EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
    return new MultiThreadIoEventLoopGroup(threads, threadFactory, handlers.get());
  }
}
