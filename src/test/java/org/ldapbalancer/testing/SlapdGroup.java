package org.ldapbalancer.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;

/**
 * Several {@link SlapdServer}s started at once (each one's slapadd and start-up run in parallel),
 * closed together, and the balancer configuration that puts them behind it.
 *
 * <pre>{@code
 * try (SlapdGroup slapds = SlapdGroup.start(3, 20);
 *     RunningBalancer lb = slapds.balancer(Duration.ZERO).start()) {
 *   lb.awaitReady(slapds.urls());
 *   LdapTool.at(lb.url()).search(...);
 * }
 * }</pre>
 *
 * <p>Not thread-safe, like the servers it holds.
 */
public final class SlapdGroup implements AutoCloseable {

  private final List<SlapdServer> servers;

  private SlapdGroup(List<SlapdServer> servers) {
    this.servers = List.copyOf(servers);
  }

  /** {@code count} instances with the standard data and {@code users} users each. */
  public static SlapdGroup start(int count, int users) {
    List<SlapdServer.Builder> builders = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      builders.add(SlapdServer.builder().users(users));
    }
    return start(builders);
  }

  /**
   * One instance per builder, started concurrently. If any fails, those that started are closed and
   * the first failure is thrown.
   */
  public static SlapdGroup start(List<SlapdServer.Builder> builders) {
    List<CompletableFuture<SlapdServer>> starts =
        builders.stream().map(b -> Background.supply(b::start)).toList();
    List<SlapdServer> started = new ArrayList<>();
    RuntimeException failure = null;
    for (CompletableFuture<SlapdServer> start : starts) {
      try {
        started.add(start.join());
      } catch (CompletionException e) {
        RuntimeException cause =
            e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
        if (failure == null) {
          failure = cause;
        } else {
          failure.addSuppressed(cause);
        }
      }
    }
    if (failure != null) {
      started.forEach(SlapdServer::close);
      throw failure;
    }
    return new SlapdGroup(started);
  }

  /**
   * The {@code bindconf} the balancer authenticates its regular connections with: the balancer
   * account of {@link DirectoryData}, whose {@code authzTo} allows proxied authorization.
   *
   * @param timeout the operation time limit, {@link Duration#ZERO} for none
   */
  public static BindConf balancerBindConf(Duration timeout) {
    return new BindConf(
        BindMethod.SIMPLE,
        DirectoryData.BALANCER_DN,
        DirectoryData.BALANCER_PASSWORD,
        Duration.ofSeconds(5),
        timeout);
  }

  /**
   * A balancer with every server of the group in one round-robin tier (two regular connections and
   * one bind connection each), proxied authorization on, and {@link #balancerBindConf}.
   */
  public RunningBalancer.Builder balancer(Duration timeout) {
    RunningBalancer.Builder builder =
        RunningBalancer.builder().bindConf(balancerBindConf(timeout)).proxyAuthz(true);
    for (SlapdServer server : servers) {
      builder.server(server.url(), 2, 1);
    }
    return builder;
  }

  /**
   * A balancer on one event loop with one regular and one bind connection to the group's first
   * server: every client's operations share one upstream connection (what may, and what must
   * not, cut such a connection).
   */
  public RunningBalancer.Builder balancerOnOneSharedConnection() {
    return RunningBalancer.builder()
        .bindConf(balancerBindConf(Duration.ZERO))
        .ioThreads(1)
        .server(server(0).url(), 1, 1);
  }

  public SlapdServer server(int index) {
    return servers.get(index);
  }

  public List<SlapdServer> servers() {
    return servers;
  }

  public String[] urls() {
    return servers.stream().map(SlapdServer::url).toArray(String[]::new);
  }

  /** Every instance's log, headed by its URL, for failure messages. */
  public String logs() {
    StringBuilder logs = new StringBuilder();
    for (SlapdServer server : servers) {
      logs.append("--- ").append(server.url()).append('\n').append(server.log());
    }
    return logs.toString();
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (SlapdServer server : servers) {
      try {
        server.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
