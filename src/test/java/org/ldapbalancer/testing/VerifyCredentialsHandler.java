package org.ldapbalancer.testing;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.asn1.ASN1Integer;
import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.asn1.ASN1Sequence;
import com.unboundid.ldap.listener.InMemoryExtendedOperationHandler;
import com.unboundid.ldap.listener.InMemoryRequestHandler;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.ExtendedRequest;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.ResultCode;
import java.util.List;

/**
 * OpenLDAP's Verify Credentials extended operation (1.3.6.1.4.1.4203.666.6.5) for an in-memory
 * test directory, simple binds only: the credentials are checked against the entry's {@code
 * userPassword} without touching the connection's own authentication, as OpenLDAP's {@code
 * contrib/slapd-modules/vc} does. Its OID then appears in the root DSE's {@code
 * supportedExtension}. Debian's slapd has no such module, so in-memory directories stand in.
 * Thread-safe: immutable.
 */
public final class VerifyCredentialsHandler extends InMemoryExtendedOperationHandler {
  public static final String OID = "1.3.6.1.4.1.4203.666.6.5";

  /** The bind DN whose check is answered with a value that is not a VC response, or null. */
  private final String malformedFor;

  public VerifyCredentialsHandler() {
    this(null);
  }

  private VerifyCredentialsHandler(String malformedFor) {
    this.malformedFor = malformedFor;
  }

  /** A handler that answers the check of {@code dn} with a malformed response value. */
  public static VerifyCredentialsHandler answeringMalformedFor(String dn) {
    return new VerifyCredentialsHandler(dn);
  }

  @Override
  public String getExtendedOperationHandlerName() {
    return "Verify Credentials";
  }

  @Override
  public List<String> getSupportedExtendedRequestOIDs() {
    return List.of(OID);
  }

  @Override
  public ExtendedResult processExtendedOperation(
      InMemoryRequestHandler handler, int messageId, ExtendedRequest request) {
    int code;
    String message = "";
    try {
      ASN1Element[] value = ASN1Sequence.decodeAsSequence(request.getValue().getValue()).elements();
      int at = value[0].getType() == (byte) 0x80 ? 1 : 0; // a cookie continues a SASL exchange
      String dn = value[at].decodeAsOctetString().stringValue();
      if (dn.equals(malformedFor)) {
        return new ExtendedResult(messageId, ResultCode.SUCCESS, null, null, null, null,
            new ASN1OctetString("not a sequence"), null);
      }
      ASN1Element auth = value[at + 1];
      if (auth.getType() != (byte) 0x80) {
        code = ResultCode.AUTH_METHOD_NOT_SUPPORTED_INT_VALUE;
        message = "only simple credentials are verified here";
      } else {
        String password = auth.decodeAsOctetString().stringValue();
        Entry entry = dn.isEmpty() ? null : handler.getEntry(dn);
        boolean ok =
            dn.isEmpty()
                ? password.isEmpty()
                : entry != null && entry.hasAttributeValue("userPassword", password);
        code = ok ? 0 : ResultCode.INVALID_CREDENTIALS_INT_VALUE;
        message = ok ? "" : "invalid credentials";
      }
    } catch (Exception e) {
      return new ExtendedResult(
          messageId, ResultCode.PROTOCOL_ERROR, e.getMessage(), null, null, null, null, null);
    }
    ASN1OctetString value =
        new ASN1OctetString(
            new ASN1Sequence(new ASN1Integer(code), new ASN1OctetString(message)).encode());
    return new ExtendedResult(messageId, ResultCode.SUCCESS, null, null, null, null, value, null);
  }
}
