package org.ldapbalancer.operation;

import org.ldapbalancer.monitor.ClientSnapshot;

import org.ldapbalancer.protocol.LdapMessage;

/** What the upstream side may ask of the client an operation came from. */
public interface ClientLink {
  /**
   * Relays an upstream response (an entry, reference, intermediate or final response) to the
   * client under the client's message ID. On a final response the client forgets the
   * operation.
   */
  void relay(Operation op, LdapMessage response, boolean isFinal);

  /**
   * Ends the operation with a result the balancer makes itself (busy, unavailable, the upstream
   * was lost, timed out). Does nothing if the operation has had its final response.
   */
  void fail(Operation op, int resultCode, String diagnostic);

  /**
   * Relays a BindResponse and, on success, takes the identity the bind established.
   *
   * @param authzId the new identity ({@code "dn:..."}, {@code "u:..."}) after a successful bind;
   *     ignored otherwise
   */
  void bindCompleted(Operation op, LdapMessage response, int resultCode, String authzId);

  /**
   * The multi-step SASL exchange this client had open on {@code link} is over without an answer
   * to the client (it waited too long for the next step, or the connection was lost): the client
   * is no longer in the middle of a bind, and its next SASL step starts afresh.
   */
  void saslExchangeEnded(UpstreamLink link);

  /**
   * An operation with affinity (a pin of its own, or a page of a paged search) has been sent on
   * {@code link}, at once or after waiting in the router's queue: the client records where it
   * went, for the pins and pages that follow it.
   */
  void sentWithAffinity(Operation op, UpstreamLink link);

  /**
   * The operations the client waits for: forwarded, waiting in a queue or being answered (an
   * operation being forwarded counts itself).
   */
  int operationsInFlight();

  /** The connection's number, unique in the process (cn=Monitor's {@code cn=Connection N}). */
  long connectionId();

  /** The client as cn=Monitor shows it; called on the client's event loop. */
  ClientSnapshot sample();

  /** Sends a Notice of Disconnection (RFC 4511 §4.4.1) and closes; on the client's loop. */
  void disconnect(int resultCode, String diagnostic);
}
