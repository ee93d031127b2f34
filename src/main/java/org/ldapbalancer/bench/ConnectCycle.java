package org.ldapbalancer.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.Responses;

/**
 * One lane of connect mode: connect, bind, unbind and close, then again, one attempt at a
 * time. An operation is timed from the connect to the BindResponse; the unbind and close are
 * not waited for, as a client that has its answer does not wait for them either.
 *
 * <p>Not thread-safe: owned by its event loop.
 */
final class ConnectCycle {
  /** After a failed connect, pause before the next: a dead server must not spin the loop. */
  private static final long RETRY_DELAY_MILLIS = 100;

  private static final int BIND_ID = 1;

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final SocketAddress address;
  private final BenchRequests requests;
  private final RunControl control;
  private final BenchStats stats;
  private final Pacer pacer;
  private final AnswerLedger ledger;
  private final int maxPduSize;
  /** For {@code ldaps://}; else {@code null}. */
  private final BenchTls tls;
  private boolean waiting;

  ConnectCycle(EventLoop loop, Bootstrap template, SocketAddress address, BenchRequests requests,
      RunControl control, BenchStats stats, Pacer pacer, AnswerLedger ledger, int maxPduSize,
      BenchTls tls) {
    this.loop = loop;
    this.bootstrap = template.clone(loop);
    this.address = address;
    this.requests = requests;
    this.control = control;
    this.stats = stats;
    this.pacer = pacer;
    this.ledger = ledger;
    this.maxPduSize = maxPduSize;
    this.tls = tls;
  }

  void start() {
    loop.execute(this::next);
  }

  private void next() {
    waiting = false;
    long now = System.nanoTime();
    long wait = pacer.take(now);
    if (wait > 0) {
      later(wait);
      return;
    }
    int start = control.tryStart();
    if (start == RunControl.REFUSED) {
      return;
    }
    Attempt attempt = new Attempt(now, start == RunControl.MEASURED);
    bootstrap.handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        if (tls != null) {
          tls.addTo(ch.pipeline());
        }
        ch.pipeline().addLast(new LdapFrameDecoder(maxPduSize), attempt);
      }
    }).connect(address).addListener((ChannelFutureListener) f -> {
      if (!f.isSuccess()) {
        attempt.failed("cannot connect: " + f.cause().getMessage());
      }
    });
  }

  private void later(long nanos) {
    if (!waiting) {
      waiting = true;
      loop.schedule(this::next, nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** One connection's life. */
  private final class Attempt extends ChannelInboundHandlerAdapter {
    private final long startNanos;
    private final boolean measured;
    private final LdapMessage view = new LdapMessage();
    /** The bind has been written: from then on it is answered or lost, in the ledger. */
    private boolean bindSent;
    private boolean done;

    Attempt(long startNanos, boolean measured) {
      this.startNanos = startNanos;
      this.measured = measured;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(requests.request(ctx.alloc(), OpKind.CONNECT, BIND_ID,
          ThreadLocalRandom.current()));
      bindSent = true;
      ledger.sent();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      try {
        view.parse(frame);
        if (view.messageId() == 0) {
          ledger.notice(); // and the close it announces shows up below
          return;
        }
        if (view.messageId() != BIND_ID || view.opTag() != ProtocolOp.BIND_RESPONSE) {
          return;
        }
        if (done) {
          ledger.unexpected(); // a second BindResponse
          return;
        }
        done = true;
        int code = Responses.resultCode(view);
        ledger.answered(code);
        if (control.stopped()) {
          ctx.close();
          return;
        }
        stats.record(OpKind.CONNECT, measured, System.nanoTime() - startNanos, code);
        if (measured) {
          control.completed();
        }
        ctx.writeAndFlush(Requests.unbind(ctx.alloc(), BIND_ID + 1))
            .addListener(ChannelFutureListener.CLOSE);
        next();
      } catch (MalformedPduException e) {
        failed("malformed response from the server: " + e.getMessage());
        ctx.close();
      } finally {
        frame.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failed(cause.getMessage() == null ? cause.toString() : cause.getMessage());
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      failed("the server closed the connection before the BindResponse");
    }

    /** Counts the failure once and moves on after a pause. */
    void failed(String reason) {
      if (done) {
        return;
      }
      done = true;
      if (bindSent) {
        ledger.lost(1);
      }
      if (control.stopped()) {
        return; // closed by the end of the run, not by a fault
      }
      if (measured) {
        control.failed();
      }
      stats.connectionError(reason);
      later(TimeUnit.MILLISECONDS.toNanos(RETRY_DELAY_MILLIS));
    }
  }
}
