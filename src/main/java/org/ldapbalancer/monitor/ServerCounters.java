package org.ldapbalancer.monitor;

/**
 * What one event loop's connections to one server did: operations forwarded, answered, lost or
 * timed out, their response times, TLS handshakes, and the server's state as this loop sees it.
 *
 * <p>Owned by one event loop (that of the server's pool); plain fields, no allocation per
 * operation. Read only through {@link ServerSnapshot}, made on the loop.
 */
public final class ServerCounters {
  long forwarded;
  long answered;
  long lost;
  long timedOut;
  long tlsHandshakes;
  long tlsHandshakeFailures;
  final LatencyHistogram latency = new LatencyHistogram();
  ServerState state = ServerState.CONNECTING;
  /**
   * See ServerEndpoints#answersOutOfOrder: learnt from the server's answers, kept until the
   * server is seen down.
   */
  boolean answersOutOfOrder;
  long stateSinceMillis = System.currentTimeMillis();

  /** The server was seen answering a connection's requests out of order. */
  public void answeredOutOfOrder() {
    answersOutOfOrder = true;
  }

  /** The server is down: whatever answers at its address next is learnt afresh. */
  public void orderForgotten() {
    answersOutOfOrder = false;
  }

  public boolean answersOutOfOrder() {
    return answersOutOfOrder;
  }

  public void forwarded() {
    forwarded++;
  }

  /** A final response arrived {@code nanos} after the request was written. */
  public void answered(long nanos) {
    answered++;
    latency.record(nanos);
  }

  /** Operations in flight on a connection that was lost (each answered {@code other (80)}). */
  public void lost(int operations) {
    lost += operations;
  }

  /** Operations that passed the time limit (each answered {@code adminLimitExceeded (11)}). */
  public void timedOut(int operations) {
    timedOut += operations;
  }

  public void tlsHandshake(boolean succeeded) {
    if (succeeded) {
      tlsHandshakes++;
    } else {
      tlsHandshakeFailures++;
    }
  }

  /** The state as this loop sees it now; the time is kept only when it changes. */
  public void state(ServerState now) {
    if (now != state) {
      state = now;
      stateSinceMillis = System.currentTimeMillis();
    }
  }

  public ServerState state() {
    return state;
  }
}
