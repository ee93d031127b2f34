package org.ldapbalancer.upstream;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyResponseProtocolOp;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import java.util.List;
import org.ldapbalancer.operation.BindOperation;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.testing.Pdus;

/** Requests and responses the upstream tests send, and forwarding them as the client side does. */
final class Traffic {
  static final String BASE = "dc=example,dc=com";

  private Traffic() {}

  static SearchRequestProtocolOp search() {
    return new SearchRequestProtocolOp(
        BASE, SearchScope.SUB, DereferencePolicy.NEVER, 0, 0, false,
        Filter.createPresenceFilter("objectClass"), List.of());
  }

  static ModifyRequestProtocolOp modify() {
    return new ModifyRequestProtocolOp(
        "cn=a," + BASE,
        List.of(new Modification(ModificationType.REPLACE, "description", "x")));
  }

  static SearchResultDoneProtocolOp searchDone(int resultCode) {
    return new SearchResultDoneProtocolOp(resultCode, null, null, null);
  }

  static ModifyResponseProtocolOp modifyDone(int resultCode) {
    return new ModifyResponseProtocolOp(resultCode, null, null, null);
  }

  static BindRequestProtocolOp simpleBind(String dn, String password) {
    return new BindRequestProtocolOp(dn, password);
  }

  static BindRequestProtocolOp saslBind(String mechanism, String credentials) {
    return new BindRequestProtocolOp("", mechanism, new ASN1OctetString(credentials));
  }

  static BindResponseProtocolOp bindDone(int resultCode) {
    return new BindResponseProtocolOp(resultCode, null, null, null, null);
  }

  static ExtendedResponseProtocolOp whoAmIAnswer(int resultCode, String authzId) {
    return new ExtendedResponseProtocolOp(
        resultCode, null, null, null, null, authzId == null ? null : new ASN1OctetString(authzId));
  }

  static ExtendedResponseProtocolOp noticeOfDisconnection(int resultCode, String diagnostic) {
    return new ExtendedResponseProtocolOp(
        resultCode, null, diagnostic, null, Oids.NOTICE_OF_DISCONNECTION, null);
  }

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
    boolean sasl = request.getSASLMechanism() != null;
    boolean anonymous = !sasl && request.getSimplePassword().getValue().length == 0;
    BindOperation op =
        new BindOperation(
            client, clientId, request.getSASLMechanism(), request.getBindDN(), anonymous);
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
