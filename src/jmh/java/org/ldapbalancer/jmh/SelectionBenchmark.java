package org.ldapbalancer.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.balancing.Endpoint;
import org.ldapbalancer.balancing.Selector;
import org.ldapbalancer.balancing.ServerEndpoints;
import org.ldapbalancer.balancing.Tier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Choosing a connection: round robin over servers, least busy connection within one. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class SelectionBenchmark {
  @Param({"2", "4"})
  int servers;

  @Param({"1", "8"})
  int connectionsPerServer;

  private Selector<Conn> selector;

  static final class Conn implements Endpoint {
    int pending;

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public int pendingOps() {
      return pending;
    }
  }

  record Server(List<Conn> endpoints) implements ServerEndpoints<Conn> {
    @Override
    public int pendingOps() {
      return 0;
    }

    @Override
    public int maxPendingOps() {
      return 0;
    }

    @Override
    public int connMaxPending() {
      return 0;
    }
  }

  @Setup
  public void setUp() {
    List<Server> list = new ArrayList<>();
    for (int s = 0; s < servers; s++) {
      List<Conn> conns = new ArrayList<>();
      for (int c = 0; c < connectionsPerServer; c++) {
        Conn conn = new Conn();
        conn.pending = (s * 7 + c * 3) % 5;
        conns.add(conn);
      }
      list.add(new Server(conns));
    }
    selector = new Selector<>(List.of(Tier.roundRobin(list)));
  }

  @Benchmark
  public Conn select() {
    return selector.select();
  }
}
