package org.ldapbalancer.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Diagnostics;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.BindRequest;
import org.ldapbalancer.protocol.Controls;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.MessageRewriter;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.RequestValidator;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.protocol.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads its requests, keeps its bind state and identity, and tracks its
 * operations by the client's message ID until each has had its one final response.
 *
 * <p>Every field belongs to the channel's event loop.
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter implements ClientLink {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  /** Bytes of responses a client that does not read may have waiting before it is cut off. */
  static final long MAX_BACKLOG_BYTES = 64L * 1024 * 1024;

  enum State {
    READY,
    /** A Bind is in flight; other requests get protocolError (RFC 4511 §4.2.1). */
    BINDING,
    /** A multi-step SASL bind is between steps, pinned to one bind connection. */
    SASL_IN_PROGRESS,
    CLOSING
  }

  private final OperationRouter router;
  private final ClientSettings settings;
  private final IntObjectHashMap<Operation> pending = new IntObjectHashMap<>();
  private final LdapMessage view = new LdapMessage();
  private Channel channel;
  private State state = State.READY;
  /** The control added to this client's requests, or null to add none. */
  private ByteBuf identityControl;
  /**
   * Whether {@link #identityControl} matches {@link #authzId}: it is made on the first operation
   * after a bind, so clients that only bind (authentication checks) never pay for it.
   */
  private boolean identityControlMade;
  /** The identity operations run as: {@code dn:...} ({@code dn:} alone when anonymous). */
  private String authzId = "dn:";
  private UpstreamLink saslConnection;

  public ClientConnection(OperationRouter router, ClientSettings settings) {
    this.router = router;
    this.settings = settings;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      if (state != State.CLOSING) {
        // A malformed request must never reach a shared upstream connection: see
        // RequestValidator.
        String problem = RequestValidator.check(view.parse(frame));
        if (problem != null) {
          disconnect(ResultCode.PROTOCOL_ERROR, RequestValidator.diagnostic(view.opTag(), problem));
        } else {
          request(view);
        }
      }
    } catch (MalformedPduException e) {
      disconnect(ResultCode.PROTOCOL_ERROR, "malformed request: " + e.getMessage());
    } finally {
      frame.release();
    }
  }

  private void request(LdapMessage request) throws MalformedPduException {
    int id = request.messageId();
    int tag = request.opTag();
    if (id <= 0) {
      disconnect(ResultCode.PROTOCOL_ERROR, "invalid message ID " + id);
      return;
    }
    switch (tag) {
      case ProtocolOp.UNBIND_REQUEST -> {
        state = State.CLOSING;
        abandonAll();
        channel.close();
      }
      case ProtocolOp.ABANDON_REQUEST -> abandon(Requests.abandonedMessageId(request));
      case ProtocolOp.BIND_REQUEST -> bind(request, id);
      default -> operation(request, id, tag);
    }
  }

  private boolean idInUse(int id) {
    if (pending.containsKey(id)) {
      disconnect(ResultCode.PROTOCOL_ERROR, "message ID " + id + " is already in use");
      return true;
    }
    return false;
  }

  private void operation(LdapMessage request, int id, int tag) throws MalformedPduException {
    int responseTag = ProtocolOp.responseTagFor(tag);
    if (responseTag < 0) {
      disconnect(ResultCode.PROTOCOL_ERROR, "unknown request type 0x" + Integer.toHexString(tag));
      return;
    }
    if (idInUse(id)) {
      return;
    }
    if (state != State.READY) {
      if (state == State.SASL_IN_PROGRESS) {
        endSaslExchange();
      } else {
        respond(id, responseTag, ResultCode.PROTOCOL_ERROR, "bind in progress");
        return;
      }
    }
    if (tag == ProtocolOp.EXTENDED_REQUEST
        && Oids.START_TLS.equals(Requests.extendedRequestName(request))) {
      // RFC 4511 §4.14.2: a server without TLS answers protocolError.
      channel.write(
          Responses.extended(channel.alloc(), id, ResultCode.PROTOCOL_ERROR,
              "StartTLS is not supported", Oids.START_TLS),
          channel.voidPromise());
      router.flushes().add(channel);
      return;
    }
    int limit = settings.maxPendingPerClient();
    if (limit > 0 && pending.size() >= limit) {
      // lloadd's wording, so scripts written against it keep matching.
      respond(id, responseTag, ResultCode.BUSY,
          "pending operation limit reached on this connection");
      return;
    }
    Operation op = new Operation(this, id, tag);
    pending.put(id, op);
    if (!identityControlMade) {
      identityControl = settings.controlFor(authzId);
      identityControlMade = true;
    }
    if (identityControl != null && request.hasControls()
        && Controls.hasProxiedAuthorization(request)) {
      // RFC 4370 allows one such control per request, and the balancer's carries this
      // client's identity: a second one would be refused upstream as a protocol error.
      respond(id, responseTag, ResultCode.UNWILLING_TO_PERFORM,
          "a Proxied Authorization control is passed through only for the balancer's own"
              + " identity (bindconf); other clients are proxied as themselves");
      return;
    }
    int result = router.forward(op, request, identityControl);
    if (result != ResultCode.SUCCESS && result != OperationRouter.WAITING) {
      pending.remove(id);
      op.finish();
      respond(id, responseTag, result, Diagnostics.NO_CONNECTIONS); // as lloadd, for both
    }
    // No need to stop reading this client when upstreams are backlogged: selection passes over
    // backlogged connections and the router's wait for one to drain is bounded in size and
    // time. Stopping here would stall the client for as long as a server hangs.
  }

  private void abandon(int id) {
    Operation op = pending.get(id);
    if (op == null || op.isBind()) {
      return; // RFC 4511 §4.11: nothing to do, and binds cannot be abandoned
    }
    pending.remove(id);
    op.finish();
    UpstreamLink link = op.upstream();
    if (link != null) {
      link.abandon(op);
    } else {
      router.cancel(op);
    }
  }

  private void bind(LdapMessage request, int id) throws MalformedPduException {
    if (idInUse(id)) {
      return;
    }
    if (state == State.BINDING) {
      respond(id, ProtocolOp.BIND_RESPONSE, ResultCode.PROTOCOL_ERROR, "bind in progress");
      return;
    }
    BindRequest bind = BindRequest.parse(request);
    if (bind.version() != 3) {
      respond(id, ProtocolOp.BIND_RESPONSE, ResultCode.PROTOCOL_ERROR,
          "only LDAP version 3 is supported");
      return;
    }
    UpstreamLink pinned = null;
    if (state == State.SASL_IN_PROGRESS) {
      if (bind.isSasl()) {
        pinned = saslConnection; // the next step of the same exchange
        saslConnection = null;
      } else {
        endSaslExchange();
      }
    }
    abandonAll();
    setIdentity("dn:"); // RFC 4511 §4.2.1: anonymous until the bind succeeds
    state = State.BINDING;
    Operation op = new Operation(this, id, ProtocolOp.BIND_REQUEST);
    op.bindDetails(bind.isSasl(), bind.name(), bind.isAnonymous());
    pending.put(id, op);
    router.forwardBind(op, request, pinned);
  }

  @Override
  public void bindCompleted(Operation op, LdapMessage response, int resultCode, String newAuthzId) {
    if (op.isFinished()) {
      return;
    }
    if (resultCode == ResultCode.SASL_BIND_IN_PROGRESS) {
      pending.remove(op.clientMessageId());
      op.finish();
      state = State.SASL_IN_PROGRESS;
      saslConnection = op.upstream(); // the next step must go to the same connection
    } else {
      if (resultCode == ResultCode.SUCCESS) {
        setIdentity(newAuthzId);
      }
      state = State.READY;
      pending.remove(op.clientMessageId());
      op.finish();
    }
    MessageRewriter.write(channel, response, op.clientMessageId());
    router.flushes().add(channel);
  }

  @Override
  public void relay(Operation op, LdapMessage response, boolean isFinal) {
    if (op.isFinished()) {
      return;
    }
    if (isFinal) {
      pending.remove(op.clientMessageId());
      op.finish();
    }
    MessageRewriter.write(channel, response, op.clientMessageId());
    router.flushes().add(channel);
    if (!channel.isWritable() && backlogTooLarge() && state != State.CLOSING) {
      // A Notice of Disconnection would only queue behind what it does not read: just close.
      log.warn("closing client {}: more than {} bytes of responses unread",
          channel.remoteAddress(), MAX_BACKLOG_BYTES);
      state = State.CLOSING;
      abandonAll();
      channel.close();
    }
  }

  /**
   * Whether responses waiting for this client exceed {@link #MAX_BACKLOG_BYTES}. Upstream
   * connections are shared, so they keep being read whatever one client does; a client that
   * stops reading is cut off here rather than allowed to hold memory without bound.
   */
  private boolean backlogTooLarge() {
    var outbound = channel.unsafe().outboundBuffer();
    return outbound != null && outbound.totalPendingWriteBytes() > MAX_BACKLOG_BYTES;
  }

  @Override
  public void fail(Operation op, int resultCode, String diagnostic) {
    if (!op.finish()) {
      return;
    }
    pending.remove(op.clientMessageId());
    if (op.isBind() && state == State.BINDING) {
      state = State.READY; // and anonymous, as after any failed bind
    }
    if (state != State.CLOSING) {
      respond(op.clientMessageId(), op.responseTag(), resultCode, diagnostic);
    }
  }

  private void respond(int id, int responseTag, int resultCode, String diagnostic) {
    channel.write(
        Responses.result(channel.alloc(), id, responseTag, resultCode, diagnostic),
        channel.voidPromise());
    router.flushes().add(channel);
  }

  private void setIdentity(String newAuthzId) {
    if (!newAuthzId.equals(authzId)) {
      authzId = newAuthzId;
      identityControlMade = false;
    }
  }

  private void endSaslExchange() {
    state = State.READY;
    if (saslConnection != null) {
      UpstreamLink link = saslConnection;
      saslConnection = null;
      link.releaseSaslPin();
    }
  }

  /** Abandons every pending operation upstream; none of them will be answered. */
  private void abandonAll() {
    if (pending.isEmpty()) {
      return;
    }
    ArrayList<Operation> ops = new ArrayList<>(pending.values());
    pending.clear();
    for (Operation op : ops) {
      op.finish();
      UpstreamLink link = op.upstream();
      if (link != null) {
        link.abandon(op);
      } else {
        router.cancel(op);
      }
    }
  }

  /** Sends a Notice of Disconnection (RFC 4511 §4.4.1) and closes. */
  public void disconnect(int resultCode, String diagnostic) {
    if (state == State.CLOSING) {
      return;
    }
    log.info("closing client {}: {}", channel.remoteAddress(), diagnostic);
    state = State.CLOSING;
    abandonAll();
    channel
        .writeAndFlush(Responses.noticeOfDisconnection(channel.alloc(), resultCode, diagnostic))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    router.flushes().flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // A client that does not read its responses stops being read from, so it cannot queue more
    // work; responses already on their way are still buffered for it.
    if (state != State.CLOSING) {
      ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() instanceof MalformedPduException) {
      disconnect(ResultCode.PROTOCOL_ERROR, cause.getCause().getMessage());
    } else {
      log.debug("client {}: {}", ctx.channel().remoteAddress(), cause.toString());
      state = State.CLOSING;
      abandonAll();
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSING;
    abandonAll();
    if (saslConnection != null) {
      endSaslExchange();
      state = State.CLOSING;
    }
    router.flushes().flush();
    ctx.fireChannelInactive();
  }
}
