package org.ldapbalancer.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ThreadLocalRandom;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.Responses;

/**
 * One connection of idle mode: binds as the session identity if there is one, sends one search
 * so that the server has handled a request on it, and then sends nothing more until it is
 * closed. It tells its {@link IdleTally} when it is set up, when it could not be, and when the
 * server closes it afterwards.
 *
 * <p>Not thread-safe: every field is owned by the channel's event loop; {@link #close} hops onto
 * it.
 */
final class IdleConnection extends ChannelInboundHandlerAdapter {
  enum State { CONNECTING, SESSION_BIND, SEARCHING, IDLE, CLOSING }

  static final int SESSION_BIND_ID = 1;
  static final int SEARCH_ID = 2;

  private final BenchRequests requests;
  private final IdleTally tally;
  private final LdapMessage view = new LdapMessage();
  private ChannelHandlerContext ctx;
  private State state = State.CONNECTING;

  IdleConnection(BenchRequests requests, IdleTally tally) {
    this.requests = requests;
    this.tally = tally;
  }

  State state() {
    return state;
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
      search();
    }
  }

  private void search() {
    state = State.SEARCHING;
    ctx.writeAndFlush(
        requests.request(ctx.alloc(), OpKind.SEARCH, SEARCH_ID, ThreadLocalRandom.current()));
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
    if (view.messageId() == 0) {
      // Unsolicited notification (RFC 4511 §4.4): in practice a Notice of Disconnection.
      fail("the server sent a notice of disconnection (result code "
          + Responses.resultCode(view) + ")");
      return;
    }
    int tag = view.opTag();
    if (!ProtocolOp.isFinalResponse(tag)) {
      return; // the searched entry: only SearchResultDone ends the search
    }
    if (state == State.SESSION_BIND && view.messageId() == SESSION_BIND_ID) {
      int code = tag == ProtocolOp.BIND_RESPONSE ? Responses.resultCode(view) : -1;
      if (code != 0) {
        tally.refused("the server refused the session bind as --bind-dn: "
            + (code < 0 ? "unexpected response" : ResultCodeNames.name(code) + " (" + code + ")"));
        state = State.CLOSING;
        ctx.close();
        return;
      }
      search();
    } else if (state == State.SEARCHING && view.messageId() == SEARCH_ID) {
      state = State.IDLE;
      tally.setUp(Responses.resultCode(view));
    }
  }

  /** Sends an UnbindRequest (RFC 4511 §4.3) and closes; from any thread. */
  void close() {
    if (ctx == null) {
      return; // never registered: nothing to close
    }
    ctx.channel().eventLoop().execute(() -> {
      if (state == State.CLOSING) {
        return;
      }
      boolean wasIdle = state == State.IDLE;
      state = State.CLOSING;
      if (wasIdle) {
        tally.closedByUs();
      }
      ctx.writeAndFlush(Requests.unbind(ctx.alloc(), SEARCH_ID + 1)).addListener(f -> ctx.close());
    });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause.getMessage() == null ? cause.toString() : cause.getMessage());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail("the server closed the connection");
  }

  private void fail(String reason) {
    if (state == State.CLOSING) {
      return;
    }
    if (state == State.IDLE) {
      tally.lost(reason);
    } else {
      tally.failed(reason);
    }
    state = State.CLOSING;
    ctx.close();
  }
}
