package org.ldapbalancer.monitor;

/**
 * What happened to the operations of one event loop, by type and result code, and its client
 * connections and their TLS handshakes.
 *
 * <p>Owned by one event loop: only that loop writes, with plain increments and no allocation, so
 * the per-operation cost is an array store. Other threads never read the fields; a snapshot is
 * taken by a task on the loop ({@link #copy()}) and summed elsewhere ({@link #add}).
 *
 * <p>Every answered operation ends in exactly one of: completed (a server's final response was
 * relayed), rejected (the balancer answered it without forwarding it), failed (forwarded, then
 * answered by the balancer: the upstream was lost or the time limit passed), abandoned (the client
 * abandoned it, rebound or left; nothing is answered). So {@code received = completed + rejected +
 * failed + abandoned + in flight}.
 */
public final class OperationCounters {
  /**
   * Result codes 0 to 126 have a slot of their own; every other code (the 4096+ range of some
   * extensions, a negative code from a broken server) shares the last, labelled {@code above126}.
   */
  public static final int RESULT_SLOTS = 128;

  private static final int OTHER_CODES = RESULT_SLOTS - 1;

  final long[] received = new long[OpType.COUNT];
  final long[] forwarded = new long[OpType.COUNT];
  final long[] abandoned = new long[OpType.COUNT];
  final long[] completed = new long[OpType.COUNT * RESULT_SLOTS];
  final long[] rejected = new long[OpType.COUNT * RESULT_SLOTS];
  final long[] failed = new long[OpType.COUNT * RESULT_SLOTS];
  long clientsAccepted;
  long clientsClosed;
  long tlsHandshakes;
  long tlsHandshakeFailures;

  /** A request that becomes an operation arrived; {@code requestTag} as on the wire. */
  public void received(int requestTag) {
    int t = OpType.ofRequest(requestTag);
    if (t >= 0) {
      received[t]++;
    }
  }

  /** The operation was written to an upstream connection. */
  public void forwarded(int requestTag) {
    int t = OpType.ofRequest(requestTag);
    if (t >= 0) {
      forwarded[t]++;
    }
  }

  /** A server's final response to it was relayed to the client. */
  public void completed(int requestTag, int resultCode) {
    count(completed, OpType.ofRequest(requestTag), resultCode);
  }

  /** The balancer answered it (busy, unavailable, protocolError, ...) without forwarding it. */
  public void rejected(int requestTag, int resultCode) {
    count(rejected, OpType.ofRequest(requestTag), resultCode);
  }

  /** Like {@link #rejected}, for an answer known by its response tag. */
  public void rejectedWith(int responseTag, int resultCode) {
    count(rejected, OpType.ofResponse(responseTag), resultCode);
  }

  /** It was forwarded and the balancer answered it: the upstream was lost, or it timed out. */
  public void failed(int requestTag, int resultCode) {
    count(failed, OpType.ofRequest(requestTag), resultCode);
  }

  /** The client abandoned it, rebound or left: it ends without an answer. */
  public void abandoned(int requestTag) {
    int t = OpType.ofRequest(requestTag);
    if (t >= 0) {
      abandoned[t]++;
    }
  }

  public void clientAccepted() {
    clientsAccepted++;
  }

  public void clientClosed() {
    clientsClosed++;
  }

  /** A client's TLS handshake ended ({@code ldaps://} or StartTLS). */
  public void clientTlsHandshake(boolean succeeded) {
    if (succeeded) {
      tlsHandshakes++;
    } else {
      tlsHandshakeFailures++;
    }
  }

  private static void count(long[] table, int type, int resultCode) {
    if (type >= 0) {
      table[type * RESULT_SLOTS + slot(resultCode)]++;
    }
  }

  static int slot(int resultCode) {
    return resultCode >= 0 && resultCode < OTHER_CODES ? resultCode : OTHER_CODES;
  }

  /** The {@code result} label of a slot. */
  public static String resultLabel(int slot) {
    return slot == OTHER_CODES ? "above126" : ResultNames.name(slot);
  }

  /** A copy of the counts as they are now; run on the owning loop. */
  public OperationCounters copy() {
    OperationCounters c = new OperationCounters();
    c.add(this);
    return c;
  }

  /** Adds {@code other}'s counts to these; neither may be written meanwhile. */
  public void add(OperationCounters other) {
    addAll(received, other.received);
    addAll(forwarded, other.forwarded);
    addAll(abandoned, other.abandoned);
    addAll(completed, other.completed);
    addAll(rejected, other.rejected);
    addAll(failed, other.failed);
    clientsAccepted += other.clientsAccepted;
    clientsClosed += other.clientsClosed;
    tlsHandshakes += other.tlsHandshakes;
    tlsHandshakeFailures += other.tlsHandshakeFailures;
  }

  private static void addAll(long[] into, long[] from) {
    for (int i = 0; i < into.length; i++) {
      into[i] += from[i];
    }
  }

  /** Requests of a type received. */
  public long receivedOf(int type) {
    return received[type];
  }

  public long forwardedOf(int type) {
    return forwarded[type];
  }

  public long abandonedOf(int type) {
    return abandoned[type];
  }

  public long completedOf(int type, int slot) {
    return completed[type * RESULT_SLOTS + slot];
  }

  public long rejectedOf(int type, int slot) {
    return rejected[type * RESULT_SLOTS + slot];
  }

  public long failedOf(int type, int slot) {
    return failed[type * RESULT_SLOTS + slot];
  }

  /** Completed operations of a type, whatever their result. */
  public long completedOf(int type) {
    return sum(completed, type);
  }

  public long rejectedOf(int type) {
    return sum(rejected, type);
  }

  public long failedOf(int type) {
    return sum(failed, type);
  }

  private static long sum(long[] table, int type) {
    long s = 0;
    for (int i = type * RESULT_SLOTS, end = i + RESULT_SLOTS; i < end; i++) {
      s += table[i];
    }
    return s;
  }

  public long clientsAccepted() {
    return clientsAccepted;
  }

  /** Client connections open now. */
  public long clientsOpen() {
    return clientsAccepted - clientsClosed;
  }

  public long tlsHandshakes() {
    return tlsHandshakes;
  }

  public long tlsHandshakeFailures() {
    return tlsHandshakeFailures;
  }
}
