package org.ldapbalancer.monitor;

import java.util.List;

/** Loop samples made by hand, as event loops would report them. */
final class Samples {
  private Samples() {}

  /** A server as one loop sees it, with {@code ready} regular connections ready. */
  static ServerSnapshot server(
      String uri, int tier, ServerState state, long since, String error, int ready) {
    ServerCounters counters = new ServerCounters();
    counters.state = state;
    counters.stateSinceMillis = since;
    ServerSnapshot s = new ServerSnapshot(uri, tier, "roundrobin", 1, counters, error);
    for (int i = 0; i < ready; i++) {
      s.connection(0, 0, 0);
    }
    s.connection(1, 0, 0);
    s.load(2, 1, 0);
    return s;
  }

  static ServerSnapshot server(String uri, int tier, ServerCounters counters) {
    ServerSnapshot s = new ServerSnapshot(uri, tier, "roundrobin", 1, counters, null);
    s.load(2, 1, 3);
    return s;
  }

  static LoopSample loop(OperationCounters ops, ServerSnapshot... servers) {
    return new LoopSample(ops, 0, 0, 0, List.of(servers));
  }
}
