package org.ldapbalancer.monitor.tree;

import java.util.ArrayList;
import java.util.List;
import org.ldapbalancer.monitor.ClientSnapshot;
import org.ldapbalancer.monitor.MonitorSnapshot;
import org.ldapbalancer.monitor.OpType;
import org.ldapbalancer.monitor.OperationCounters;
import org.ldapbalancer.monitor.ServerSnapshot;

/**
 * The cn=Monitor tree of a snapshot, with lloadd's names ({@code servers/lloadd/monitor.c}):
 *
 * <pre>
 * cn=Monitor
 *   cn=Backends
 *     cn=Load Balancer                          olmBalancer
 *       cn=Incoming Connections                 monitorContainer
 *         cn=Connection N                       olmBalancerConnection (one per client)
 *       cn=Operations                           monitorContainer
 *         cn=Bind, cn=Other                     olmBalancerOperation
 *       cn=Backend Tiers                        monitorContainer
 *         cn=tier N                             monitorContainer
 *           cn=server N                         olmBalancerServer
 *             cn=Connection N                   olmBalancerConnection
 * </pre>
 *
 * <p>Tiers and servers are named as lloadd names those a slapd.conf-style file leaves unnamed:
 * {@code tier 1}, {@code tier 2} in file order, and {@code server 1}, {@code server 2} within a
 * tier. Entries come parents first, so a subtree search lists them in tree order.
 *
 * <p>Stateless and thread-safe.
 */
public final class MonitorTree {
  static final String MONITOR = "cn=Monitor";
  static final String BACKENDS = "cn=Backends," + MONITOR;
  static final String BALANCER = "cn=Load Balancer," + BACKENDS;

  private static final String CONTAINER = "monitorContainer";
  /** lloadd's names of our upstream connection states, by {@link ServerSnapshot} index. */
  private static final String[] STATE_NAMES = {"ready", "binding", "closing"};

  private MonitorTree() {}

  /** Every entry of the tree, parents before children. */
  public static List<MonitorEntry> entries(MonitorSnapshot snapshot) {
    List<MonitorEntry> out = new ArrayList<>();
    out.add(MonitorEntry.under("", "Monitor", "monitorServer").build());
    out.add(MonitorEntry.under(MONITOR, "Backends", CONTAINER).build());
    long outgoing = 0;
    for (ServerSnapshot s : snapshot.servers()) {
      outgoing += s.connectionList().size();
    }
    OperationCounters ops = snapshot.operations();
    out.add(
        MonitorEntry.under(BACKENDS, "Load Balancer", "olmBalancer")
            .add("olmIncomingConnections", ops.clientsOpen())
            .add("olmOutgoingConnections", outgoing)
            .build());
    String incoming = "cn=Incoming Connections," + BALANCER;
    out.add(MonitorEntry.under(BALANCER, "Incoming Connections", CONTAINER).build());
    for (ClientSnapshot c : snapshot.clients()) {
      out.add(clientEntry(incoming, c));
    }
    String operations = "cn=Operations," + BALANCER;
    out.add(MonitorEntry.under(BALANCER, "Operations", CONTAINER).build());
    out.add(operationEntry(operations, "Bind", ops, true));
    out.add(operationEntry(operations, "Other", ops, false));
    String tiers = "cn=Backend Tiers," + BALANCER;
    out.add(MonitorEntry.under(BALANCER, "Backend Tiers", CONTAINER).build());
    servers(out, tiers, snapshot.servers());
    return out;
  }

  /** A client as lloadd lists it: its connection number, addresses, identity and operations. */
  private static MonitorEntry clientEntry(String parent, ClientSnapshot c) {
    MonitorEntry.Builder e =
        MonitorEntry.under(parent, "Connection " + c.connectionId(), "olmBalancerConnection")
            .add("olmConnectionType", "regular")
            .add("olmConnectionState", c.state())
            .add("olmConnectionLocalAddress", c.local())
            .add("olmConnectionPeerAddress", c.peer());
    String id = c.authzId();
    if (!"dn:".equals(id)) { // anonymous clients have no authzDN, as in lloadd
      e.add("olmConnectionAuthzDN", id.regionMatches(true, 0, "dn:", 0, 3) ? id.substring(3) : id);
    }
    return e.add("olmPendingOps", c.pendingOps())
        .add("olmReceivedOps", c.received())
        .add("olmCompletedOps", c.completed())
        .add("olmFailedOps", c.failed())
        .build();
  }

  private static MonitorEntry operationEntry(
      String parent, String cn, OperationCounters ops, boolean bind) {
    long received = 0;
    long forwarded = 0;
    long rejected = 0;
    long completed = 0;
    long failed = 0;
    for (int t = 0; t < OpType.COUNT; t++) {
      if ((t == OpType.BIND) != bind) {
        continue;
      }
      received += ops.receivedOf(t);
      forwarded += ops.forwardedOf(t);
      rejected += ops.rejectedOf(t);
      completed += ops.completedOf(t);
      failed += ops.failedOf(t);
    }
    return MonitorEntry.under(parent, cn, "olmBalancerOperation")
        .add("olmReceivedOps", received)
        .add("olmForwardedOps", forwarded)
        .add("olmRejectedOps", rejected)
        .add("olmCompletedOps", completed)
        .add("olmFailedOps", failed)
        .build();
  }

  private static void servers(List<MonitorEntry> out, String tiers, List<ServerSnapshot> servers) {
    int tier = -1;
    String tierDn = null;
    int serverInTier = 0;
    int connectionNumber = 0;
    for (ServerSnapshot s : servers) {
      if (s.tier() != tier) {
        tier = s.tier();
        MonitorEntry.Builder t = MonitorEntry.under(tiers, "tier " + (tier + 1), CONTAINER);
        tierDn = t.dn();
        out.add(t.build());
        serverInTier = 0;
      }
      serverInTier++;
      int active = 0;
      int pending = 0;
      for (int k = 0; k < ServerSnapshot.KINDS.length; k++) {
        active += s.connections(k, 0);
        pending += s.connections(k, 1);
      }
      MonitorEntry.Builder server =
          MonitorEntry.under(tierDn, "server " + serverInTier, "olmBalancerServer")
              .add("olmServerURI", s.uri())
              .add("olmActiveConnections", active)
              .add("olmPendingConnections", pending)
              .add("olmPendingOps", s.inFlight())
              .add("olmReceivedOps", s.forwarded())
              .add("olmCompletedOps", s.answered())
              .add("olmFailedOps", s.lost() + s.timedOut());
      out.add(server.build());
      for (ServerSnapshot.Connection c : s.connectionList()) {
        connectionNumber++;
        // A connection still being set up is lloadd's "preparing" type, whatever it will become.
        String type = c.state() == 1 ? "preparing" : ServerSnapshot.KINDS[c.kind()];
        out.add(
            MonitorEntry.under(server.dn(), "Connection " + connectionNumber,
                    "olmBalancerConnection")
                .add("olmConnectionType", type)
                .add("olmConnectionState", STATE_NAMES[c.state()])
                .add("olmPendingOps", c.pendingOps())
                .build());
      }
    }
  }
}
