package org.ldapbalancer.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.Responses;

/**
 * One persistent connection of the search, bind and mixed modes: binds as the session identity
 * if there is one, then keeps up to {@code inFlight} requests outstanding until the run stops.
 * Responses are read only as far as message ID, protocolOp tag and result code; entries are
 * skipped unread.
 *
 * <p>Not thread-safe: every field is owned by the channel's event loop. Other threads only call
 * {@link #start} and {@link #close}, which hop onto that loop.
 */
final class BenchConnection extends ChannelInboundHandlerAdapter {
  private enum State { CONNECTING, SESSION_BIND, READY, RUNNING, CLOSING }

  private static final int SESSION_BIND_ID = 1;

  private final BenchRequests requests;
  private final OpMix mix;
  private final int inFlight;
  private final RunControl control;
  private final BenchStats stats;
  private final Pacer pacer;
  private final AnswerLedger ledger;
  private final PendingOps pending;
  private final LdapMessage view = new LdapMessage();
  /** Completes once the connection may start, or fails with why it cannot. */
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  private ChannelHandlerContext ctx;
  private State state = State.CONNECTING;
  /** A kind drawn but not yet sent: waiting for the pacer, or a bind waiting for a drain. */
  private OpKind held;
  /** A bind is outstanding, so nothing else may be sent (RFC 4511 §4.2.1). */
  private boolean bindOutstanding;
  private boolean unflushed;
  private ScheduledFuture<?> wakeUp;

  BenchConnection(
      BenchRequests requests, OpMix mix, int inFlight, RunControl control, BenchStats stats,
      Pacer pacer, AnswerLedger ledger) {
    this.requests = requests;
    this.mix = mix;
    this.inFlight = inFlight;
    this.control = control;
    this.stats = stats;
    this.pacer = pacer;
    this.ledger = ledger;
    this.pending = new PendingOps(inFlight);
  }

  CompletableFuture<Void> ready() {
    return ready;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (requests.hasSessionBind()) {
      state = State.SESSION_BIND;
      ctx.writeAndFlush(requests.sessionBind(ctx.alloc(), SESSION_BIND_ID));
    } else {
      state = State.READY;
      ready.complete(null);
    }
  }

  /** Begins sending; called once, from any thread, when every connection is ready. */
  void start() {
    ctx.channel().eventLoop().execute(() -> {
      if (state == State.READY) {
        state = State.RUNNING;
        fill();
        flushIfNeeded();
      }
    });
  }

  /**
   * Sends an UnbindRequest (RFC 4511 §4.3) and closes; what is in flight is abandoned, and stays
   * unanswered in the {@link AnswerLedger}.
   */
  void close() {
    if (ctx == null) {
      return; // never registered: nothing to close
    }
    ctx.channel().eventLoop().execute(() -> {
      if (state == State.CLOSING) {
        return;
      }
      state = State.CLOSING;
      cancelWakeUp();
      ctx.writeAndFlush(Requests.unbind(ctx.alloc(), Integer.MAX_VALUE))
          .addListener(f -> ctx.close());
    });
  }

  /** Sends requests until the in-flight limit, the pacer, a bind or the run says stop. */
  private void fill() {
    while (state == State.RUNNING && !bindOutstanding && pending.size() < inFlight
        && wakeUp == null) {
      OpKind kind = held != null ? held : mix.draw(ThreadLocalRandom.current());
      held = kind;
      if (kind == OpKind.BIND && !pending.isEmpty()) {
        return; // RFC 4511 §4.2.1: a bind goes alone; wait until the others are answered
      }
      long now = System.nanoTime();
      long wait = pacer.take(now);
      if (wait > 0) {
        wakeUp = ctx.channel().eventLoop().schedule(this::wake, wait, TimeUnit.NANOSECONDS);
        return;
      }
      int start = control.tryStart();
      if (start == RunControl.REFUSED) {
        return;
      }
      held = null;
      int id = pending.begin(kind, start == RunControl.MEASURED, now);
      ctx.write(requests.request(ctx.alloc(), kind, id, ThreadLocalRandom.current()));
      ledger.sent();
      unflushed = true;
      bindOutstanding = kind == OpKind.BIND;
    }
  }

  private void wake() {
    wakeUp = null;
    fill();
    flushIfNeeded();
  }

  private void cancelWakeUp() {
    if (wakeUp != null) {
      wakeUp.cancel(false);
      wakeUp = null;
    }
  }

  private void flushIfNeeded() {
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      view.parse(frame);
      onMessage();
    } catch (MalformedPduException e) {
      fail("malformed response from the server: " + e.getMessage());
    } finally {
      frame.release();
    }
  }

  private void onMessage() throws MalformedPduException {
    if (state == State.CLOSING) {
      return; // closed by the run or lost: what it had outstanding is already accounted for
    }
    int tag = view.opTag();
    if (view.messageId() == 0) {
      // Unsolicited notification (RFC 4511 §4.4): in practice a Notice of Disconnection.
      ledger.notice();
      fail("the server sent a notice of disconnection (result code "
          + Responses.resultCode(view) + ")");
      return;
    }
    if (!ProtocolOp.isFinalResponse(tag)) {
      return; // entries and references: only the final response ends an operation
    }
    if (state == State.SESSION_BIND) {
      onSessionBind(tag);
      return;
    }
    int slot = pending.slotOf(view.messageId());
    if (slot < 0) {
      ledger.unexpected(); // a second final response, or one to an ID never sent: a server bug
      return;
    }
    long latency = System.nanoTime() - pending.startNanos(slot);
    int code = Responses.resultCode(view);
    OpKind kind = pending.kind(slot);
    boolean measured = pending.measured(slot);
    pending.end(slot);
    ledger.answered(code);
    if (kind == OpKind.BIND) {
      bindOutstanding = false;
    }
    if (control.stopped()) {
      // Answered after the end (during the drain): in the ledger, but counted as unfinished in
      // the measured figures, like the rest still in flight at the stop.
      return;
    }
    stats.record(kind, measured, latency, code);
    if (measured) {
      control.completed();
    }
    fill();
  }

  private void onSessionBind(int tag) throws MalformedPduException {
    int code = tag == ProtocolOp.BIND_RESPONSE ? Responses.resultCode(view) : -1;
    if (view.messageId() != SESSION_BIND_ID || code != 0) {
      ready.completeExceptionally(new BenchException("the server refused the session bind as "
          + "--bind-dn: " + (code < 0 ? "unexpected response" : ResultCodeNames.name(code)
              + " (" + code + ")")));
      state = State.CLOSING;
      ctx.close();
      return;
    }
    state = State.READY;
    ready.complete(null);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flushIfNeeded();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause.getMessage() == null ? cause.toString() : cause.getMessage());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelWakeUp();
    if (state != State.CLOSING) {
      fail("the server closed the connection");
    }
  }

  private void fail(String reason) {
    if (state == State.CLOSING) {
      return;
    }
    if (!ready.isDone()) {
      ready.completeExceptionally(new java.io.IOException(reason));
    } else {
      stats.connectionError(reason);
    }
    if (state == State.RUNNING) {
      control.connectionLost();
    }
    ledger.lost(pending.size());
    state = State.CLOSING;
    cancelWakeUp();
    ctx.close();
  }
}
