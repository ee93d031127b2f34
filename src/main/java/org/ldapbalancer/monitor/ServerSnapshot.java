package org.ldapbalancer.monitor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One server as the monitor shows it: its place in the configuration, state, connections and
 * counts, summed over the event loops.
 *
 * <p>Filled in by one thread (on an event loop for that loop's part, then by whoever merges the
 * parts) and only read once published.
 */
public final class ServerSnapshot {
  /** The kinds of upstream connection, as the {@code type} label names them. */
  public static final String[] KINDS = {"regular", "bind"};

  /** The connection states counted, as the {@code state} label names them. */
  public static final String[] CONNECTION_STATES = {"ready", "setting_up", "closing"};

  private final String uri;
  private final int tier;
  private final String policy;
  private final int weight;
  private ServerState state;
  private long stateSinceMillis;
  private String lastError;
  /** [kind][state]: connections by kind (regular, bind) and state. */
  private final int[][] connections = new int[KINDS.length][CONNECTION_STATES.length];
  private final int[] targets = new int[KINDS.length];
  /** Every connection, for views that list them one by one (cn=Monitor does). */
  private final List<Connection> connectionList = new ArrayList<>();
  private long inFlight;
  private long forwarded;
  private long answered;
  private long lost;
  private long timedOut;
  private long tlsHandshakes;
  private long tlsHandshakeFailures;
  private boolean answersOutOfOrder;
  private final LatencyHistogram latency = new LatencyHistogram();

  /**
   * A loop's view of a server; taken on that loop.
   *
   * @param tier the index of its tier, from 0, in file order
   * @param policy the tier's policy ({@code roundrobin}, {@code weighted}, {@code bestof})
   */
  public ServerSnapshot(
      String uri, int tier, String policy, int weight, ServerCounters counters, String lastError) {
    this.uri = uri;
    this.tier = tier;
    this.policy = policy;
    this.weight = weight;
    this.state = counters.state;
    this.stateSinceMillis = counters.stateSinceMillis;
    this.lastError = lastError;
    this.forwarded = counters.forwarded;
    this.answered = counters.answered;
    this.lost = counters.lost;
    this.timedOut = counters.timedOut;
    this.tlsHandshakes = counters.tlsHandshakes;
    this.tlsHandshakeFailures = counters.tlsHandshakeFailures;
    this.answersOutOfOrder = counters.answersOutOfOrder;
    this.latency.add(counters.latency);
  }

  /** The server is taken out of selection by its health checks, whatever its connections. */
  public void unresponsive(String why) {
    state = ServerState.UNRESPONSIVE;
    lastError = why;
  }

  /**
   * One upstream connection.
   *
   * @param kind index into {@link #KINDS}
   * @param state index into {@link #CONNECTION_STATES}
   * @param pendingOps operations in flight on it
   */
  public record Connection(int kind, int state, int pendingOps) {}

  /** Counts one upstream connection; {@code kind} and {@code state} index the label arrays. */
  public void connection(int kind, int connectionState, int pendingOps) {
    connections[kind][connectionState]++;
    connectionList.add(new Connection(kind, connectionState, pendingOps));
  }

  /** This loop's share of {@code numconns} and {@code bindconns}, and operations in flight. */
  public void load(int regularTarget, int bindTarget, long operationsInFlight) {
    targets[0] += regularTarget;
    targets[1] += bindTarget;
    inFlight += operationsInFlight;
  }

  /**
   * Adds another loop's view: the server is up if any loop has a ready connection (since the
   * earliest), else down if any loop's attempts fail, else connecting.
   */
  void merge(ServerSnapshot other) {
    if (other.state.ordinal() < state.ordinal()) { // UP < CONNECTING < DOWN
      state = other.state;
      stateSinceMillis = other.stateSinceMillis;
    } else if (other.state == state) {
      stateSinceMillis = Math.min(stateSinceMillis, other.stateSinceMillis);
    }
    if (lastError == null) {
      lastError = other.lastError;
    }
    for (int k = 0; k < KINDS.length; k++) {
      targets[k] += other.targets[k];
      for (int s = 0; s < CONNECTION_STATES.length; s++) {
        connections[k][s] += other.connections[k][s];
      }
    }
    connectionList.addAll(other.connectionList);
    inFlight += other.inFlight;
    forwarded += other.forwarded;
    answered += other.answered;
    lost += other.lost;
    timedOut += other.timedOut;
    tlsHandshakes += other.tlsHandshakes;
    tlsHandshakeFailures += other.tlsHandshakeFailures;
    answersOutOfOrder |= other.answersOutOfOrder;
    latency.add(other.latency);
  }

  public String uri() {
    return uri;
  }

  public int tier() {
    return tier;
  }

  public String policy() {
    return policy;
  }

  public int weight() {
    return weight;
  }

  public ServerState state() {
    return state;
  }

  public long stateSinceMillis() {
    return stateSinceMillis;
  }

  /** Why connection attempts fail, while they do; null otherwise. */
  public String lastError() {
    return state == ServerState.UP ? null : lastError;
  }

  public int connections(int kind, int connectionState) {
    return connections[kind][connectionState];
  }

  /** Every connection to the server, over all loops. */
  public List<Connection> connectionList() {
    return Collections.unmodifiableList(connectionList);
  }

  public int target(int kind) {
    return targets[kind];
  }

  /** Regular connections ready for operations. */
  public int readyRegular() {
    return connections[0][0];
  }

  public long inFlight() {
    return inFlight;
  }

  public long forwarded() {
    return forwarded;
  }

  public long answered() {
    return answered;
  }

  public long lost() {
    return lost;
  }

  public long timedOut() {
    return timedOut;
  }

  /**
   * Whether the server has been seen answering a connection's requests out of order (by any
   * event loop): requests of one turn then share a connection.
   */
  public boolean answersOutOfOrder() {
    return answersOutOfOrder;
  }

  public long tlsHandshakes() {
    return tlsHandshakes;
  }

  public long tlsHandshakeFailures() {
    return tlsHandshakeFailures;
  }

  public LatencyHistogram latency() {
    return latency;
  }
}
