package org.ldapbalancer.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.security.sasl.SaslException;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.protocol.Responses;

/**
 * A regular upstream connection: bound once as {@code bindconf} (simple, or SASL in as many steps
 * as the mechanism takes) before it is offered to selection, then shared by every client's operations, each carrying its client's identity.
 *
 * <p>Every field belongs to the channel's event loop.
 */
final class RegularConnection extends UpstreamConnection {
  /** The message ID of the {@code bindconf} bind in flight, or -1. */
  private int bindRequestId = -1;

  private ScheduledFuture<?> setupTimeout;
  /** The {@code bindmethod=sasl} exchange in progress, or null. */
  private SaslBindExchange sasl;

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
    if (bindConf.method() == BindMethod.NONE) {
      becomeReady();
      return;
    }
    state = State.SETTING_UP;
    long timeout = bindConf.networkTimeout().toMillis();
    if (timeout > 0) { // 0: no limit, as in lloadd.conf(5)
      setupTimeout =
          ctx.executor()
              .schedule(
                  () -> closeWith("no bind response within " + timeout + " ms"),
                  timeout,
                  TimeUnit.MILLISECONDS);
    }
    bindRequestId = messageIds.next(idInUse);
    if (bindConf.method() == BindMethod.SIMPLE) {
      ctx.writeAndFlush(
          Requests.simpleBind(
              ctx.alloc(), bindRequestId, bindConf.bindDn(), bindConf.credentials()));
      return;
    }
    try {
      sasl = SaslBindExchange.start(bindConf, pool.host());
      ctx.writeAndFlush(
          Requests.saslBind(ctx.alloc(), bindRequestId, sasl.mechanism(), sasl.initialResponse()));
    } catch (SaslException e) {
      closeWith("SASL " + bindConf.sasl().mechanism() + ": " + e.getMessage());
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
    if (sasl != null && code == ResultCode.SASL_BIND_IN_PROGRESS) {
      saslStep(Responses.serverSaslCredentials(view));
      return;
    }
    cancelSetupTimeout();
    if (code != ResultCode.SUCCESS) {
      closeWith(
          "the server refused the bindconf credentials (result "
              + code
              + ": "
              + Responses.diagnosticMessage(view)
              + ")");
      return;
    }
    if (sasl != null) {
      try {
        sasl.finish(Responses.serverSaslCredentials(view));
      } catch (SaslException e) {
        closeWith("SASL " + sasl.mechanism() + ": " + e.getMessage());
        return;
      }
      endSasl();
    }
    becomeReady();
  }

  /** The server's challenge in a multi-step SASL bind: the next step, on this connection. */
  private void saslStep(byte[] challenge) {
    try {
      byte[] response = sasl.respond(challenge);
      bindRequestId = messageIds.next(idInUse);
      writeOwn(Requests.saslBind(channel.alloc(), bindRequestId, sasl.mechanism(), response));
    } catch (SaslException e) {
      closeWith("SASL " + sasl.mechanism() + ": " + e.getMessage());
    }
  }

  private void endSasl() {
    if (sasl != null) {
      sasl.dispose();
      sasl = null;
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
    endSasl();
    super.closed();
  }
}
