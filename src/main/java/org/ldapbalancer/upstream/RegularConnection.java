package org.ldapbalancer.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.protocol.Responses;

/**
 * A regular upstream connection: bound once as {@code bindconf} before it is offered to
 * selection, then shared by every client's operations, each carrying its client's identity.
 *
 * <p>Every field belongs to the channel's event loop.
 */
final class RegularConnection extends UpstreamConnection {
  /** The message ID of the {@code bindconf} bind in flight, or -1. */
  private int bindRequestId = -1;

  private ScheduledFuture<?> setupTimeout;

  RegularConnection(ServerPool pool, int firstMessageId) {
    super(pool, firstMessageId);
  }

  @Override
  boolean isBindConnection() {
    return false;
  }

  @Override
  public int pendingOps() {
    return pending.size() - streaming; // streaming searches hold no slot
  }

  @Override
  void secured(ChannelHandlerContext ctx) {
    BindConf bindConf = pool.bindConf();
    if (bindConf.method() == BindMethod.SIMPLE) {
      state = State.SETTING_UP;
      bindRequestId = messageIds.next(idInUse);
      long timeout = bindConf.networkTimeout().toMillis();
      if (timeout > 0) { // 0: no limit, as in lloadd.conf(5)
        setupTimeout =
            ctx.executor()
                .schedule(
                    () -> closeWith("no bind response within " + timeout + " ms"),
                    timeout,
                    TimeUnit.MILLISECONDS);
      }
      ctx.writeAndFlush(
          Requests.simpleBind(
              ctx.alloc(), bindRequestId, bindConf.bindDn(), bindConf.credentials()));
    } else {
      becomeReady();
    }
  }

  @Override
  boolean isOwnRequest(int id) {
    return id == bindRequestId;
  }

  @Override
  void ownResponse() throws MalformedPduException {
    int code = Responses.resultCode(view);
    bindRequestId = -1;
    cancelSetupTimeout();
    if (code == ResultCode.SUCCESS) {
      becomeReady();
    } else {
      closeWith("the server refused the bindconf credentials (result " + code + ")");
    }
  }

  @Override
  void completed(Operation op, ByteBuf frame) {
    // Relayed while still linked, so that the client side can name the server that answered.
    op.client().relay(op, view, true);
    op.detachUpstream();
  }

  @Override
  public void abandon(Operation op) {
    if (forget(op)) {
      sendAbandon(op.upstreamMessageId());
    }
  }

  private void cancelSetupTimeout() {
    if (setupTimeout != null) {
      setupTimeout.cancel(false);
      setupTimeout = null;
    }
  }

  @Override
  void closed() {
    cancelSetupTimeout();
    super.closed();
  }
}
