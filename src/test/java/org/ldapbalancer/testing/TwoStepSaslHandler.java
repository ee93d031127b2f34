package org.ldapbalancer.testing;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.listener.InMemoryRequestHandler;
import com.unboundid.ldap.listener.InMemorySASLBindHandler;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.controls.AuthorizationIdentityResponseControl;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A made-up SASL mechanism that really takes two steps, for in-memory test directories: the
 * first step names the user ({@code dn:...}) and is answered {@code saslBindInProgress} with a
 * fresh nonce as the server's credentials; the second sends {@code nonce:password} and succeeds
 * only if both match, on the exchange that saw the first step. The exchange's state (user and
 * nonce) lives in the connection's state map, where {@link VerifyCredentialsHandler} can keep it
 * per cookie instead. Like OpenLDAP's {@code authzid} overlay, a successful bind that carried an
 * Authorization Identity Request control (RFC 3829) is answered with the response control.
 * Thread-safe: stateless itself.
 */
public final class TwoStepSaslHandler extends InMemorySASLBindHandler {
  public static final String MECHANISM = "X-TWO-STEP-NONCE";

  private static final String STATE = MECHANISM;
  private static final String IDENTITY_REQUEST = "2.16.840.1.113730.3.4.16";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The first step's credentials for {@code dn}. */
  public static ASN1OctetString firstStep(String dn) {
    return new ASN1OctetString("dn:" + dn);
  }

  /** The second step's credentials: the server's nonce and the password. */
  public static ASN1OctetString secondStep(ASN1OctetString nonce, String password) {
    return new ASN1OctetString(nonce.stringValue() + ":" + password);
  }

  @Override
  public String getSASLMechanismName() {
    return MECHANISM;
  }

  private record Pending(DN user, String nonce) {}

  @Override
  public BindResult processSASLBind(
      InMemoryRequestHandler handler,
      int messageId,
      DN bindDn,
      ASN1OctetString credentials,
      List<Control> controls) {
    Map<String, Object> state = handler.getConnectionState();
    if (credentials == null) {
      return refused(messageId, "no credentials");
    }
    String text = credentials.stringValue();
    Object pending = state.remove(STATE);
    if (text.startsWith("dn:")) {
      DN user;
      try {
        user = new DN(text.substring(3));
      } catch (LDAPException e) {
        return refused(messageId, "not a DN: " + text);
      }
      byte[] bytes = new byte[8];
      RANDOM.nextBytes(bytes);
      String nonce = HexFormat.of().formatHex(bytes);
      state.put(STATE, new Pending(user, nonce));
      return new BindResult(
          messageId, ResultCode.SASL_BIND_IN_PROGRESS, null, null, null, null,
          new ASN1OctetString(nonce));
    }
    if (!(pending instanceof Pending first)) {
      return refused(messageId, "a second step without a first");
    }
    int colon = text.indexOf(':');
    if (colon < 0 || !text.substring(0, colon).equals(first.nonce())) {
      return refused(messageId, "wrong nonce");
    }
    Entry entry = handler.getEntry(first.user());
    String password = text.substring(colon + 1);
    if (entry == null
        || handler.getPasswordsInEntry(entry, new ASN1OctetString(password)).isEmpty()) {
      return refused(messageId, "invalid credentials");
    }
    handler.setAuthenticatedDN(first.user());
    Control[] response = null;
    for (Control c : controls) {
      if (c.getOID().equals(IDENTITY_REQUEST)) {
        response =
            new Control[] {new AuthorizationIdentityResponseControl("dn:" + first.user())};
      }
    }
    return new BindResult(messageId, ResultCode.SUCCESS, null, null, null, response);
  }

  private static BindResult refused(int messageId, String why) {
    return new BindResult(messageId, ResultCode.INVALID_CREDENTIALS, why, null, null, null);
  }
}
