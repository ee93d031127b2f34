package org.ldapbalancer.operation;

import io.netty.buffer.ByteBuf;
import org.ldapbalancer.balancing.Endpoint;
import org.ldapbalancer.balancing.ServerEndpoints;
import org.ldapbalancer.protocol.LdapMessage;

/** What the client side may ask of the upstream connection an operation travels on. */
public interface UpstreamLink extends Endpoint {
  /**
   * The server this connection belongs to, as selection sees its regular connections: where a
   * pin to the server chooses. Null for a link that belongs to no pool.
   */
  default ServerEndpoints<UpstreamLink> server() {
    return null;
  }

  /**
   * Forwards {@code request} under a fresh upstream message ID, adding {@code control} (one
   * encoded Control) when it is not null. The write is flushed with the current batch.
   */
  void forward(Operation op, LdapMessage request, ByteBuf control);

  /**
   * Sends an AbandonRequest for the operation (RFC 4511 §4.11) and forgets it, so that any later
   * response for it is dropped. Never answered to the client.
   */
  void abandon(Operation op);

  /**
   * Whether this connection holds {@code client}'s multi-step SASL exchange, ready for its next
   * step: the bind connection it runs on, or the regular connection whose server gave its
   * Verify Credentials cookie.
   */
  boolean holdsSaslExchangeOf(ClientLink client);

  /**
   * Ends {@code client}'s multi-step SASL exchange here, which the client gave up (another
   * request, a bind with another mechanism or a simple one, an abandon of the exchange, or the
   * client left): a bind connection is freed, a regular connection forgets the client.
   */
  void releaseSaslPin(ClientLink client);

  /**
   * Whether a client's Bind, simple or SASL, may travel on this connection as a Verify
   * Credentials extended operation ({@code feature vc}, and the server announced the operation
   * in its root DSE).
   */
  default boolean verifiesCredentials() {
    return false;
  }

  /** The server this connection goes to, as configured ({@code ldap://host:port}), for logs. */
  default String serverName() {
    return "";
  }
}
