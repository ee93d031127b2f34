package org.ldapbalancer.upstream;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.ProtocolOp;
import io.netty.buffer.ByteBuf;
import org.ldapbalancer.operation.BindOperation;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.testing.Pdus;

/** Handing requests to an upstream connection or the router as the client side does. */
final class Traffic {
  private Traffic() {}

  /** Forwards a request on {@code link} as the router would, under a fresh operation. */
  static Operation forward(UpstreamLink link, ClientLink client, int clientId, ProtocolOp request) {
    Operation op = new Operation(client, clientId, request.getProtocolOpType() & 0xff);
    ByteBuf frame = Pdus.frame(clientId, request);
    try {
      link.forward(op, new LdapMessage().parse(frame), null);
    } catch (MalformedPduException e) {
      throw new AssertionError(e);
    } finally {
      frame.release();
    }
    return op;
  }

  /** Hands a client's bind to the router, as the client connection does. */
  static BindOperation bind(
      OperationRouter router,
      ClientLink client,
      int clientId,
      BindRequestProtocolOp request,
      UpstreamLink pinned) {
    return bind(router, client, clientId, request, pinned, null);
  }

  /** As above, for the next step of an exchange whose Verify Credentials cookie is given. */
  static BindOperation bind(
      OperationRouter router,
      ClientLink client,
      int clientId,
      BindRequestProtocolOp request,
      UpstreamLink pinned,
      byte[] cookie) {
    boolean sasl = request.getSASLMechanism() != null;
    boolean anonymous = !sasl && request.getSimplePassword().getValue().length == 0;
    BindOperation op =
        new BindOperation(
            client, clientId, request.getSASLMechanism(), request.getBindDN(), anonymous);
    op.cookie(cookie);
    ByteBuf frame = Pdus.frame(clientId, request);
    try {
      router.forwardBind(op, new LdapMessage().parse(frame), pinned);
    } catch (MalformedPduException e) {
      throw new AssertionError(e);
    } finally {
      frame.release();
    }
    return op;
  }
}
