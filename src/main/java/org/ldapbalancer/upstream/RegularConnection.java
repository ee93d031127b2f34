package org.ldapbalancer.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.security.sasl.SaslException;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.log.RateLimitedLog;
import org.ldapbalancer.operation.BindOperation;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.OversizedPdu;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.protocol.Responses;
import org.ldapbalancer.protocol.VerifyCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A regular upstream connection: bound once as {@code bindconf} (simple, or SASL in as many steps
 * as the mechanism takes) before it is offered to selection, then shared by every client's operations, each carrying its client's identity.
 *
 * <p>With {@code feature vc} it also reads the server's root DSE once it is ready, to learn
 * whether the server announces Verify Credentials; client binds, simple and SASL, then travel here
 * as that operation (as lloadd's {@code client_bind_as_vc}), and their answers go back as
 * BindResponses. A multi-step SASL exchange continues with the cookie the server answered, on
 * this connection: the client is pinned here between steps (a map of clients, touched by SASL
 * binds only), and told if the connection closes or the next step does not come in time.
 *
 * <p>Every field belongs to the channel's event loop.
 */
final class RegularConnection extends UpstreamConnection {
  private static final Logger log = LoggerFactory.getLogger(RegularConnection.class);

  /** The message ID of the {@code bindconf} bind in flight, or -1. */
  private int bindRequestId = -1;

  private ScheduledFuture<?> setupTimeout;
  /** The {@code bindmethod=sasl} exchange in progress, or null. */
  private SaslBindExchange sasl;
  /** The message ID of the root DSE search ({@code feature vc}) in flight, or -1. */
  private int rootDseId = -1;
  /** Whether the root DSE search in flight has found Verify Credentials announced. */
  private boolean rootDseAnnounces;
  /** The client bind's answer as a BindResponse, re-read for each; reused. */
  private final LdapMessage bindResponse = new LdapMessage();
  /**
   * Clients between two steps of a SASL exchange whose Verify Credentials cookie came from this
   * connection's server, with the time each step was answered; made on the first such exchange.
   */
  private Map<ClientLink, Long> saslExchanges;

  private static final byte[] ROOT_DSE = new byte[0];
  private static final byte[][] SUPPORTED_EXTENSION = {
    VerifyCredentials.SUPPORTED_EXTENSION.getBytes(StandardCharsets.US_ASCII)
  };

  RegularConnection(ServerPool pool, int firstMessageId) {
    super(pool, firstMessageId);
  }

  @Override
  boolean isBindConnection() {
    return false;
  }

  @Override
  public int pendingOps() {
    // Streaming searches hold no slot; abandoned operations the server may still hold do.
    return pending.size() - streaming + abandonedAtServerCount();
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
    return id == bindRequestId || id == rootDseId;
  }

  /**
   * Ready for selection; with {@code feature vc} the root DSE is read once, off the request path,
   * to learn whether client binds may go here as Verify Credentials.
   */
  @Override
  void becomeReady() {
    super.becomeReady();
    if (pool.verifyCredentialsWanted()) {
      rootDseId = messageIds.next(idInUse);
      rootDseAnnounces = false;
      writeOwn(
          Requests.searchBaseObject(channel.alloc(), rootDseId, ROOT_DSE, SUPPORTED_EXTENSION));
    }
  }

  @Override
  public boolean verifiesCredentials() {
    return pool.verifiesCredentials();
  }

  private void rootDseResponse() throws MalformedPduException {
    if (view.opTag() == ProtocolOp.SEARCH_RESULT_ENTRY) {
      rootDseAnnounces |= VerifyCredentials.isAnnouncedBy(view);
    } else if (view.opTag() == ProtocolOp.SEARCH_RESULT_DONE) {
      rootDseId = -1;
      // A refused search (no anonymous access to the root DSE, say) announces nothing.
      pool.verifyCredentialsAnnounced(
          rootDseAnnounces && Responses.resultCode(view) == ResultCode.SUCCESS);
    } // a referral or intermediate response says nothing about the server's extensions
  }

  /**
   * A client bind goes as Verify Credentials, a SASL one asking for the identity it establishes
   * (RFC 3829) and, for a next step, with its exchange's cookie; any other operation as it came.
   */
  @Override
  public void forward(Operation op, LdapMessage request, ByteBuf control) {
    if (!(op instanceof BindOperation bind)) {
      super.forward(op, request, control);
      return;
    }
    if (saslExchanges != null) {
      saslExchanges.remove(op.client()); // its next step is in flight, or a new bind replaces it
    }
    int id = messageIds.next(idInUse);
    ByteBuf vc;
    boolean askForIdentity;
    try {
      askForIdentity = bind.isSasl() && !VerifyCredentials.asksForIdentity(request);
      vc = VerifyCredentials.request(channel.alloc(), id, request, bind.cookie(), askForIdentity);
    } catch (MalformedPduException e) {
      // The client side has read this Bind already; it cannot be malformed here.
      throw new IllegalStateException("a checked BindRequest could not be read again", e);
    }
    channel.write(vc, channel.voidPromise());
    bind.sentAsVerifyCredentials(askForIdentity);
    sent(op, id);
  }

  @Override
  public boolean holdsSaslExchangeOf(ClientLink client) {
    return isReady() && saslExchanges != null && saslExchanges.containsKey(client);
  }

  /** Whether a client's exchange waits here for its next step: the connection is not surplus. */
  @Override
  boolean holdsSaslExchanges() {
    return saslExchanges != null && !saslExchanges.isEmpty();
  }

  /**
   * Ends exchanges whose next step has not come within the step time limit, as on a bind
   * connection: their clients' next step starts afresh, and the connection may be let go.
   */
  @Override
  void expire(long nowNanos, long timeoutNanos) {
    if (holdsSaslExchanges()) {
      for (var it = saslExchanges.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<ClientLink, Long> e = it.next();
        if (nowNanos - e.getValue() >= pool.saslStepTimeoutNanos()) {
          it.remove();
          e.getKey().saslExchangeEnded(this); // the client only forgets its pin: no call back
        }
      }
    }
    super.expire(nowNanos, timeoutNanos);
  }

  /**
   * Forgets the client's exchange. The server may keep its half until it discards it: Verify
   * Credentials has no way to end an exchange but to finish it.
   */
  @Override
  public void releaseSaslPin(ClientLink client) {
    if (saslExchanges != null) {
      saslExchanges.remove(client);
    }
  }

  @Override
  void ownResponse() throws MalformedPduException {
    if (view.messageId() == rootDseId) {
      rootDseResponse();
      return;
    }
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
  void completed(Operation op, ByteBuf frame) throws MalformedPduException {
    if (op instanceof BindOperation bind) {
      verificationCompleted(bind);
      return;
    }
    // Relayed while still linked, so that the client side can name the server that answered.
    op.client().relay(op, view, true);
    op.detachUpstream();
  }

  /**
   * The Verify Credentials answer to a client bind, relayed as the BindResponse it stands for.
   * Every way it can end gives the client exactly one BindResponse:
   *
   * <ul>
   *   <li>saslBindInProgress with a cookie: the client is pinned here for its next step;
   *   <li>success: a simple bind establishes the identity it named, a SASL bind the one the
   *       server names, in the response's {@code authzid} or else in its Authorization Identity
   *       Response control (the control the balancer asked for is not relayed). A server that
   *       names none gets the bind refused with {@code other (80)} rather than an identity
   *       guessed: the client is anonymous, and the log says why;
   *   <li>anything malformed: {@code other (80)}, and the connection goes on for the others.
   * </ul>
   */
  private void verificationCompleted(BindOperation bind) throws MalformedPduException {
    VerifyCredentials.Answer answer;
    try {
      answer = VerifyCredentials.read(view);
    } catch (MalformedPduException e) {
      // The message itself was framed correctly, so the connection is still in step: only this
      // bind fails, and the other clients' operations on the connection go on.
      RateLimitedLog.DEFAULT.warn(
          log, "{}: malformed Verify Credentials response: {}", pool.name(), e.getMessage());
      fail(bind, "malformed Verify Credentials response");
      return;
    }
    int code = answer.resultCode();
    String authzId = null;
    if (code == ResultCode.SASL_BIND_IN_PROGRESS) {
      if (!bind.isSasl()) {
        fail(bind, ResultCode.PROTOCOL_ERROR, "saslBindInProgress answer to a simple bind");
        return;
      }
      byte[] cookie = answer.cookie();
      if (cookie == null) {
        RateLimitedLog.DEFAULT.warn(
            log, "{}: Verify Credentials answered saslBindInProgress without a cookie",
            pool.name());
        fail(bind, "the server gave no cookie to continue the SASL exchange with");
        return;
      }
      bind.cookie(cookie);
      if (!bind.isFinished()) { // a client that left or reset needs no next step
        if (saslExchanges == null) {
          saslExchanges = new HashMap<>();
        }
        saslExchanges.put(bind.client(), System.nanoTime());
      }
    } else if (code == ResultCode.SUCCESS) {
      authzId = bind.isSasl() ? saslIdentity(bind, answer) : bind.simpleBindAuthzId();
      if (authzId == null) {
        fail(bind, NO_IDENTITY);
        return;
      }
    }
    ByteBuf made = answer.bindResponse(channel.alloc(), view.messageId(), bind.identityAsked());
    try {
      bindResponse.parse(made);
      bind.client().bindCompleted(bind, bindResponse, code, authzId);
    } finally {
      made.release();
    }
    bind.detachUpstream();
  }

  static final String NO_IDENTITY =
      "the server verified the SASL credentials but did not say whose they are";

  /**
   * The identity a successful SASL verification established, or null (logged) when the server
   * names none: OpenLDAP's contrib vc module leaves {@code authzid} out and returns the control
   * only where the {@code authzid} overlay is loaded.
   */
  private String saslIdentity(BindOperation bind, VerifyCredentials.Answer answer) {
    String authzId = answer.authzId();
    if (authzId == null) {
      authzId = answer.identityFromControl();
    }
    if (authzId == null) {
      RateLimitedLog.DEFAULT.warn(
          log,
          "{}: a SASL {} bind verified with Verify Credentials named no identity (no authzid, no"
              + " Authorization Identity Response control); the bind is refused with other (80)."
              + " Load the authzid overlay on the server, or switch feature vc off",
          pool.name(),
          bind.mechanism());
      return null;
    }
    return authzId.isEmpty() ? "dn:" : authzId;
  }

  private void fail(BindOperation bind, String diagnostic) {
    fail(bind, ResultCode.OTHER, diagnostic);
  }

  private void fail(BindOperation bind, int code, String diagnostic) {
    bind.client().fail(bind, code, diagnostic);
    bind.detachUpstream();
  }

  @Override
  public void abandon(Operation op) {
    boolean heldSlot = !op.isStreaming();
    if (forget(op)) {
      sendAbandon(op.upstreamMessageId());
      if (heldSlot) {
        abandonedAtServer();
      }
    }
  }

  /**
   * A response too large to take: the operation it answers fails alone with {@code
   * adminLimitExceeded} and is abandoned at the server (a search's further entries would be
   * dropped anyway); the connection and every other operation on it go on. One that no client
   * waits for is simply gone; one of the balancer's own requests cannot be failed alone.
   */
  @Override
  void oversized(OversizedPdu pdu) {
    int id = pdu.messageId();
    if (id <= 0 || isBalancersOwn(id)) {
      super.oversized(pdu);
      return;
    }
    Operation op = pendingOperation(id);
    if (op == null) {
      return; // abandoned or timed out: nobody waits for it
    }
    RateLimitedLog.DEFAULT.warn(log, "{}: {}; that operation fails with adminLimitExceeded (11),"
        + " the connection stays", pool.name(), tooLarge(pdu));
    abandon(op);
    op.client().fail(op, ResultCode.ADMIN_LIMIT_EXCEEDED, tooLarge(pdu));
  }

  private void cancelSetupTimeout() {
    if (setupTimeout != null) {
      setupTimeout.cancel(false);
      setupTimeout = null;
    }
  }

  @Override
  void closed() {
    rootDseId = -1;
    cancelSetupTimeout();
    endSasl();
    super.closed();
    if (holdsSaslExchanges()) {
      // Their cookies belong to this connection's server: the exchanges cannot go on elsewhere.
      List<ClientLink> pinned = List.copyOf(saslExchanges.keySet());
      saslExchanges.clear();
      for (ClientLink client : pinned) {
        client.saslExchangeEnded(this);
      }
    }
  }
}
