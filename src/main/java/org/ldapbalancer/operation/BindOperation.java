package org.ldapbalancer.operation;

import org.ldapbalancer.protocol.ProtocolOp;

/**
 * A client's Bind: an operation that also carries what the connection it travels on needs to
 * learn the identity it establishes and, as Verify Credentials, to continue a SASL exchange (the
 * cookie). Owned by one event loop, like every operation.
 */
public final class BindOperation extends Operation {
  private final String mechanism;
  private final String dn;
  private final boolean anonymous;
  /** Sent as a Verify Credentials extended operation: its answer is an ExtendedResponse. */
  private boolean verifyingCredentials;
  /** The balancer, not the client, asked the server for the identity (RFC 3829 control). */
  private boolean identityAsked;
  /**
   * The Verify Credentials cookie of the SASL exchange: the one this step carries (set by the
   * client before it is forwarded), then the one a saslBindInProgress answer gave for the next
   * step (set by the connection that read it). Null for a first step and for simple binds.
   */
  private byte[] cookie;

  /**
   * @param mechanism the SASL mechanism, or null for a simple bind
   * @param dn the bind DN as the client sent it
   * @param anonymous a simple bind without password (anonymous or unauthenticated)
   */
  public BindOperation(
      ClientLink client, int clientMessageId, String mechanism, String dn, boolean anonymous) {
    super(client, clientMessageId, ProtocolOp.BIND_REQUEST);
    this.mechanism = mechanism;
    this.dn = dn;
    this.anonymous = anonymous;
  }

  /**
   * The bind now travels as a Verify Credentials request (set by the connection sending it);
   * {@code identityAsked}: with an Authorization Identity Request control the client did not
   * send, so that the answer's control is not relayed.
   */
  public void sentAsVerifyCredentials(boolean identityAsked) {
    verifyingCredentials = true;
    this.identityAsked = identityAsked;
  }

  public boolean identityAsked() {
    return identityAsked;
  }

  /** See {@link #cookie}. */
  public byte[] cookie() {
    return cookie;
  }

  public void cookie(byte[] cookie) {
    this.cookie = cookie;
  }

  public boolean isVerifyingCredentials() {
    return verifyingCredentials;
  }

  @Override
  public int upstreamResponseTag() {
    return verifyingCredentials ? ProtocolOp.EXTENDED_RESPONSE : super.upstreamResponseTag();
  }

  public boolean isSasl() {
    return mechanism != null;
  }

  /** The SASL mechanism, or null for a simple bind. */
  public String mechanism() {
    return mechanism;
  }

  /** The identity a successful simple bind establishes ({@code dn:...}, {@code dn:} anonymous). */
  public String simpleBindAuthzId() {
    return anonymous ? "dn:" : "dn:" + dn;
  }
}
