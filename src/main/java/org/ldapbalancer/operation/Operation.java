package org.ldapbalancer.operation;

import org.ldapbalancer.balancing.Paging;
import org.ldapbalancer.balancing.Pin;
import org.ldapbalancer.protocol.ProtocolOp;

/**
 * One client request and everything that answers it: the record that links the client's
 * message ID to the upstream connection and message ID it was forwarded under.
 *
 * <p>Owned by one event loop: the client's, which is also the upstream connection's (each event
 * loop has its own upstream connections). No field is touched from any other thread.
 *
 * <p>Invariant: an operation is in its client's map until its final response (relayed or made
 * locally) has been written, and in its upstream's map from forwarding until its final response
 * arrives, it is abandoned, or the upstream is lost. {@link #finish()} guards "exactly one final
 * response".
 */
public class Operation {
  private final ClientLink client;
  private final int clientMessageId;
  private final int requestTag;
  private UpstreamLink upstream;
  private int upstreamMessageId;
  private long startNanos;
  /** Where the time limit runs from: forwarding, or the last response seen by a sweep. */
  private long lastActivityNanos;
  /** A response (entry, reference, intermediate) came since the last {@link #waitedFor} check. */
  private boolean respondedSinceCheck;
  private boolean finished;
  /** The pin it asks for, then the one it was sent under (see Affinity#forwarded). */
  private Pin pin = Pin.NONE;
  private Paging paging = Paging.NONE;
  /** A search of the root DSE, whose entry the client side filters. */
  private boolean rootDse;
  /**
   * A search that asks for a persistent phase (syncrepl refreshAndPersist, persistent search):
   * once it streams, no time limit applies to it.
   */
  private boolean persistent;
  /**
   * It has had a response before its final one (an entry, reference or intermediate response):
   * it streams, and no longer counts against its connection's and server's pending limits.
   */
  private boolean streaming;

  /** Waiting in one of the router's queues (which hold the request meanwhile). */
  boolean waiting;

  public Operation(ClientLink client, int clientMessageId, int requestTag) {
    this.client = client;
    this.clientMessageId = clientMessageId;
    this.requestTag = requestTag;
  }

  public ClientLink client() {
    return client;
  }

  public int clientMessageId() {
    return clientMessageId;
  }

  public int requestTag() {
    return requestTag;
  }

  /**
   * The protocolOp tag of the final response the upstream sends: the client's, unless the
   * request travels upstream as another operation (a Bind as Verify Credentials).
   */
  public int upstreamResponseTag() {
    return responseTag();
  }

  /** The tag of the final response this operation expects. */
  public int responseTag() {
    return ProtocolOp.responseTagFor(requestTag);
  }

  public boolean isBind() {
    return requestTag == ProtocolOp.BIND_REQUEST;
  }

  public UpstreamLink upstream() {
    return upstream;
  }

  public int upstreamMessageId() {
    return upstreamMessageId;
  }

  /** Records where the operation was forwarded; called by the upstream link. */
  public final void forwardedTo(UpstreamLink link, int messageId, long nanos) {
    this.upstream = link;
    this.upstreamMessageId = messageId;
    this.startNanos = nanos;
    this.lastActivityNanos = nanos;
  }

  /**
   * A response that is not the final one arrived. Only a mark: the time limit's clock is moved
   * by the periodic check, so a search streaming many entries costs no clock read per entry.
   */
  public final void responded() {
    respondedSinceCheck = true;
  }

  /**
   * Whether the operation has gone {@code timeoutNanos} without a response: lloadd's {@code
   * bindconf timeout} runs from the last response, not from the request, so a long search that
   * keeps sending entries is never cut. Called by the periodic check (every 100 ms), which is
   * also the resolution of "the last response".
   */
  public final boolean waitedFor(long nowNanos, long timeoutNanos) {
    if (respondedSinceCheck) {
      respondedSinceCheck = false;
      lastActivityNanos = nowNanos;
      return false;
    }
    return nowNanos - lastActivityNanos >= timeoutNanos;
  }

  /** Unlinks the operation from its upstream, which no longer knows it. */
  public void detachUpstream() {
    this.upstream = null;
  }

  /** Whether it has, or was sent under, any affinity: then its end must be reported to it. */
  public boolean hasAffinity() {
    return pin != Pin.NONE || paging != Paging.NONE;
  }

  public Pin pin() {
    return pin;
  }

  public void pin(Pin pin) {
    this.pin = pin;
  }

  public boolean readsRootDse() {
    return rootDse;
  }

  public void readsRootDse(boolean rootDse) {
    this.rootDse = rootDse;
  }

  public Paging paging() {
    return paging;
  }

  public void paging(Paging paging) {
    this.paging = paging;
  }

  public long startNanos() {
    return startNanos;
  }

  /** Whether it was ever written to an upstream connection (its upstream message ID stays set). */
  public boolean wasForwarded() {
    return upstreamMessageId != 0;
  }

  public boolean isStreaming() {
    return streaming;
  }

  public void startStreaming() {
    streaming = true;
  }

  public boolean isPersistent() {
    return persistent;
  }

  public void persistent(boolean persistent) {
    this.persistent = persistent;
  }

  /**
   * Marks the final response as sent.
   *
   * @return false if it had been already, in which case the caller must not send another
   */
  public boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    return true;
  }

  public boolean isFinished() {
    return finished;
  }

  public boolean isWaiting() {
    return waiting;
  }
}
