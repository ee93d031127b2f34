package org.ldapbalancer.demo;

import com.unboundid.ldap.listener.InMemoryExtendedOperationHandler;
import com.unboundid.ldap.listener.InMemoryRequestHandler;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.ExtendedRequest;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.controls.ProxiedAuthorizationV2RequestControl;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedResult;
import java.util.List;

/**
 * Who Am I? (RFC 4532) for the in-memory directories that honours a Proxied Authorization
 * control (RFC 4370), as slapd does: the answer is the proxied identity. The stock handler
 * refuses the control, so {@code ldapwhoami} through the balancer would fail on the demo.
 */
final class ProxiedWhoAmIHandler extends InMemoryExtendedOperationHandler {
  @Override
  public String getExtendedOperationHandlerName() {
    return "Who Am I? with proxied authorization";
  }

  @Override
  public List<String> getSupportedExtendedRequestOIDs() {
    return List.of(WhoAmIExtendedRequest.WHO_AM_I_REQUEST_OID);
  }

  @Override
  public ExtendedResult processExtendedOperation(
      InMemoryRequestHandler handler, int messageId, ExtendedRequest request) {
    String authzId = null;
    for (Control control : request.getControls()) {
      if (control.getOID().equals(ProxiedAuthorizationV2RequestControl.PROXIED_AUTHORIZATION_V2_REQUEST_OID)) {
        authzId = control.getValue() == null ? "" : control.getValue().stringValue();
      } else if (control.isCritical()) {
        return new WhoAmIExtendedResult(messageId, ResultCode.UNAVAILABLE_CRITICAL_EXTENSION,
            "unsupported critical control " + control.getOID(), null, null, null, null);
      }
    }
    if (authzId == null) {
      String dn = handler.getAuthenticatedDN().toString();
      authzId = dn.isEmpty() ? "" : "dn:" + dn;
    } else if (authzId.equals("dn:")) {
      authzId = "";
    }
    return new WhoAmIExtendedResult(messageId, ResultCode.SUCCESS, null, null, null, authzId, null);
  }
}
