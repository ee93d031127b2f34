package org.ldapbalancer.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.collection.IntObjectHashMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import javax.net.ssl.SSLException;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.log.RateLimitedLog;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Diagnostics;
import org.ldapbalancer.operation.FlushBatch;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.MessageRewriter;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.OversizedPdu;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.protocol.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to an upstream server: the map from upstream message ID to operation, relaying
 * of responses, time limits and loss. What differs between the two kinds lives in the
 * subclasses: {@link RegularConnection} (bound once as {@code bindconf}, shared by every client's
 * operations) and {@link BindConnection} (client binds, one at a time).
 *
 * <p>Every field belongs to the channel's event loop.
 */
abstract class UpstreamConnection extends ChannelInboundHandlerAdapter implements UpstreamLink {
  private static final Logger log = LoggerFactory.getLogger(UpstreamConnection.class);

  /** The pipeline name of the TLS handler, first in the pipeline when the connection uses TLS. */
  static final String TLS_HANDLER = "tls";

  enum State {
    CONNECTING,
    /** Connected, not yet offered to selection (TLS, or the {@code bindconf} bind, in progress). */
    SETTING_UP,
    READY,
    /** In service until now, closing: no longer offered to selection. */
    CLOSING,
    CLOSED
  }

  final ServerPool pool;
  final IntObjectHashMap<Operation> pending = new IntObjectHashMap<>();
  /**
   * Operations of {@link #pending} that stream (see Operation#isStreaming): a long-lived search
   * (a persistent search, a large export) must not hold a {@code conn-max-pending} or {@code
   * max-pending-ops} slot for as long as it lasts, so these are not counted as pending.
   */
  int streaming;
  /**
   * Operations abandoned on this connection that the server may still hold: queued behind its
   * other requests (slapd defers a connection's requests beyond half its threads) until it reads
   * the Abandon. They keep their slot against {@code conn-max-pending} until the server shows
   * progress (one slot per final answer read), so that a storm of clients leaving with
   * operations in flight cannot have their slots refilled at once and push the server past its
   * own limit (slapd closes a connection with more than 1000 deferred requests, failing every
   * other client's on it). Cleared once the connection has nothing in flight and no answer came
   * for {@link #ABANDONED_QUIET_NANOS}.
   */
  private int abandonedAtServer;
  /** When this connection last read a final answer, or abandoned an operation. */
  private long lastAnswerNanos;

  private static final long ABANDONED_QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
  final IntPredicate idInUse = this::idInUse;
  final MessageIds messageIds;
  final LdapMessage view = new LdapMessage();
  Channel channel;
  /** This channel's place in the loop's end-of-turn flush. */
  FlushBatch.Slot flushSlot;
  State state = State.CONNECTING;
  private String setupFailure;
  /** When it became ready; with {@link #heardFrom}, tells a working connection from a refusal. */
  private long readyAtNanos;
  /** Whether the server has sent anything at all on this connection. */
  private boolean heardFrom;
  /** Closed by this side (with its own log line), not lost. */
  private boolean closedHere;
  /** Why the server closed: its Notice of Disconnection, for the log line at close. */
  private String serverNotice;
  /** The message ID of the StartTLS request in flight, or -1. */
  private int startTlsId = -1;
  /** Ends a StartTLS exchange the server does not answer; the handshake has its own limit. */
  private ScheduledFuture<?> startTlsTimeout;
  /** The client whose paged search holds this connection, or null (see Endpoint#pagedHolder). */
  private Object pagedHolder;
  private long pagedHoldUntilNanos;
  /** Since when it has had nothing in flight, for {@link PoolSize}; 0 while busy. */
  long idleSinceNanos;
  /** Closed on purpose as a surplus connection: not replaced. */
  private boolean retired;
  /** The message ID of the health probe in flight ({@link HealthWatch}), or -1. */
  private int probeId = -1;
  /** When the latest request to get its final result so far was sent (see #noteOrder). */
  private long lastAnsweredSentNanos = System.nanoTime();

  UpstreamConnection(ServerPool pool, int firstMessageId) {
    this.pool = pool;
    this.messageIds = new MessageIds(firstMessageId);
  }

  abstract boolean isBindConnection();

  /**
   * Whether a client's multi-step SASL exchange waits here for its next step, outside {@link
   * #pendingOps()}: a regular connection that gave a Verify Credentials cookie.
   */
  boolean holdsSaslExchanges() {
    return false;
  }

  /**
   * Whether closing the connection would cut nothing: no operation in flight, a search that
   * already streams entries included (which {@link #pendingOps()} leaves out: it holds no slot),
   * no SASL exchange waiting here for its next step, no paged search holding it between pages.
   * What shrinking a pool and retiring one close by.
   */
  boolean isQuiet(long nowNanos) {
    return pendingOps() == 0
        && streaming == 0
        && !holdsSaslExchanges()
        && (pagedHolder == null || nowNanos - pagedHoldUntilNanos >= 0);
  }

  /**
   * The connection is up and, if the server uses TLS, encrypted with a checked certificate: set up
   * the rest (the {@code bindconf} bind) and then {@link #becomeReady()}.
   */
  abstract void secured(ChannelHandlerContext ctx);

  /** Whether {@code id} is a request the balancer sent itself on this connection. */
  abstract boolean isOwnRequest(int id);

  /** The response to a request the balancer sent itself (its bind, a Who Am I?). */
  abstract void ownResponse() throws MalformedPduException;

  /** The final response of a client operation, already removed from {@link #pending}. */
  abstract void completed(Operation op, ByteBuf frame) throws MalformedPduException;

  State state() {
    return state;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    flushSlot = new FlushBatch.Slot(channel);
  }

  /**
   * TLS comes first, off the request path: on {@code ldaps://} the handshake started with the
   * connection; with {@code starttls=} the request is sent now. Nothing else is sent before TLS is
   * in place (or, with {@code starttls=yes}, refused), so a bind never travels in clear text when
   * TLS was asked for.
   */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls != null) {
      state = State.SETTING_UP;
      awaitHandshake(ctx, tls);
    } else if (pool.startTls() != StartTls.NO) {
      state = State.SETTING_UP;
      startTlsId = messageIds.next(idInUse);
      long timeout = pool.bindConf().networkTimeout().toMillis();
      if (timeout > 0) {
        startTlsTimeout =
            ctx.executor()
                .schedule(
                    () -> closeWith("no StartTLS response within " + timeout + " ms"),
                    timeout,
                    TimeUnit.MILLISECONDS);
      }
      ctx.writeAndFlush(Requests.startTls(ctx.alloc(), startTlsId));
    } else {
      secured(ctx);
    }
    ctx.fireChannelActive();
  }

  private void startTlsResponse(ChannelHandlerContext ctx) throws MalformedPduException {
    startTlsId = -1;
    cancelStartTlsTimeout();
    int code = Responses.resultCode(view);
    if (code == ResultCode.SUCCESS) {
      // RFC 4511 §4.14.2: the TLS handshake starts right after the success response.
      SslHandler tls = pool.newTlsHandler(ctx.alloc());
      ctx.pipeline().addFirst(TLS_HANDLER, tls);
      awaitHandshake(ctx, tls);
      return;
    }
    String refused =
        "the server refused StartTLS (result " + code + ": " + Responses.diagnosticMessage(view)
            + ")";
    if (pool.startTls() == StartTls.CRITICAL) {
      closeWith(refused + "; starttls=critical, so it is not used");
    } else {
      pool.startTlsRefused(refused);
      secured(ctx);
    }
  }

  private void awaitHandshake(ChannelHandlerContext ctx, SslHandler tls) {
    tls.handshakeFuture()
        .addListener(
            f -> {
              pool.tlsHandshake(f.isSuccess());
              if (state != State.SETTING_UP || !ctx.channel().isOpen()) {
                return;
              }
              if (f.isSuccess()) {
                secured(ctx);
              } else {
                closeWith(tlsFailure(f.cause()));
              }
            });
  }

  /** Why a handshake failed, as the log says it: the innermost reason (untrusted, wrong name). */
  private static String tlsFailure(Throwable cause) {
    String message = cause.toString();
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return "TLS handshake failed: " + message;
  }

  private static boolean isTlsFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private void cancelStartTlsTimeout() {
    if (startTlsTimeout != null) {
      startTlsTimeout.cancel(false);
      startTlsTimeout = null;
    }
  }

  /** Offers the connection to selection: set-up (TLS, bind) is complete. */
  void becomeReady() {
    state = State.READY;
    readyAtNanos = System.nanoTime();
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
  public boolean hasUnflushedWrites() {
    return flushSlot.isListed();
  }

  @Override
  public org.ldapbalancer.balancing.ServerEndpoints<UpstreamLink> server() {
    return pool.regularConnections();
  }

  @Override
  public Object pagedHolder() {
    return pagedHolder;
  }

  @Override
  public long pagedHoldUntilNanos() {
    return pagedHoldUntilNanos;
  }

  @Override
  public void holdForPaging(Object holder, long untilNanos) {
    pagedHolder = holder;
    pagedHoldUntilNanos = untilNanos;
  }

  @Override
  public boolean holdsSaslExchangeOf(ClientLink client) {
    return false;
  }

  @Override
  public void releaseSaslPin(ClientLink client) {}

  @Override
  public String serverName() {
    return pool.name();
  }

  final boolean idInUse(int id) {
    return id == startTlsId || id == probeId || isOwnRequest(id) || pending.containsKey(id);
  }

  /** The root DSE, no attributes ("1.1", RFC 4511 §4.5.1.8): the cheapest request there is. */
  private static final byte[] ROOT_DSE = new byte[0];

  private static final byte[][] NO_ATTRIBUTES = {"1.1".getBytes(StandardCharsets.US_ASCII)};

  /** Sends a health probe; its answer goes to the pool's {@link HealthWatch}. */
  void sendProbe() {
    probeId = messageIds.next(idInUse);
    writeOwn(Requests.searchBaseObject(channel.alloc(), probeId, ROOT_DSE, NO_ATTRIBUTES));
  }

  boolean probeOutstanding() {
    return probeId >= 0 && state == State.READY;
  }

  @Override
  public void forward(Operation op, LdapMessage request, ByteBuf control) {
    int id = messageIds.next(idInUse);
    if (control == null) {
      MessageRewriter.write(channel, request, id);
    } else {
      MessageRewriter.writeWithControl(channel, request, id, control);
    }
    sent(op, id);
  }

  /** {@code op} has been written under the upstream message ID {@code id}: it is now pending. */
  final void sent(Operation op, int id) {
    pending.put(id, op);
    // Timed always: the per-server latency histogram, time limits and bestof all use it.
    op.forwardedTo(this, id, System.nanoTime());
    pool.operationStarted();
    pool.flushes().add(flushSlot);
  }

  /** Writes a request of the balancer's own, flushed at the end of the turn. */
  final void writeOwn(ByteBuf request) {
    channel.write(request, channel.voidPromise());
    pool.flushes().add(flushSlot);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof OversizedPdu oversized) {
      oversized(oversized);
      return;
    }
    ByteBuf frame = (ByteBuf) msg;
    if (!heardFrom) {
      heardFrom = true;
      pool.firstAnswer();
    }
    try {
      if (!isBindConnection()) {
        // Only the operations' connections show the server at work: one that answers binds but
        // never a search is hung for every client all the same.
        pool.frameRead();
      }
      view.parse(frame);
      int id = view.messageId();
      if (id < 0) {
        // Never one of ours (IDs are 1 .. 2^31-1): a protocol error of the server.
        closeWith("invalid message ID " + id + " from the server");
      } else if (id == 0) {
        unsolicited();
      } else if (id == startTlsId) {
        startTlsResponse(ctx);
      } else if (id == probeId) {
        if (view.opTag() == ProtocolOp.SEARCH_RESULT_DONE) {
          probeId = -1;
          pool.probeAnswered(this);
        }
      } else if (isOwnRequest(id)) {
        ownResponse();
      } else {
        response(id, frame);
      }
    } catch (MalformedPduException e) {
      closeWith("malformed PDU: " + e.getMessage());
    } finally {
      frame.release();
    }
  }

  /**
   * An unsolicited notification (RFC 4511 §4.4). The only one defined is the Notice of
   * Disconnection, after which the server closes; either way the connection cannot be trusted
   * with more operations.
   */
  private void unsolicited() throws MalformedPduException {
    if (view.opTag() == ProtocolOp.EXTENDED_RESPONSE) {
      String name = Responses.extendedResponseName(view);
      if (Oids.NOTICE_OF_DISCONNECTION.equals(name)) {
        serverNotice =
            "the server sent a Notice of Disconnection (result "
                + Responses.resultCode(view)
                + ": "
                + Responses.diagnosticMessage(view)
                + ")";
        closeWith(serverNotice);
        return;
      }
    }
    closeWith("unsolicited notification from the server");
  }

  /**
   * A response over {@code sockbuf_max_incoming_upstream}, discarded by the frame decoder. Here
   * the connection cannot go on (its state would be unknown); {@link RegularConnection} fails the
   * one operation it answered instead.
   */
  void oversized(OversizedPdu pdu) {
    closeWith(tooLarge(pdu));
  }

  static String tooLarge(OversizedPdu pdu) {
    return "a response of " + pdu.length() + " bytes exceeds sockbuf_max_incoming_upstream ("
        + pdu.limit() + ")";
  }

  /** Whether {@code id} is one of the balancer's own requests here (StartTLS, probe, setup). */
  final boolean isBalancersOwn(int id) {
    return id == startTlsId || id == probeId || isOwnRequest(id);
  }

  /** The pending operation {@code id} answers, or null (abandoned, timed out, or not ours). */
  final Operation pendingOperation(int id) {
    return pending.get(id);
  }

  private void response(int id, ByteBuf frame) throws MalformedPduException {
    Operation op = pending.get(id);
    if (op == null) {
      return; // abandoned, timed out, or from an orphaned bind: dropped
    }
    int tag = view.opTag();
    if (ProtocolOp.isIntermediateResponse(tag)) {
      op.responded();
      if (!op.isStreaming()) {
        op.startStreaming();
        streaming++;
        // Its latency is the time to its first response: a persistent search's whole life
        // says nothing of how fast the server answers.
        long now = System.nanoTime();
        pool.streamingStarted(now - op.startNanos(), now);
      }
      op.client().relay(op, view, false);
      return;
    }
    if (tag != op.upstreamResponseTag()) {
      closeWith(
          "response of type 0x"
              + Integer.toHexString(tag)
              + " to a request of type 0x"
              + Integer.toHexString(op.requestTag()));
      return;
    }
    pending.remove(id);
    if (!op.isPersistent()) {
      noteOrder(op.startNanos());
    }
    long now = System.nanoTime();
    lastAnswerNanos = now;
    if (abandonedAtServer != 0) {
      abandonedAtServer--; // the server moves on through what it holds
    }
    if (op.isStreaming()) {
      streaming--;
      pool.streamingAnswered(now - op.startNanos(), now);
    } else {
      pool.operationAnswered(now - op.startNanos(), now);
    }
    completed(op, frame);
  }

  /**
   * A final result came for a request sent at {@code sentNanos}: if one sent later was answered
   * before it, the server works on a connection's requests concurrently, and selection may give
   * this server's connections several at once (see ServerEndpoints#answersOutOfOrder). Persistent
   * searches are left out (they end whenever the server ends them, whatever its order); abandoned
   * and timed-out requests never get here; a bind connection, with one request at a time, never
   * sees it. Two comparisons per result, no allocation.
   */
  private void noteOrder(long sentNanos) {
    if (sentNanos - lastAnsweredSentNanos >= 0) {
      lastAnsweredSentNanos = sentNanos;
    } else {
      pool.answeredOutOfOrder();
    }
  }

  /** Forgets {@code op}, which the client no longer waits for; true if it was pending here. */
  final boolean forget(Operation op) {
    op.detachUpstream();
    if (pending.remove(op.upstreamMessageId()) != null) {
      if (op.isStreaming()) {
        streaming--;
      } else {
        pool.operationEnded();
      }
      return true;
    }
    return false;
  }

  /** An operation that held a slot was abandoned: the server may hold it a while yet. */
  final void abandonedAtServer() {
    abandonedAtServer++;
    lastAnswerNanos = System.nanoTime();
  }

  /** See {@link #abandonedAtServer}: slots they still hold. */
  final int abandonedAtServerCount() {
    return abandonedAtServer;
  }

  /**
   * Fails operations that have waited longer than {@code bindconf timeout} since they were sent or
   * since their last response, as lloadd: a search with {@code timeLimitExceeded (3)}, anything
   * else with {@code adminLimitExceeded (11)}; the server is sent an Abandon for each (a bind
   * cannot be abandoned: its connection is replaced instead, see {@link BindConnection}).
   */
  void expire(long nowNanos, long timeoutNanos) {
    if (abandonedAtServer != 0 && pending.isEmpty()
        && nowNanos - lastAnswerNanos >= ABANDONED_QUIET_NANOS) {
      abandonedAtServer = 0; // nothing owed, nothing heard: it has read the Abandons
    }
    if (timeoutNanos <= 0 || pending.isEmpty()) {
      return;
    }
    ArrayList<Operation> expired = null;
    for (Operation op : pending.values()) {
      if (op.isPersistent() && op.isStreaming()) {
        continue; // accepted by the server, and may rightly be quiet for hours
      }
      if (op.waitedFor(nowNanos, timeoutNanos)) {
        if (expired == null) {
          expired = new ArrayList<>();
        }
        expired.add(op);
      }
    }
    if (expired == null) {
      return;
    }
    pool.operationsTimedOut(expired.size());
    for (Operation op : expired) {
      ClientLink client = op.client();
      boolean search = op.requestTag() == ProtocolOp.SEARCH_REQUEST;
      RateLimitedLog.DEFAULT.warn(
          log,
          "{}: {} timed out, no response for {} ms; answered {}",
          pool.name(),
          ProtocolOp.requestName(op.requestTag()),
          TimeUnit.NANOSECONDS.toMillis(timeoutNanos),
          search ? "timeLimitExceeded (3)" : "adminLimitExceeded (11)");
      abandon(op);
      client.fail(
          op,
          search ? ResultCode.TIME_LIMIT_EXCEEDED : ResultCode.ADMIN_LIMIT_EXCEEDED,
          Diagnostics.TIMED_OUT);
    }
    operationsExpired();
  }

  /** Called after {@link #expire} failed operations for want of an answer. */
  void operationsExpired() {}

  /** Sends an AbandonRequest for an upstream message ID, if the connection is in use. */
  final void sendAbandon(int upstreamMessageId) {
    if (state == State.READY) {
      writeOwn(Requests.abandon(channel.alloc(), messageIds.next(idInUse), upstreamMessageId));
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
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() instanceof MalformedPduException) {
      closeWith(cause.getCause().getMessage());
    } else if (isTlsFailure(cause)) {
      closeWith(tlsFailure(cause));
    } else {
      // An I/O error says what happened in its message ("Connection reset by peer"); the class
      // name of Netty's native exception says nothing to an operator.
      String message = cause.getMessage();
      closeWith(cause instanceof java.io.IOException && message != null
          ? message : cause.toString());
    }
  }

  void closeWith(String reason) {
    if (state != State.CLOSED && channel != null && channel.isOpen()) {
      closedHere = true;
      if (state == State.READY) {
        state = State.CLOSING;
        log.warn(
            "{}: closing upstream connection: {}; {} operations in flight answered other (80)",
            pool.name(),
            reason,
            operationsInFlight());
      } else if (state != State.CLOSING) {
        setupFailure = reason; // the pool reports it, once per outage rather than per retry
      }
      channel.close();
    }
  }

  /** Closes a connection the pool no longer needs (nothing in flight); it is not replaced. */
  void retire() {
    retired = true;
    if (state == State.READY) {
      state = State.CLOSING;
      closedHere = true;
      channel.close();
    }
  }

  boolean isRetired() {
    return retired;
  }

  /** Why setting the connection up failed, or null. */
  String setupFailure() {
    return setupFailure;
  }

  /** Operations that fail if the connection is lost now. */
  int operationsInFlight() {
    return pending.size();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelStartTlsTimeout();
    boolean wasReady = state == State.READY || state == State.CLOSING;
    state = State.CLOSED;
    boolean lost = !closedHere && !pool.isClosed();
    // Closed by the server before it said anything: a refusal, not a working connection lost
    // (see ServerPool#connectionClosed).
    boolean refused = lost && !heardFrom
        && (!wasReady || System.nanoTime() - readyAtNanos < pool.retryNanos());
    if (refused && !wasReady && setupFailure == null) {
      setupFailure = ServerPool.REFUSED; // during its set-up (TLS, bind): the same refusal
    }
    if (lost && wasReady && (!refused || operationsInFlight() > 0)) {
      RateLimitedLog.DEFAULT.warn(
          log,
          "{}: connection lost; {} operations in flight answered other (80)",
          pool.name(),
          operationsInFlight());
    }
    closed();
    pool.connectionClosed(this, wasReady, refused);
    ctx.fireChannelInactive();
  }

  /** Every pending operation gets {@code other (80)} now; none is left without an answer. */
  void closed() {
    if (pending.isEmpty()) {
      return;
    }
    ArrayList<Operation> ops = new ArrayList<>(pending.values());
    pending.clear();
    pool.operationsLost(ops.size(), ops.size() - streaming);
    streaming = 0;
    for (Operation op : ops) {
      op.detachUpstream();
      op.client().fail(op, ResultCode.OTHER, Diagnostics.SEVERED);
    }
  }
}
