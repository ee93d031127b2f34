package org.ldapbalancer.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.ldapbalancer.log.RateLimitedLog;
import org.ldapbalancer.operation.BindOperation;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Diagnostics;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.protocol.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bind connection: carries client binds, one at a time. After a successful SASL bind it asks
 * Who Am I? (RFC 4532) on the same connection to learn the identity before relaying the bind
 * response. A multi-step SASL exchange holds (pins) the connection for its client between steps,
 * for at most {@link ServerPool#saslStepTimeoutNanos()}.
 *
 * <p>A server continues a SASL exchange when the next bind on the connection names the same
 * mechanism, whichever client sends it: an exchange given up between steps is therefore ended on
 * the server with an anonymous simple bind before the connection takes another client's bind.
 * A connection whose state is unknown (a bind that got no answer in time) is replaced.
 *
 * <p>Every field belongs to the channel's event loop.
 */
final class BindConnection extends UpstreamConnection {
  private static final Logger log = LoggerFactory.getLogger(BindConnection.class);

  /** The message ID of the Who Am I? request in flight, or -1. */
  private int whoAmIId = -1;
  /** The bind whose identity the Who Am I? in flight will tell; null if none or orphaned. */
  private BindOperation whoAmIFor;
  /** When Who Am I? was sent: an answer that never comes must not hold the connection. */
  private long whoAmISinceNanos;
  /** The successful bind response, relayed once Who Am I? has answered. */
  private ByteBuf heldBindResponse;
  /** The client whose multi-step SASL exchange holds this connection between steps, or null. */
  private ClientLink saslOwner;

  private long saslSinceNanos;
  /** The message ID of the anonymous bind that ends an abandoned exchange, or -1. */
  private int resetId = -1;

  private long resetSinceNanos;

  BindConnection(ServerPool pool, int firstMessageId) {
    super(pool, firstMessageId);
  }

  @Override
  boolean isBindConnection() {
    return true;
  }

  @Override
  void secured(ChannelHandlerContext ctx) {
    becomeReady();
  }

  /** Counts what keeps it from taking another bind: a bind, Who Am I?, a pinned exchange. */
  @Override
  public int pendingOps() {
    return pending.size() + (whoAmIId >= 0 || resetId >= 0 || saslOwner != null ? 1 : 0);
  }

  /** Ready, and nothing keeps it from taking a bind. */
  boolean isIdle() {
    return isReady() && pendingOps() == 0;
  }

  @Override
  public boolean holdsSaslExchangeOf(ClientLink client) {
    return saslOwner == client && isReady() && pending.isEmpty() && whoAmIId < 0 && resetId < 0;
  }

  @Override
  public void forward(Operation op, LdapMessage request, ByteBuf control) {
    saslOwner = null; // the next step of a pinned exchange, or a bind on an idle connection
    super.forward(op, request, control);
  }

  @Override
  public void abandon(Operation op) {
    op.detachUpstream();
    if (op == whoAmIFor) {
      whoAmIFor = null; // its answer is still awaited, then dropped
    }
    // A bind cannot be abandoned (RFC 4511 §4.11): its response is dropped by the client, which
    // has finished the operation, and the connection is idle again after it.
  }

  @Override
  public void releaseSaslPin(ClientLink client) {
    if (client != null && saslOwner == client) {
      saslOwner = null;
      endExchangeOnServer();
    }
  }

  /** An anonymous simple bind: the server forgets the exchange (RFC 4513 §5.1.1). */
  private void endExchangeOnServer() {
    if (!isReady()) {
      return;
    }
    resetId = messageIds.next(idInUse);
    resetSinceNanos = System.nanoTime();
    writeOwn(Requests.simpleBind(channel.alloc(), resetId, "", ""));
  }

  @Override
  boolean isOwnRequest(int id) {
    return id == whoAmIId || id == resetId;
  }

  @Override
  void completed(Operation op, ByteBuf frame) throws MalformedPduException {
    BindOperation bind = (BindOperation) op;
    int code = Responses.resultCode(view);
    if (code == ResultCode.SUCCESS && bind.isSasl()) {
      // Still attached until Who Am I? answers, so a client leaving meanwhile reaches abandon().
      heldBindResponse = frame.retain();
      whoAmIFor = bind;
      whoAmIId = messageIds.next(idInUse);
      whoAmISinceNanos = System.nanoTime();
      writeOwn(Requests.whoAmI(channel.alloc(), whoAmIId));
      return;
    }
    if (code == ResultCode.SASL_BIND_IN_PROGRESS && op.isFinished()) {
      // Its client left during the step: the server holds an exchange that the next bind here
      // would continue, so it is ended before the connection serves anyone else.
      op.detachUpstream();
      endExchangeOnServer();
      return;
    }
    String authzId = code == ResultCode.SUCCESS ? bind.simpleBindAuthzId() : null;
    if (code == ResultCode.SASL_BIND_IN_PROGRESS) {
      saslOwner = op.client();
      saslSinceNanos = System.nanoTime();
    }
    op.client().bindCompleted(op, view, code, authzId);
    op.detachUpstream();
    if (saslOwner == null) {
      pool.bindConnectionIdle();
    }
  }

  /** The answer to Who Am I? (the identity a SASL bind established), or to a reset. */
  @Override
  void ownResponse() throws MalformedPduException {
    int code = Responses.resultCode(view);
    if (view.messageId() == resetId) {
      // Any answer ends the exchange: a simple bind aborts a SASL negotiation, and after a
      // refused bind the connection is anonymous (RFC 4511 §4.2.1). slapd with "disallow
      // bind_anon" resets first and answers inappropriateAuthentication (48): no reason to
      // replace the connection.
      resetId = -1;
      pool.bindConnectionIdle();
      return;
    }
    whoAmIId = -1;
    BindOperation op = whoAmIFor;
    whoAmIFor = null;
    ByteBuf bindResponse = heldBindResponse;
    heldBindResponse = null;
    try {
      if (op != null && code != ResultCode.SUCCESS) {
        // Without the identity the bind established the client could only be proxied as
        // anonymous: it is not told its bind succeeded (lloadd answers other too).
        RateLimitedLog.DEFAULT.warn(log,
            "{}: Who Am I? after a SASL bind failed (result {}); the bind is answered other (80)",
            pool.name(), code);
        op.client().fail(op, ResultCode.OTHER,
            "the server did not say whom the bind authenticated (Who Am I? result " + code + ")");
        op.detachUpstream();
      } else if (op != null) {
        String authzId = Responses.extendedResponseValue(view);
        if (authzId == null || authzId.isEmpty()) {
          authzId = "dn:"; // RFC 4532: an empty identity is the anonymous one
        }
        op.client()
            .bindCompleted(op, new LdapMessage().parse(bindResponse), ResultCode.SUCCESS, authzId);
        op.detachUpstream(); // after, as on the other paths: the client side may name the server
      }
    } finally {
      bindResponse.release();
    }
    pool.bindConnectionIdle();
  }

  @Override
  void expire(long nowNanos, long timeoutNanos) {
    if (saslOwner != null && nowNanos - saslSinceNanos >= pool.saslStepTimeoutNanos()) {
      // A client that never sends its next step would hold the connection, and with enough such
      // clients every bind connection, for ever.
      ClientLink owner = saslOwner;
      saslOwner = null;
      owner.saslExchangeEnded(this);
      endExchangeOnServer();
      return;
    }
    if (resetId >= 0 && nowNanos - resetSinceNanos >= pool.saslStepTimeoutNanos()) {
      closeWith("no answer to an anonymous bind in time");
      return;
    }
    if (whoAmIId >= 0 && whoAmIFor == null
        && nowNanos - whoAmISinceNanos >= pool.saslStepTimeoutNanos()) {
      // Its client left; without an answer the connection would never be idle again.
      closeWith("no answer to Who Am I? in time");
      return;
    }
    if (timeoutNanos > 0 && whoAmIFor != null && nowNanos - whoAmIFor.startNanos() >= timeoutNanos) {
      // A SASL bind that succeeded but whose identity never came: the client is answered and
      // the connection, in an unknown state, is replaced.
      BindOperation op = whoAmIFor;
      whoAmIFor = null;
      op.detachUpstream();
      pool.operationsTimedOut(1);
      op.client().fail(op, ResultCode.ADMIN_LIMIT_EXCEEDED, Diagnostics.TIMED_OUT);
      closeWith("no answer to Who Am I? in time");
      return;
    }
    super.expire(nowNanos, timeoutNanos);
  }

  @Override
  void operationsExpired() {
    closeWith("a bind got no response in time"); // its state is unknown: start afresh
  }

  @Override
  int operationsInFlight() {
    return super.operationsInFlight() + (whoAmIFor != null ? 1 : 0);
  }

  @Override
  void closed() {
    super.closed();
    if (whoAmIFor != null) {
      BindOperation op = whoAmIFor;
      whoAmIFor = null;
      op.detachUpstream();
      op.client().fail(op, ResultCode.OTHER, Diagnostics.SEVERED);
    }
    if (heldBindResponse != null) {
      heldBindResponse.release();
      heldBindResponse = null;
    }
    if (saslOwner != null) {
      ClientLink owner = saslOwner;
      saslOwner = null;
      owner.saslExchangeEnded(this);
    }
  }
}
