package org.ldapbalancer.testing;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.asn1.ASN1Integer;
import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.asn1.ASN1Sequence;
import com.unboundid.ldap.listener.InMemoryExtendedOperationHandler;
import com.unboundid.ldap.listener.InMemoryRequestHandler;
import com.unboundid.ldap.listener.InMemorySASLBindHandler;
import com.unboundid.ldap.listener.PLAINBindHandler;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.ExtendedRequest;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.ResultCode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenLDAP's Verify Credentials extended operation (1.3.6.1.4.1.4203.666.6.5) for an in-memory
 * test directory, as OpenLDAP's {@code contrib/slapd-modules/vc} does it: the credentials are
 * checked without touching the connection's own authentication. Simple credentials are checked
 * against the entry's {@code userPassword}; SASL ones by the directory's SASL handlers (PLAIN,
 * and those given, e.g. {@link TwoStepSaslHandler}), each exchange with a state of its own. A
 * step answered {@code saslBindInProgress} gets a cookie, which the next step must send back. The
 * request's controls [2] go to the mechanism and its response controls come back in the
 * response's controls [2]; the {@code authzid} field is left out, as the module does, unless
 * the handler is made {@link #namingTheIdentityInAuthzId()}. Its OID then appears in the root
 * DSE's {@code supportedExtension}. Debian's slapd has no such module, so in-memory directories
 * stand in.
 *
 * <p>Stricter than the module in one way: a cookie is honoured only on the connection that got
 * it (the module's cookies are good server-wide), so that a next step sent elsewhere fails
 * loudly in tests.
 *
 * <p>Thread-safe: exchanges are kept in a concurrent map; each one is used by one request at a
 * time (taken out while in use, as the module's reference count does).
 */
public final class VerifyCredentialsHandler extends InMemoryExtendedOperationHandler {
  public static final String OID = "1.3.6.1.4.1.4203.666.6.5";

  private static final String IDENTITY_REQUEST = "2.16.840.1.113730.3.4.16";
  private static final byte COOKIE = (byte) 0x80;
  private static final byte SERVER_SASL_CREDS = (byte) 0x81;
  private static final byte AUTHZID = (byte) 0x82;
  private static final byte CONTROLS = (byte) 0xa2;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** How the handler tells who the verified credentials belong to. */
  private enum Identity {
    /** Only by the response control, when asked (the module with the authzid overlay). */
    CONTROL,
    /** By the authzid field only (the request control is not honoured). */
    AUTHZID,
    /** Not at all (the module without the authzid overlay). */
    NONE
  }

  /** The bind DN whose check is answered with a value that is not a VC response, or null. */
  private final String malformedFor;

  private final Identity identity;
  private final Map<String, InMemorySASLBindHandler> mechanisms = new HashMap<>();
  private final ConcurrentHashMap<String, Exchange> exchanges = new ConcurrentHashMap<>();

  /** A SASL exchange between steps: where it started, and the mechanism's state. */
  private record Exchange(Object connection, String mechanism, Map<String, Object> state) {}

  public VerifyCredentialsHandler(InMemorySASLBindHandler... more) {
    this(null, Identity.CONTROL, more);
  }

  private VerifyCredentialsHandler(
      String malformedFor, Identity identity, InMemorySASLBindHandler... more) {
    this.malformedFor = malformedFor;
    this.identity = identity;
    PLAINBindHandler plain = new PLAINBindHandler();
    mechanisms.put(plain.getSASLMechanismName(), plain);
    for (InMemorySASLBindHandler h : more) {
      mechanisms.put(h.getSASLMechanismName(), h);
    }
  }

  /** A handler that answers the check of {@code dn} with a malformed response value. */
  public static VerifyCredentialsHandler answeringMalformedFor(String dn) {
    return new VerifyCredentialsHandler(dn, Identity.CONTROL);
  }

  /** A handler that names the identity in the response's authzid field, never in a control. */
  public static VerifyCredentialsHandler namingTheIdentityInAuthzId(
      InMemorySASLBindHandler... more) {
    return new VerifyCredentialsHandler(null, Identity.AUTHZID, more);
  }

  /** A handler that never says whose the verified SASL credentials are. */
  public static VerifyCredentialsHandler namingNoIdentity(InMemorySASLBindHandler... more) {
    return new VerifyCredentialsHandler(null, Identity.NONE, more);
  }

  /** SASL exchanges now waiting for their next step. */
  public int exchangesInProgress() {
    return exchanges.size();
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
    try {
      ASN1Element[] value = ASN1Sequence.decodeAsSequence(request.getValue().getValue()).elements();
      int at = 0;
      String cookie = null;
      if (value[0].getType() == COOKIE) {
        cookie = HexFormat.of().formatHex(value[0].getValue());
        at = 1;
      }
      String dn = value[at].decodeAsOctetString().stringValue();
      if (dn.equals(malformedFor)) {
        return new ExtendedResult(messageId, ResultCode.SUCCESS, null, null, null, null,
            new ASN1OctetString("not a sequence"), null);
      }
      ASN1Element auth = value[at + 1];
      List<Control> controls = new ArrayList<>();
      if (value.length > at + 2) {
        if (value[at + 2].getType() != CONTROLS || value.length > at + 3) {
          return protocolError(messageId, "unexpected element in the request");
        }
        for (ASN1Element c : value[at + 2].decodeAsSequence().elements()) {
          controls.add(Control.decode(c.decodeAsSequence()));
        }
      }
      if (auth.getType() == (byte) 0x80) {
        if (cookie != null) {
          return protocolError(messageId, "a cookie with simple credentials");
        }
        return simple(handler, messageId, dn, auth.decodeAsOctetString().stringValue());
      }
      if (auth.getType() != (byte) 0xa3) {
        return protocolError(messageId, "unknown authentication choice");
      }
      ASN1Element[] sasl = auth.decodeAsSequence().elements();
      return sasl(
          handler,
          messageId,
          cookie,
          dn,
          sasl[0].decodeAsOctetString().stringValue(),
          sasl.length > 1 ? sasl[1].decodeAsOctetString() : null,
          controls);
    } catch (Exception e) {
      return protocolError(messageId, String.valueOf(e.getMessage()));
    }
  }

  private static ExtendedResult simple(
      InMemoryRequestHandler handler, int messageId, String dn, String password)
      throws Exception {
    Entry entry = dn.isEmpty() ? null : handler.getEntry(dn);
    boolean ok =
        dn.isEmpty()
            ? password.isEmpty()
            : entry != null && entry.hasAttributeValue("userPassword", password);
    return answer(
        messageId,
        ok ? 0 : ResultCode.INVALID_CREDENTIALS_INT_VALUE,
        ok ? "" : "invalid credentials",
        null,
        null,
        null,
        null);
  }

  private ExtendedResult sasl(
      InMemoryRequestHandler handler,
      int messageId,
      String cookie,
      String dn,
      String mechanism,
      ASN1OctetString credentials,
      List<Control> controls)
      throws Exception {
    Exchange exchange = null;
    if (cookie != null) {
      exchange = exchanges.remove(cookie);
      if (exchange == null) {
        return protocolError(messageId, "unknown cookie");
      }
      if (exchange.connection() != handler.getClientConnection()) {
        return protocolError(messageId, "the cookie belongs to another connection");
      }
      if (!exchange.mechanism().equals(mechanism)) {
        return protocolError(messageId, "the cookie belongs to another mechanism");
      }
    }
    InMemorySASLBindHandler mech = mechanisms.get(mechanism);
    if (mech == null) {
      return answer(messageId, ResultCode.AUTH_METHOD_NOT_SUPPORTED_INT_VALUE,
          "SASL mechanism not supported", null, null, null, null);
    }
    if (identity != Identity.CONTROL) {
      controls.removeIf(c -> c.getOID().equals(IDENTITY_REQUEST));
    }
    // The mechanism runs as if this were a bind on a connection of its own: this connection's
    // identity and state are set aside and put back, the exchange's state is lent to it.
    DN before = handler.getAuthenticatedDN();
    Map<String, Object> state = handler.getConnectionState();
    Map<String, Object> saved = new HashMap<>(state);
    state.clear();
    if (exchange != null) {
      state.putAll(exchange.state());
    }
    handler.setAuthenticatedDN(DN.NULL_DN);
    BindResult result;
    DN verified;
    Map<String, Object> exchangeState;
    try {
      result = mech.processSASLBind(handler, messageId, new DN(dn), credentials, controls);
      verified = handler.getAuthenticatedDN();
      exchangeState = new HashMap<>(state);
    } finally {
      state.clear();
      state.putAll(saved);
      handler.setAuthenticatedDN(before);
    }
    int code = result.getResultCode().intValue();
    byte[] next = null;
    if (code == ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE) {
      next = new byte[8];
      RANDOM.nextBytes(next);
      exchanges.put(
          HexFormat.of().formatHex(next),
          new Exchange(handler.getClientConnection(), mechanism, exchangeState));
    }
    String authzId =
        identity == Identity.AUTHZID && code == 0
            ? (verified.isNullDN() ? "" : "dn:" + verified)
            : null;
    return answer(messageId, code,
        result.getDiagnosticMessage() == null ? "" : result.getDiagnosticMessage(),
        next, result.getServerSASLCredentials(), authzId, result.getResponseControls());
  }

  private static ExtendedResult answer(
      int messageId,
      int code,
      String message,
      byte[] cookie,
      ASN1OctetString serverCreds,
      String authzId,
      Control[] controls) {
    List<ASN1Element> value = new ArrayList<>();
    value.add(new ASN1Integer(code));
    value.add(new ASN1OctetString(message));
    if (cookie != null) {
      value.add(new ASN1OctetString(COOKIE, cookie));
    }
    if (serverCreds != null) {
      value.add(new ASN1OctetString(SERVER_SASL_CREDS, serverCreds.getValue()));
    }
    if (authzId != null) {
      value.add(new ASN1OctetString(AUTHZID, authzId));
    }
    if (controls != null && controls.length > 0) {
      List<ASN1Element> encoded = new ArrayList<>();
      for (Control c : controls) {
        encoded.add(c.encode());
      }
      value.add(new ASN1Sequence(CONTROLS, encoded));
    }
    return new ExtendedResult(messageId, ResultCode.SUCCESS, null, null, null, null,
        new ASN1OctetString(new ASN1Sequence(value).encode()), null);
  }

  private static ExtendedResult protocolError(int messageId, String message) {
    return new ExtendedResult(
        messageId, ResultCode.PROTOCOL_ERROR, message, null, null, null, null, null);
  }
}
