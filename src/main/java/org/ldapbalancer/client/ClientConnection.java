package org.ldapbalancer.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.ldapbalancer.balancing.Affinity;
import org.ldapbalancer.balancing.Paging;
import org.ldapbalancer.balancing.Pin;
import org.ldapbalancer.monitor.ClientSnapshot;
import org.ldapbalancer.monitor.tree.MonitorAddress;
import org.ldapbalancer.monitor.tree.MonitorAnswer;
import org.ldapbalancer.monitor.tree.MonitorView;
import org.ldapbalancer.operation.Backlogs;
import org.ldapbalancer.operation.BindOperation;
import org.ldapbalancer.log.RateLimitedLog;
import org.ldapbalancer.monitor.access.ConnectionAccessLog;
import org.ldapbalancer.monitor.OperationCounters;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Diagnostics;
import org.ldapbalancer.operation.FlushBatch;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.BindRequest;
import org.ldapbalancer.protocol.Controls;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.MessageRewriter;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.RequestValidator;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.protocol.Responses;
import org.ldapbalancer.protocol.RootDse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads its requests, keeps its bind state and identity, and tracks its
 * operations by the client's message ID until each has had its one final response.
 *
 * <p>Every field belongs to the channel's event loop.
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter
    implements ClientLink, Backlogs.Backlogged {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  /** Numbers client connections for cn=Monitor, in accept order. */
  private static final AtomicLong CONNECTION_IDS = new AtomicLong();

  /** Bytes of responses a client that does not read may have waiting before it is cut off. */
  static final long MAX_BACKLOG_BYTES = 64L * 1024 * 1024;

  /** The pipeline name of the TLS handler, first in the pipeline once TLS is in effect. */
  static final String TLS_HANDLER = "tls";

  /** The diagnostic of everything refused, and of the notice sent, while shutting down. */
  public static final String SHUTTING_DOWN = "the server is shutting down";

  enum State {
    READY,
    /**
     * A Bind is in flight; other requests get protocolError (RFC 4511 §4.2.1), another Bind
     * replaces it.
     */
    BINDING,
    /** A multi-step SASL bind is between steps, pinned to one bind connection. */
    SASL_IN_PROGRESS,
    /**
     * StartTLS answered with success: reads are paused until the TLS handler is in place
     * (RFC 4511 §4.14.1: the client sends nothing more before the response).
     */
    TLS_PENDING,
    CLOSING
  }

  private final OperationRouter router;
  /** This loop's counters: every received request and every way an operation ends. */
  private final OperationCounters counters;
  private final ClientSettings settings;
  private final LdapFrameDecoder framer;
  /**
   * {@code iotimeout}: a partly received request, or responses the client takes none of; made
   * the first time either happens, so that an idle client does not carry it.
   */
  private ClientIoTimeout ioTimeout;
  private final IntObjectHashMap<Operation> pending = new IntObjectHashMap<>();
  private final long connectionId = CONNECTION_IDS.incrementAndGet();
  /** This connection's operations, for cn=Monitor: received, completed, failed. */
  private long received;
  private long completed;
  private long failed;
  private final LdapMessage view = new LdapMessage();
  private Channel channel;
  /**
   * The client's address wherever the balancer names the client: the socket's peer, or the one a
   * PROXY protocol header gave ({@link ProxyHeaderHandler}).
   */
  private SocketAddress peer;
  /** This channel's place in the loop's end-of-turn flush. */
  private FlushBatch.Slot flushSlot;
  private State state = State.READY;
  /**
   * The controls added to this client's requests (Proxied Authorization, Session Tracking), or
   * null to add none.
   */
  private ByteBuf identityControl;
  /** Whether the client is bound as the balancer's bindconf identity (see ClientSettings). */
  private boolean ownIdentity;
  /**
   * Whether {@link #identityControl} matches {@link #authzId}: it is made on the first operation
   * after a bind, so clients that only bind (authentication checks) never pay for it.
   */
  private boolean identityControlMade;
  /** The identity operations run as: {@code dn:...} ({@code dn:} alone when anonymous). */
  private String authzId = "dn:";
  /** Where the multi-step SASL exchange in progress continues (state SASL_IN_PROGRESS). */
  private UpstreamLink saslConnection;
  /**
   * The Verify Credentials cookie the exchange's next step carries, when it runs as that
   * operation on a shared connection ({@code feature vc}); null on a bind connection.
   */
  private byte[] saslCookie;
  /** The message ID of the exchange's latest step: an Abandon naming it ends the exchange. */
  private int saslStepId;
  /** Where this client's operations are pinned (restrict_*, write_coherence, paged results). */
  private final Affinity<UpstreamLink> affinity;
  /** The SASL mechanism of the latest bind, or null: names the cause of wrapped input. */
  private String saslMechanism;
  /** This connection's access log ({@code loglevel stats}), or null when it is off. */
  private ConnectionAccessLog access;
  /**
   * The balancer is shutting down: operations in flight finish, new requests are answered
   * {@code unavailable}, and once nothing is pending the client gets its Notice of
   * Disconnection. See {@link #drain()}.
   */
  private boolean draining;

  /**
   * @param framer the decoder in front of this handler, asked whether it holds a partial request
   */
  public ClientConnection(
      OperationRouter router, ClientSettings settings, LdapFrameDecoder framer) {
    this.router = router;
    this.counters = router.counters();
    this.settings = settings;
    this.framer = framer;
    this.affinity = new Affinity<>(settings.writeCoherenceSeconds());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    peer = channel.remoteAddress();
    flushSlot = new FlushBatch.Slot(channel);
    counters.clientAccepted();
    router.clientOpened(this);
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls != null) {
      countHandshake(tls); // ldaps://: the handler came with the connection
    }
  }

  private void countHandshake(SslHandler tls) {
    tls.handshakeFuture().addListener(f -> counters.clientTlsHandshake(f.isSuccess()));
  }


  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (access != null) access.event(event);
    if (event instanceof SslCloseCompletionEvent closed && closed.isSuccess()) {
      // The client ended its TLS session (close_notify): nothing more can be read from it, and
      // lloadd closes on it as on an end of stream. Netty only reports it; close as after an
      // Unbind, abandoning the client's operations. After a Notice of Disconnection this is the
      // client's answer, and the connection need not linger any longer.
      closeAtOnce();
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (peer == null) {
      peer = ctx.channel().remoteAddress(); // added before the channel was connected
    }
    if (ctx.pipeline().get(ProxyHeaderHandler.NAME) == null) {
      access = settings.accessLog().connected(ctx.channel(), peer);
    } // else its ACCEPT line waits for the header's address: proxyHeaderRead()
    ctx.fireChannelActive();
  }

  /** The client's real address: from its PROXY protocol header if it had one, else its socket's. */
  public SocketAddress peerAddress() {
    return peer;
  }

  /** The PROXY protocol header named the client's real address; set before any request is read. */
  void proxiedFrom(InetSocketAddress source) {
    peer = source;
    identityControlMade = false; // session tracking names the address
  }

  /** The PROXY protocol header has been read (whether or not it named an address). */
  void proxyHeaderRead() {
    access = settings.accessLog().connected(channel, peer);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      if (state != State.CLOSING) {
        // A malformed request must never reach a shared upstream connection: see
        // RequestValidator.
        String problem = RequestValidator.check(view.parse(frame));
        String refusal = problem == null ? null : RequestValidator.refusal(problem);
        if (problem != null && refusal == null) {
          disconnect(ResultCode.PROTOCOL_ERROR, RequestValidator.diagnostic(view.opTag(), problem));
        } else {
          request(view, refusal);
        }
      }
    } catch (MalformedPduException e) {
      disconnect(ResultCode.PROTOCOL_ERROR, "malformed request: " + e.getMessage());
    } finally {
      frame.release();
    }
  }

  /**
   * @param refusal null, or why the request is answered protocolError here and never forwarded
   *     (a value RFC 4511's extensible enumerations allow but no server knows: {@link
   *     RequestValidator#refusal})
   */
  private void request(LdapMessage request, String refusal) throws MalformedPduException {
    if (access != null) access.request(request);
    int id = request.messageId();
    int tag = request.opTag();
    if (id <= 0) {
      disconnect(ResultCode.PROTOCOL_ERROR, "invalid message ID " + id);
      return;
    }
    if (state == State.TLS_PENDING) {
      // RFC 4511 §4.14.1: nothing may follow a StartTLS before its response. Whatever it is
      // (a Bind, an Unbind, another StartTLS), it was sent in clear text and must not be taken
      // as coming from inside the TLS session about to start.
      disconnect(ResultCode.PROTOCOL_ERROR, "request sent before the StartTLS response");
      return;
    }
    if (draining && tag != ProtocolOp.UNBIND_REQUEST && tag != ProtocolOp.ABANDON_REQUEST) {
      refuseWhileDraining(id, tag);
      return;
    }
    switch (tag) {
      case ProtocolOp.UNBIND_REQUEST -> closeAtOnce();
      case ProtocolOp.ABANDON_REQUEST -> {
        abandon(Requests.abandonedMessageId(request));
        if (draining) {
          disconnectIfDrained(); // it may have been the last one pending
        }
      }
      case ProtocolOp.BIND_REQUEST -> bind(request, id);
      default -> operation(request, id, tag, refusal);
    }
  }

  private boolean idInUse(int id) {
    if (pending.containsKey(id)) {
      disconnect(ResultCode.PROTOCOL_ERROR, "message ID " + id + " is already in use");
      return true;
    }
    return false;
  }

  private void operation(LdapMessage request, int id, int tag, String refusal)
      throws MalformedPduException {
    int responseTag = ProtocolOp.responseTagFor(tag);
    if (responseTag < 0) {
      disconnect(ResultCode.PROTOCOL_ERROR, "unknown request type 0x" + Integer.toHexString(tag));
      return;
    }
    if (idInUse(id)) {
      return;
    }
    counters.received(tag);
    received++;
    String exopName =
        tag == ProtocolOp.EXTENDED_REQUEST ? Requests.extendedRequestName(request) : null;
    if (exopName != null && Oids.START_TLS.equals(exopName)) {
      if (refusesCriticalControls(request, id, responseTag)) {
        return;
      }
      if (settings.restrictions().rejectsStartTls()) {
        respond(id, responseTag, ResultCode.UNWILLING_TO_PERFORM,
            "extended operation or control disallowed");
      } else {
        startTls(id);
      }
      return;
    }
    if (state != State.READY) {
      // A bind, or a SASL exchange between steps (RFC 4511 §4.2.1: nothing but the next step
      // or an Abandon may follow): refused as lloadd refuses it, and the exchange goes on.
      respond(id, responseTag, ResultCode.PROTOCOL_ERROR, "bind in progress");
      return;
    }
    if (refusal != null) {
      respond(id, responseTag, ResultCode.PROTOCOL_ERROR, refusal);
      return;
    }
    int limit = settings.maxPendingPerClient();
    if (limit > 0 && pending.size() >= limit) {
      // lloadd's wording, so scripts written against it keep matching.
      respond(id, responseTag, ResultCode.BUSY,
          "pending operation limit reached on this connection");
      return;
    }
    if (!identityControlMade) {
      identityControl = settings.controlsFor(authzId, peer);
      ownIdentity = settings.isOwnIdentity(authzId);
      identityControlMade = true;
    }
    if (!ownIdentity && request.hasControls() && Controls.hasProxiedAuthorization(request)) {
      respond(id, responseTag, ResultCode.UNWILLING_TO_PERFORM,
          "a Proxied Authorization control is passed through only for the balancer's own"
              + " identity (bindconf); other clients are proxied as themselves");
      return;
    }
    boolean rootDse = RootDse.isRootDseSearch(request);
    Operation op =
        rootDse && !RootDse.typesOnly(request) && ExternalBind.available(channel, settings.tls())
            ? new RootDseSearch(this, id, RootDse.asksForMechanisms(request))
            : new Operation(this, id, tag);
    op.readsRootDse(rootDse);
    if (!settings.restrictions().mark(op, request, exopName)) {
      respond(id, responseTag, ResultCode.UNWILLING_TO_PERFORM,
          "extended operation or control disallowed"); // lloadd's wording
      return;
    }
    MonitorView monitor = settings.monitor();
    if (monitor != null && MonitorView.targets(request)) {
      if (!refusesCriticalControls(request, id, responseTag)) {
        answerFromMonitor(monitor, request, op);
      }
      return;
    }
    if (exopName != null && Oids.CANCEL.equals(exopName)) {
      if (!refusesCriticalControls(request, id, responseTag)) {
        cancel(op, request);
      }
      return;
    }
    pending.put(id, op);
    int result = router.forward(op, request, identityControl, affinity);
    if (affinity.takeOrphanedWrites()) {
      forgetOrphanedWrites(op);
    }
    if (access != null) access.routed(op);
    if (result != ResultCode.SUCCESS && result != OperationRouter.WAITING) {
      pending.remove(id);
      op.finish();
      if (result == OperationRouter.PIN_LOST) {
        respond(id, responseTag, ResultCode.OTHER, Diagnostics.PIN_LOST);
      } else if (result == OperationRouter.PAGED_STATE_LOST) {
        // What slapd answers to a cookie it does not know.
        respond(id, responseTag, ResultCode.PROTOCOL_ERROR, Diagnostics.PAGED_STATE_LOST);
      } else {
        respond(id, responseTag, result, result == ResultCode.BUSY
            ? Diagnostics.SERVER_BUSY : Diagnostics.NO_CONNECTIONS); // lloadd's words for each
      }
    }
    // No need to stop reading this client when upstreams are backlogged: selection passes over
    // backlogged connections and the router's wait for one to drain is bounded in size and
    // time. Stopping here would stall the client for as long as a server hangs.
  }

  /**
   * A request of the cn=Monitor tree, answered by the balancer rather than forwarded. It is a
   * pending operation meanwhile, so that an abandon, an unbind or the client leaving drop the
   * answer, and a reused message ID is caught.
   */
  private void answerFromMonitor(MonitorView monitor, LdapMessage request, Operation op)
      throws MalformedPduException {
    CompletionStage<MonitorAnswer> answer = monitor.answer(request, authzId);
    pending.put(op.clientMessageId(), op);
    answer.whenCompleteAsync(
        (done, error) -> monitorAnswered(op, done != null ? done : MonitorAnswer.unavailable()),
        channel.eventLoop());
  }

  /** Writes a monitor answer: its entries, then its one final response; on this client's loop. */
  private void monitorAnswered(Operation op, MonitorAnswer answer) {
    int id = op.clientMessageId();
    if (pending.get(id) != op || !op.finish()) {
      return; // abandoned, or the client left (or was the one closed)
    }
    pending.remove(id);
    for (int i = 0; i < answer.entryCount(); i++) {
      channel.write(answer.entry(channel.alloc(), id, i), channel.voidPromise());
    }
    int code = answer.resultCode();
    counters.completed(op.requestTag(), code);
    completed++;
    if (access != null) access.result(id, op.responseTag(), code, answer.diagnostic());
    writeResult(id, op.responseTag(), code, answer.diagnostic());
    if (draining) {
      disconnectIfDrained();
    }
  }

  /**
   * StartTLS (RFC 4511 §4.14, RFC 4513 §3), refused with lloadd's answers and in lloadd's order.
   * On success the response is flushed in clear text with reads paused, and the TLS handler goes
   * to the head of the pipeline once it is written; the client's handshake is the next thing read.
   */
  private void startTls(int id) {
    int code = ResultCode.OPERATIONS_ERROR;
    String refusal = null;
    if (channel.pipeline().get(SslHandler.class) != null || state == State.TLS_PENDING) {
      refusal = "TLS layer already in effect";
    } else if (state == State.BINDING || state == State.SASL_IN_PROGRESS) {
      refusal = "bind in progress";
    } else if (!pending.isEmpty()) {
      refusal = "cannot start TLS when operations are outstanding";
    } else if (settings.tls() == null) {
      code = ResultCode.UNAVAILABLE;
      refusal = "Could not initialize TLS";
    }
    if (refusal != null) {
      if (access != null) access.result(id, ProtocolOp.EXTENDED_RESPONSE, code, refusal);
      counters.rejected(ProtocolOp.EXTENDED_REQUEST, code);
      channel.write(
          Responses.extended(channel.alloc(), id, code, refusal, Oids.START_TLS),
          channel.voidPromise());
      router.flushes().add(flushSlot);
      return;
    }
    state = State.TLS_PENDING;
    if (access != null) access.result(id, ProtocolOp.EXTENDED_RESPONSE, ResultCode.SUCCESS, "");
    counters.completed(ProtocolOp.EXTENDED_REQUEST, ResultCode.SUCCESS); // answered here, as lloadd
    channel.config().setAutoRead(false);
    channel
        .writeAndFlush(
            Responses.extended(channel.alloc(), id, ResultCode.SUCCESS, "", Oids.START_TLS))
        .addListener(
            f -> {
              if (state != State.TLS_PENDING) {
                return; // closed meanwhile
              }
              if (!f.isSuccess()) {
                closeAtOnce();
                return;
              }
              if (framer.holdsBytes()) {
                // Bytes the client sent behind its StartTLS and already read (requests, or a
                // part of one) came in clear text and must not pass for the TLS session's. On
                // epoll and NIO this write completes within its flush, while the framer is still
                // handing on the frames of the same read: they are in its buffer.
                disconnect(ResultCode.PROTOCOL_ERROR, "request sent before the StartTLS response");
                return;
              }
              SslHandler tls = settings.tls().newHandler(channel.alloc());
              countHandshake(tls);
              channel.pipeline().addFirst(TLS_HANDLER, tls);
              channel.pipeline().addFirst(TlsRecordCheck.NAME, new TlsRecordCheck(this));
              state = State.READY;
              channel.config().setAutoRead(channel.isWritable());
              if (draining) {
                disconnectIfDrained(); // told over TLS, which the client now expects
              }
            });
  }

  /**
   * Cancel (RFC 3909). The client's message ID means nothing upstream, where its operation runs
   * under another ID on a connection other clients share: forwarded as it is, the request would
   * cancel someone else's operation. So the balancer looks the ID up among this client's own:
   *
   * <ul>
   *   <li>none in progress: {@code noSuchOperation (119)}; a bind: {@code cannotCancel (121)};
   *   <li>not at a server (waiting in a queue, or answered by the balancer itself): nothing has
   *       run, so it is dropped and answered {@code canceled (118)}, then the Cancel {@code
   *       success};
   *   <li>at a server: a Cancel naming the ID it runs under there goes on its connection, and the
   *       server answers both (the operation's response first, RFC 3909 §2): {@code canceled}
   *       only if the server stopped it; a write it had already made gets its real result, the
   *       Cancel {@code tooLate (120)}. A client is never told a write was cancelled that was made.
   * </ul>
   */
  private void cancel(Operation cancel, LdapMessage request) {
    int id = cancel.clientMessageId();
    int target;
    try {
      target = Requests.cancelId(request);
    } catch (MalformedPduException e) {
      respond(id, ProtocolOp.EXTENDED_RESPONSE, ResultCode.PROTOCOL_ERROR,
          "malformed Cancel request value: " + e.getMessage());
      return;
    }
    Operation op = pending.get(target);
    if (op == null) {
      respond(id, ProtocolOp.EXTENDED_RESPONSE, ResultCode.NO_SUCH_OPERATION,
          "no operation with message ID " + target + " in progress");
      return;
    }
    if (op.isBind()) {
      respond(id, ProtocolOp.EXTENDED_RESPONSE, ResultCode.CANNOT_CANCEL,
          "a bind cannot be cancelled");
      return;
    }
    UpstreamLink link = op.upstream();
    if (link == null) {
      abandon(target);
      respond(target, op.responseTag(), ResultCode.CANCELED, "cancelled");
      respond(id, ProtocolOp.EXTENDED_RESPONSE, ResultCode.SUCCESS, "");
      return;
    }
    // Where the operation runs, whatever the client's pins say; as the balancer's own request,
    // which is what the named operation is on that connection.
    cancel.pin(Pin.NONE);
    ByteBuf frame = Requests.cancel(channel.alloc(), id, op.upstreamMessageId());
    try {
      LdapMessage upstreamCancel = new LdapMessage().parse(frame);
      pending.put(id, cancel);
      router.forwardOn(link, cancel, upstreamCancel);
      if (access != null) access.routed(cancel);
    } catch (MalformedPduException e) {
      throw new IllegalStateException("the balancer's own Cancel request did not parse", e);
    } finally {
      frame.release();
    }
  }

  /**
   * Answers {@code unavailableCriticalExtension (12)} to a request the balancer answers itself
   * (StartTLS, Cancel, cn=Monitor, SASL EXTERNAL) that carries a critical control: it applies
   * none, and RFC 4511 §4.1.11 forbids performing the operation without one marked critical.
   *
   * @return whether the request was refused
   */
  private boolean refusesCriticalControls(LdapMessage request, int id, int responseTag)
      throws MalformedPduException {
    if (!request.hasControls() || !Controls.hasCritical(request)) {
      return false;
    }
    respond(id, responseTag, ResultCode.UNAVAILABLE_CRITICAL_EXTENSION,
        "critical control not supported for this operation");
    return true;
  }

  /**
   * The client's write pin was dropped (its server went down) while earlier writes were in
   * flight: they no longer count for the pin {@code current} may have started.
   */
  private void forgetOrphanedWrites(Operation current) {
    for (Operation op : pending.values()) {
      if (op != current && op.pin() == Pin.WRITE) {
        op.pin(Pin.NONE);
      }
    }
  }

  /**
   * Reports the end of an operation that had, or was sent under, some affinity. Only one that
   * was forwarded was counted by the affinity (Affinity#forwarded): one that ends while still
   * queued, or that the balancer answered itself (cn=Monitor), ends nothing there.
   */
  private void affinityEnded(Operation op, LdapMessage finalResponse) {
    if (!op.wasForwarded()) {
      return;
    }
    boolean morePages = false;
    if (finalResponse != null && op.paging() != Paging.NONE) {
      try {
        morePages = Controls.pagedResultsCookieLength(finalResponse) > 0;
      } catch (MalformedPduException e) {
        morePages = false; // nothing the client could continue with
      }
    }
    affinity.ended(op.pin(), op.paging(), morePages, System.nanoTime());
  }

  private void abandon(int id) {
    if (state == State.SASL_IN_PROGRESS && id == saslStepId) {
      // The exchange between steps: nothing is pending to abandon, but the client gives it up.
      endSaslExchange();
      return;
    }
    Operation op = pending.get(id);
    if (op == null || op.isBind()) {
      return; // RFC 4511 §4.11: nothing to do, and binds cannot be abandoned
    }
    pending.remove(id);
    op.finish();
    counters.abandoned(op.requestTag());
    if (op.hasAffinity()) {
      affinityEnded(op, null);
    }
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
    counters.received(ProtocolOp.BIND_REQUEST);
    received++;
    // A Bind while another is in flight replaces it, as in lloadd: "before processing a
    // BindRequest, all uncompleted operations MUST either complete or be abandoned" (RFC 4511
    // §4.2.1), the Bind in flight too. Its answer is dropped when it comes (binds cannot be
    // abandoned at the server) and its identity never applies.
    BindRequest bind = BindRequest.parse(request);
    if (bind.version() != 3 || !bind.knownMethod()) {
      // Refused here: a failed bind, which leaves the client anonymous (RFC 4511 §4.2.1).
      resetForBindAnsweredHere();
      if (bind.version() != 3) {
        respond(id, ProtocolOp.BIND_RESPONSE, ResultCode.PROTOCOL_ERROR,
            "only LDAP version 3 is supported");
      } else {
        respond(id, ProtocolOp.BIND_RESPONSE, ResultCode.AUTH_METHOD_NOT_SUPPORTED,
            "unknown authentication method"); // slapd's words
      }
      return;
    }
    if (bind.isSasl() && ExternalBind.isExternal(bind.saslMechanism())) {
      if (!refusesCriticalControls(request, id, ProtocolOp.BIND_RESPONSE)) {
        externalBind(request, id);
      }
      return;
    }
    UpstreamLink pinned = null;
    byte[] cookie = null;
    if (state == State.SASL_IN_PROGRESS) {
      if (bind.isSasl() && bind.saslMechanism().equals(saslMechanism)) {
        pinned = saslConnection; // the next step of the same exchange
        cookie = saslCookie;
        saslConnection = null;
        saslCookie = null;
      } else {
        endSaslExchange(); // a simple bind, or another mechanism: a new exchange
      }
    }
    abandonAll();
    setIdentity("dn:"); // RFC 4511 §4.2.1: anonymous until the bind succeeds
    if (bind.asksForSecurityLayer()) {
      // The layer would wrap every later PDU between the client and one server, which a proxy
      // that spreads operations over shared connections cannot carry.
      if (pinned != null) {
        pinned.releaseSaslPin(this);
      }
      state = State.READY;
      respond(id, ProtocolOp.BIND_RESPONSE, ResultCode.AUTH_METHOD_NOT_SUPPORTED,
          bind.saslMechanism() + " with a SASL security layer (integrity or confidentiality)"
              + " cannot pass through a load balancer; use TLS for protection and no layer"
              + " (qop=auth, e.g. -O maxssf=0)");
      return;
    }
    state = State.BINDING;
    saslMechanism = bind.saslMechanism();
    BindOperation op =
        new BindOperation(this, id, bind.saslMechanism(), bind.name(), bind.isAnonymous());
    op.cookie(cookie);
    pending.put(id, op);
    router.forwardBind(op, request, pinned);
    if (access != null) access.routed(op);
  }

  /**
   * What every bind does first, for one the balancer answers itself (EXTERNAL, or refused): ends
   * a SASL exchange in progress, abandons the client's operations (a bind in flight too, RFC 4511
   * §4.2.1) and leaves the client anonymous until the answer says otherwise.
   */
  private void resetForBindAnsweredHere() {
    if (state == State.SASL_IN_PROGRESS) {
      endSaslExchange();
    }
    abandonAll();
    setIdentity("dn:");
    saslMechanism = null;
    state = State.READY;
  }

  /**
   * SASL EXTERNAL, answered here and never sent upstream ({@link ExternalBind}). Like any bind it
   * first ends a SASL exchange in progress and abandons the client's operations (RFC 4511
   * §4.2.1), and leaves the client anonymous unless it succeeds.
   */
  private void externalBind(LdapMessage request, int id) throws MalformedPduException {
    String requested = BindRequest.saslCredentials(request);
    resetForBindAnsweredHere();
    ExternalBind.Outcome outcome =
        ExternalBind.bind(channel, settings.tls(), requested);
    if (outcome.resultCode() == ResultCode.SUCCESS) {
      setIdentity(outcome.authzId());
    }
    respond(id, ProtocolOp.BIND_RESPONSE, outcome.resultCode(), outcome.diagnostic());
  }

  @Override
  public void bindCompleted(Operation op, LdapMessage response, int resultCode, String newAuthzId) {
    if (op.isFinished()) {
      return;
    }
    if (access != null) access.bindResult(op, response, resultCode, newAuthzId);
    if (resultCode == ResultCode.SASL_BIND_IN_PROGRESS) {
      pending.remove(op.clientMessageId());
      op.finish();
      state = State.SASL_IN_PROGRESS;
      saslConnection = op.upstream(); // the next step must go to the same connection
      saslCookie = op instanceof BindOperation bind ? bind.cookie() : null;
      saslStepId = op.clientMessageId();
    } else {
      if (resultCode == ResultCode.SUCCESS) {
        setIdentity(newAuthzId);
      }
      state = State.READY;
      pending.remove(op.clientMessageId());
      op.finish();
    }
    counters.completed(ProtocolOp.BIND_REQUEST, resultCode);
    completed++;
    if (resultCode == ResultCode.SASL_BIND_IN_PROGRESS) {
      // slapd puts its SASL context's last error detail here, and a bind connection's context
      // has served other clients: their failures ("Couldn't find mech ...") must not show.
      try {
        channel.write(Responses.withoutDiagnostic(channel.alloc(), response, op.clientMessageId()),
            channel.voidPromise());
      } catch (MalformedPduException e) {
        MessageRewriter.write(channel, response, op.clientMessageId()); // malformed: as it came
      }
    } else {
      MessageRewriter.write(channel, response, op.clientMessageId());
    }
    router.flushes().add(flushSlot);
    if (draining) {
      disconnectIfDrained();
    }
  }

  @Override
  public void saslExchangeEnded(UpstreamLink link) {
    if (state == State.SASL_IN_PROGRESS && saslConnection == link) {
      saslConnection = null;
      saslCookie = null;
      state = State.READY; // anonymous, as since the exchange began
    }
  }

  @Override
  public void relay(Operation op, LdapMessage response, boolean isFinal) {
    if (op.isFinished()) {
      return;
    }
    if (access != null) access.response(op, response, isFinal);
    if (isFinal) {
      pending.remove(op.clientMessageId());
      op.finish();
      counters.completed(op.requestTag(), resultCodeOf(response));
      if (op.hasAffinity()) {
        affinityEnded(op, response);
      }
      completed++;
    }
    if (op.readsRootDse() && response.opTag() == ProtocolOp.SEARCH_RESULT_ENTRY) {
      writeRootDse(op, response);
    } else if (channel.isWritable()) {
      MessageRewriter.write(channel, response, op.clientMessageId());
    } else {
      // It will wait: hold exactly its bytes, not the upstream's read buffer behind a slice.
      MessageRewriter.writeCopy(channel, response, op.clientMessageId());
    }
    router.flushes().add(flushSlot);
    if (draining && isFinal) {
      disconnectIfDrained();
    }
    if (!channel.isWritable() && backlogTooLarge() && state != State.CLOSING) {
      // A Notice of Disconnection would only queue behind what it does not read: just close.
      log.warn("closing client {}: more than {} bytes of responses unread",
          peer, MAX_BACKLOG_BYTES);
      closeAtOnce();
    }
  }

  /** The result code of a final response; one the server garbled is counted as -1. */
  private static int resultCodeOf(LdapMessage response) {
    try {
      return Responses.resultCode(response);
    } catch (MalformedPduException e) {
      return -1;
    }
  }

  /**
   * The root DSE entry, its lists cut to what works through the balancer (RootDsePolicy), and
   * EXTERNAL added to its SASL mechanisms where this connection can use it (RootDseSearch).
   */
  private void writeRootDse(Operation op, LdapMessage entry) {
    ByteBuf filtered;
    try {
      filtered = settings.rootDse().rewrite(channel.alloc(), entry, op.clientMessageId());
    } catch (MalformedPduException e) {
      // The server's own entry could not be read: pass it on as it came rather than lose it.
      MessageRewriter.writeCopy(channel, entry, op.clientMessageId());
      return;
    }
    if (op instanceof RootDseSearch external) {
      ByteBuf withExternal = null;
      try {
        withExternal = external.rewrite(channel.alloc(), new LdapMessage().parse(filtered));
      } catch (MalformedPduException e) {
        withExternal = null; // our own encoding: cannot happen; the filtered entry goes as it is
      }
      if (withExternal != null) {
        filtered.release();
        filtered = withExternal;
      }
    }
    channel.write(filtered, channel.voidPromise());
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
    if (op.hasAffinity()) {
      affinityEnded(op, null);
    }
    if (op.wasForwarded()) {
      counters.failed(op.requestTag(), resultCode);
      failed++;
    } else {
      counters.rejected(op.requestTag(), resultCode); // waited in a queue, went nowhere
    }
    if (op.isBind() && state == State.BINDING) {
      state = State.READY; // and anonymous, as after any failed bind
    }
    if (state != State.CLOSING) {
      if (access != null) access.result(op.clientMessageId(), op.responseTag(), resultCode, diagnostic);
      writeResult(op.clientMessageId(), op.responseTag(), resultCode, diagnostic);
    }
    if (draining) {
      disconnectIfDrained();
    }
  }

  /**
   * The balancer is shutting down (the design note's draining shutdown): what is in flight
   * finishes, a search streaming all its entries; every new request, Bind included, is answered
   * {@code unavailable}; once nothing is pending the client gets a Notice of Disconnection. A
   * client between the steps of a SASL exchange has nothing pending: its next step could not be
   * taken, so it is told at once. Runs on the channel's loop.
   */
  public void drain() {
    if (state == State.CLOSING || draining) {
      return;
    }
    draining = true;
    disconnectIfDrained();
  }

  private void disconnectIfDrained() {
    if (pending.isEmpty() && state != State.TLS_PENDING) {
      disconnect(ResultCode.UNAVAILABLE, SHUTTING_DOWN);
    }
  }

  /** A request that came after {@link #drain()}: answered, never forwarded. */
  private void refuseWhileDraining(int id, int tag) {
    int responseTag = ProtocolOp.responseTagFor(tag);
    if (responseTag < 0) {
      disconnect(ResultCode.PROTOCOL_ERROR, "unknown request type 0x" + Integer.toHexString(tag));
    } else if (!idInUse(id)) {
      respond(id, responseTag, ResultCode.UNAVAILABLE, SHUTTING_DOWN);
    }
  }

  /** Answers a request the balancer refuses itself, before it is forwarded anywhere. */
  private void respond(int id, int responseTag, int resultCode, String diagnostic) {
    counters.rejectedWith(responseTag, resultCode);
    if (access != null) access.result(id, responseTag, resultCode, diagnostic);
    writeResult(id, responseTag, resultCode, diagnostic);
  }

  private void writeResult(int id, int responseTag, int resultCode, String diagnostic) {
    channel.write(
        Responses.result(channel.alloc(), id, responseTag, resultCode, diagnostic),
        channel.voidPromise());
    router.flushes().add(flushSlot);
  }

  private void setIdentity(String newAuthzId) {
    if (!newAuthzId.equals(authzId)) {
      authzId = newAuthzId;
      identityControlMade = false;
    }
  }

  private void endSaslExchange() {
    state = State.READY;
    saslCookie = null;
    if (saslConnection != null) {
      UpstreamLink link = saslConnection;
      saslConnection = null;
      link.releaseSaslPin(this);
    }
  }

  /**
   * Abandons every pending operation upstream; none of them will be answered. Every pin ends with
   * them (a bind or the end of the connection: lloadd's client reset).
   */
  private void abandonAll() {
    affinity.reset();
    if (pending.isEmpty()) {
      return;
    }
    ArrayList<Operation> ops = new ArrayList<>(pending.values());
    pending.clear();
    for (Operation op : ops) {
      op.finish();
      counters.abandoned(op.requestTag());
      UpstreamLink link = op.upstream();
      if (link != null) {
        link.abandon(op);
      } else {
        router.cancel(op);
      }
    }
  }

  @Override
  public void sentWithAffinity(Operation op, UpstreamLink link) {
    op.pin(affinity.forwarded(op.pin(), op.paging(), link, link.server()));
  }

  /** None means the client may be idle. */
  @Override
  public int operationsInFlight() {
    return pending.size();
  }

  @Override
  public long connectionId() {
    return connectionId;
  }

  @Override
  public ClientSnapshot sample() {
    String shownState =
        switch (state) {
          case BINDING, SASL_IN_PROGRESS -> "binding";
          case CLOSING -> "closing";
          default -> "ready";
        };
    return new ClientSnapshot(
        connectionId,
        MonitorAddress.of(peer),
        MonitorAddress.of(channel.localAddress()),
        authzId,
        shownState,
        pending.size(),
        received,
        completed,
        failed);
  }

  /**
   * Sends a Notice of Disconnection (RFC 4511 §4.4.1) and closes, once the client has had the
   * chance to read it ({@link LingeringClose}).
   */
  @Override
  public void disconnect(int resultCode, String diagnostic) {
    if (state == State.CLOSING) {
      return;
    }
    RateLimitedLog.DEFAULT.info(log, "closing client {}: {}", peer, diagnostic);
    if (access != null) access.closing(diagnostic);
    state = State.CLOSING;
    abandonAll();
    channel
        .writeAndFlush(Responses.noticeOfDisconnection(channel.alloc(), resultCode, diagnostic))
        .addListener(LingeringClose.AFTER_NOTICE);
  }

  /**
   * Closes without a Notice of Disconnection: after an Unbind, or where a notice would only queue
   * behind responses the client does not read. Its operations are abandoned.
   */
  void closeAtOnce() {
    state = State.CLOSING;
    abandonAll();
    channel.close();
  }

  private ClientIoTimeout ioTimeout() {
    if (ioTimeout == null) {
      ioTimeout = new ClientIoTimeout(this, channel, framer, settings.ioTimeoutMillis());
    }
    return ioTimeout;
  }

  boolean isClosing() {
    return state == State.CLOSING;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (framer.partialSinceNanos() != 0) {
      ioTimeout().readComplete();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // A client that does not read its responses stops being read from, so it cannot queue more
    // work; responses already on their way are still buffered for it.
    if (state != State.CLOSING && state != State.TLS_PENDING) {
      boolean writable = ctx.channel().isWritable();
      ctx.channel().config().setAutoRead(writable);
      if (writable) {
        router.backlogs().remove(this);
      } else {
        router.backlogs().add(this);
        ioTimeout().unwritable();
      }
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() instanceof MalformedPduException) {
      String why = cause.getCause().getMessage();
      if (saslMechanism != null && !"dn:".equals(authzId)) {
        // The likeliest cause: the client wraps its PDUs in a layer its bind negotiated.
        why += " (after a " + saslMechanism + " bind: a SASL security layer cannot pass through a"
            + " load balancer; use TLS and no layer, e.g. -O maxssf=0)";
      }
      disconnect(ResultCode.PROTOCOL_ERROR, why);
    } else {
      if (isTlsFailure(cause)) {
        // Only this client: a bad certificate, an untrusting client, a handshake time-out.
        RateLimitedLog.DEFAULT.info(
            log, "closing client {}: TLS failed: {}", peer, rootMessage(cause));
      } else {
        log.debug("client {}: {}", peer, cause.toString());
      }
      closeAtOnce();
    }
  }

  private static boolean isTlsFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable cause) {
    String message = cause.toString();
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return message;
  }

  @Override
  public long bufferedBytes() {
    var outbound = channel.unsafe().outboundBuffer();
    return outbound == null ? 0 : outbound.totalPendingWriteBytes();
  }

  @Override
  public void shed(String reason) {
    if (state == State.CLOSING) {
      return;
    }
    RateLimitedLog.DEFAULT.warn(log, "closing client {}: {}", peer, reason);
    closeAtOnce();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (access != null) access.closed();
    counters.clientClosed();
    router.clientGone(this);
    router.backlogs().remove(this);
    if (ioTimeout != null) {
      ioTimeout.stop();
    }
    state = State.CLOSING;
    abandonAll();
    if (saslConnection != null) {
      endSaslExchange();
      state = State.CLOSING;
    }
    ctx.fireChannelInactive();
  }
}
