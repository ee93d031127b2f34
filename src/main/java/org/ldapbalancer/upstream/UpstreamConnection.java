package org.ldapbalancer.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Diagnostics;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.MessageRewriter;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.protocol.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to an upstream server: its own bind as {@code bindconf} (regular connections),
 * the map from upstream message ID to operation, and relaying of responses.
 *
 * <p>A bind connection carries client binds, one at a time; after a successful SASL bind it asks
 * Who Am I? (RFC 4532) on the same connection to learn the identity before relaying the bind
 * response.
 *
 * <p>Every field belongs to the channel's event loop.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter implements UpstreamLink {
  private static final Logger log = LoggerFactory.getLogger(UpstreamConnection.class);

  enum State {
    CONNECTING,
    BINDING,
    READY,
    CLOSED
  }

  private final ServerPool pool;
  private final boolean bindConnection;
  private final IntObjectHashMap<Operation> pending = new IntObjectHashMap<>();
  private final IntPredicate idInUse = this::idInUse;
  private final MessageIds messageIds;
  private final LdapMessage view = new LdapMessage();
  private Channel channel;
  private State state = State.CONNECTING;
  private ScheduledFuture<?> setupTimeout;
  private int ownRequestId = -1;
  /** The bind whose identity a Who Am I? request in flight will tell; null if none or orphaned. */
  private Operation whoAmIFor;
  private ByteBuf heldBindResponse;
  private boolean saslPinned;
  private String setupFailure;
  /** Closed by this side (with its own log line), not lost. */
  private boolean closedHere;

  UpstreamConnection(ServerPool pool, boolean bindConnection, int firstMessageId) {
    this.pool = pool;
    this.bindConnection = bindConnection;
    this.messageIds = new MessageIds(firstMessageId);
  }

  boolean isBindConnection() {
    return bindConnection;
  }

  State state() {
    return state;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    if (!bindConnection && pool.bindConf().method() == BindMethod.SIMPLE) {
      state = State.BINDING;
      ownRequestId = messageIds.next(idInUse);
      long timeout = pool.bindConf().networkTimeout().toMillis();
      if (timeout > 0) { // network-timeout=0: no limit (lloadd.conf(5)), not an instant failure
        setupTimeout =
            ctx.executor()
                .schedule(() -> closeWith("no bind response within " + timeout + " ms"), timeout,
                    TimeUnit.MILLISECONDS);
      }
      ctx.writeAndFlush(
          Requests.simpleBind(
              ctx.alloc(), ownRequestId, pool.bindConf().bindDn(), pool.bindConf().credentials()));
    } else {
      becomeReady();
    }
    ctx.fireChannelActive();
  }

  private void becomeReady() {
    if (setupTimeout != null) {
      setupTimeout.cancel(false);
      setupTimeout = null;
    }
    ownRequestId = -1;
    state = State.READY;
    pool.connectionReady(this);
  }

  @Override
  public boolean isReady() {
    return state == State.READY;
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public int pendingOps() {
    if (bindConnection) { // counts what keeps it from taking another bind
      return pending.size() + (ownRequestId >= 0 || saslPinned ? 1 : 0);
    }
    return pending.size();
  }

  @Override
  public boolean isIdleBindConnection() {
    return bindConnection && pending.isEmpty() && whoAmIFor == null && ownRequestId < 0;
  }

  private boolean idInUse(int id) {
    return id == ownRequestId || pending.containsKey(id);
  }

  @Override
  public void forward(Operation op, LdapMessage request, ByteBuf control) {
    int id = messageIds.next(idInUse);
    pending.put(id, op);
    op.forwardedTo(this, id, pool.timeoutsEnabled() ? System.nanoTime() : 0L);
    if (control == null) {
      MessageRewriter.write(channel, request, id);
    } else {
      MessageRewriter.writeWithControl(channel, request, id, control);
    }
    if (op.isBind()) {
      saslPinned = false;
    }
    pool.operationStarted();
    pool.flushes().add(channel);
  }

  @Override
  public void abandon(Operation op) {
    op.detachUpstream();
    if (op == whoAmIFor) {
      whoAmIFor = null; // its answer is still awaited, then dropped
      return;
    }
    if (bindConnection) {
      // A bind cannot be abandoned (RFC 4511 §4.11); its response is dropped by the client,
      // which has finished the operation, and the connection is idle again after it.
      return;
    }
    if (pending.remove(op.upstreamMessageId()) != null) {
      pool.operationEnded();
      if (state == State.READY) {
        channel.write(
            Requests.abandon(channel.alloc(), messageIds.next(idInUse), op.upstreamMessageId()),
            channel.voidPromise());
        pool.flushes().add(channel);
      }
    }
  }

  /** Lets a pinned SASL exchange go: the client abandoned it or went away. */
  @Override
  public void releaseSaslPin() {
    if (saslPinned) {
      saslPinned = false;
      pool.bindConnectionIdle(this);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      view.parse(frame);
      int id = view.messageId();
      if (id == ownRequestId) {
        ownResponse(id);
      } else if (id == 0) {
        closeWith("unsolicited notification from the server");
      } else {
        response(id, frame);
      }
    } catch (MalformedPduException e) {
      closeWith("malformed PDU: " + e.getMessage());
    } finally {
      frame.release();
    }
  }

  private void response(int id, ByteBuf frame) throws MalformedPduException {
    Operation op = pending.get(id);
    if (op == null) {
      return; // abandoned, timed out, or from an orphaned bind: dropped
    }
    int tag = view.opTag();
    if (ProtocolOp.isIntermediateResponse(tag)) {
      op.client().relay(op, view, false);
      return;
    }
    if (tag != op.responseTag()) {
      closeWith("response of type 0x" + Integer.toHexString(tag) + " to a request of type 0x"
          + Integer.toHexString(op.requestTag()));
      return;
    }
    pending.remove(id);
    pool.operationEnded();
    if (op.isBind()) {
      bindResponse(op, frame); // detaches once the client knows which connection it was
    } else {
      op.detachUpstream();
      op.client().relay(op, view, true);
    }
  }

  private void bindResponse(Operation op, ByteBuf frame) throws MalformedPduException {
    int code = Responses.resultCode(view);
    if (code == ResultCode.SUCCESS && op.isSaslBind()) {
      // Still attached until Who Am I? answers, so a client leaving meanwhile reaches abandon().
      heldBindResponse = frame.retain();
      whoAmIFor = op;
      ownRequestId = messageIds.next(idInUse);
      channel.write(Requests.whoAmI(channel.alloc(), ownRequestId), channel.voidPromise());
      pool.flushes().add(channel);
      return;
    }
    String authzId = null;
    if (code == ResultCode.SUCCESS) {
      authzId = op.isAnonymousBind() ? "dn:" : "dn:" + op.bindDn();
    }
    saslPinned = code == ResultCode.SASL_BIND_IN_PROGRESS && !op.isFinished();
    op.client().bindCompleted(op, view, code, authzId);
    op.detachUpstream();
    if (!saslPinned) {
      pool.bindConnectionIdle(this);
    }
  }

  /** The response to a request the balancer sent itself: its bind, or a Who Am I?. */
  private void ownResponse(int id) throws MalformedPduException {
    int code = Responses.resultCode(view);
    if (state == State.BINDING) {
      if (code == ResultCode.SUCCESS) {
        becomeReady();
      } else {
        closeWith("the server refused the bindconf credentials (result " + code + ")");
      }
      return;
    }
    ownRequestId = -1;
    Operation op = whoAmIFor;
    whoAmIFor = null;
    ByteBuf bindResponse = heldBindResponse;
    heldBindResponse = null;
    try {
      if (op != null) {
        String authzId = code == ResultCode.SUCCESS ? Responses.extendedResponseValue(view) : null;
        if (authzId == null) {
          log.warn("{}: Who Am I? after a SASL bind failed (result {}); the client stays anonymous",
              pool.name(), code);
          authzId = "dn:";
        } else if (authzId.isEmpty()) {
          authzId = "dn:";
        }
        op.detachUpstream();
        ClientLink client = op.client();
        client.bindCompleted(op, new LdapMessage().parse(bindResponse), ResultCode.SUCCESS, authzId);
      }
    } finally {
      bindResponse.release();
    }
    pool.bindConnectionIdle(this);
  }

  /** Fails operations that have waited longer than the operation time limit. */
  void expire(long nowNanos, long timeoutNanos) {
    if (whoAmIFor != null && nowNanos - whoAmIFor.startNanos() >= timeoutNanos) {
      // A SASL bind that succeeded but whose identity never came: the client is answered and
      // the connection, in an unknown state, is replaced.
      Operation op = whoAmIFor;
      whoAmIFor = null;
      op.detachUpstream();
      op.client().fail(op, ResultCode.ADMIN_LIMIT_EXCEEDED, Diagnostics.TIMED_OUT);
      closeWith("no answer to Who Am I? in time");
      return;
    }
    if (pending.isEmpty()) {
      return;
    }
    ArrayList<Operation> expired = null;
    for (Operation op : pending.values()) {
      if (nowNanos - op.startNanos() >= timeoutNanos) {
        if (expired == null) {
          expired = new ArrayList<>();
        }
        expired.add(op);
      }
    }
    if (expired == null) {
      return;
    }
    for (Operation op : expired) {
      ClientLink client = op.client();
      abandon(op);
      client.fail(op, ResultCode.ADMIN_LIMIT_EXCEEDED, Diagnostics.TIMED_OUT);
    }
    if (bindConnection) {
      closeWith("a bind got no response in time"); // its state is unknown: start afresh
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && state == State.READY) {
      pool.connectionDrained(this); // requests held back by the backlog may go now
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    pool.flushes().flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() instanceof MalformedPduException) {
      closeWith(cause.getCause().getMessage());
    } else {
      closeWith(cause.toString());
    }
  }

  void closeWith(String reason) {
    if (state != State.CLOSED && channel != null && channel.isOpen()) {
      closedHere = true;
      if (state == State.READY) {
        log.warn("{}: closing upstream connection: {}", pool.name(), reason);
      } else {
        setupFailure = reason; // the pool reports it, once per outage rather than per retry
      }
      channel.close();
    }
  }

  /** Why setting the connection up failed, or null. */
  String setupFailure() {
    return setupFailure;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    boolean wasReady = state == State.READY;
    state = State.CLOSED;
    if (setupTimeout != null) {
      setupTimeout.cancel(false);
    }
    if (wasReady && !closedHere && !pool.isClosed()) {
      log.warn("{}: connection lost; {} operations in flight answered other (80)",
          pool.name(), pending.size() + (whoAmIFor != null ? 1 : 0));
    }
    failAll();
    pool.connectionClosed(this, wasReady);
    pool.flushes().flush();
    ctx.fireChannelInactive();
  }

  /** Every pending operation gets {@code other (80)} now; none is left without an answer. */
  private void failAll() {
    if (!pending.isEmpty()) {
      ArrayList<Operation> ops = new ArrayList<>(pending.values());
      pending.clear();
      pool.operationsEnded(ops.size());
      for (Operation op : ops) {
        op.detachUpstream();
        op.client().fail(op, ResultCode.OTHER, Diagnostics.SEVERED);
      }
    }
    if (whoAmIFor != null) {
      Operation op = whoAmIFor;
      whoAmIFor = null;
      op.detachUpstream();
      op.client().fail(op, ResultCode.OTHER, Diagnostics.SEVERED);
    }
    if (heldBindResponse != null) {
      heldBindResponse.release();
      heldBindResponse = null;
    }
  }
}
