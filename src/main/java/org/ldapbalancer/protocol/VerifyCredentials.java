package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * OpenLDAP's Verify Credentials extended operation ({@link Oids#VERIFY_CREDENTIALS}): a client's
 * Bind turned into a request any shared connection can carry, and its answer turned back into the
 * BindResponse the client expects. There is no published specification; the encoding is that of
 * OpenLDAP's {@code libraries/libldap/vc.c} and {@code contrib/slapd-modules/vc}:
 *
 * <pre>
 * VCRequest ::= SEQUENCE {
 *     cookie         [0] OCTET STRING OPTIONAL,
 *     name           LDAPDN,
 *     authentication AuthenticationChoice,       -- as in BindRequest (RFC 4511 §4.2)
 *     controls       [2] Controls OPTIONAL }
 *
 * VCResponse ::= SEQUENCE {
 *     resultCode        INTEGER,
 *     diagnosticMessage LDAPString,
 *     cookie            [0] OCTET STRING OPTIONAL,
 *     serverSaslCreds   [1] OCTET STRING OPTIONAL,
 *     authzid           [2] OCTET STRING OPTIONAL,
 *     controls          [2] Controls OPTIONAL }
 * </pre>
 *
 * The name and authentication (simple, or SASL with its mechanism and credentials) are copied
 * from the client's BindRequest byte for byte, and the Bind's own controls travel as the VC
 * request's controls, as lloadd does ({@code client_bind_as_vc} in {@code
 * servers/lloadd/bind.c}). A response with {@code saslBindInProgress} carries the cookie the
 * next step of the exchange must send back. The {@code authzid} field is in libldap's and the
 * contrib module's source, but the module does not fill it; it does return the bind's response
 * controls, so an identity may also come as an Authorization Identity Response control (RFC
 * 3829) when the request asked for one. Stateless; safe from any thread.
 */
public final class VerifyCredentials {
  static final int COOKIE = 0x80;
  static final int SERVER_SASL_CREDS = 0x81;
  /** Primitive [2]; the controls are constructed [2]. */
  static final int AUTHZID = 0x82;
  static final int CONTROLS = 0xa2;
  private static final int REQUEST_NAME = 0x80;
  private static final int REQUEST_VALUE = 0x81;
  private static final int RESPONSE_VALUE = 0x8b;
  /** BindResponse serverSaslCreds [7] (RFC 4511 §4.2.2). */
  private static final int BIND_SERVER_SASL_CREDS = 0x87;

  private static final byte[] OID = Oids.VERIFY_CREDENTIALS.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] IDENTITY_REQUEST =
      Oids.AUTHORIZATION_IDENTITY_REQUEST.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] IDENTITY_RESPONSE =
      Oids.AUTHORIZATION_IDENTITY_RESPONSE.getBytes(StandardCharsets.US_ASCII);
  /** The Authorization Identity Request control: not critical, no value (RFC 3829 §2). */
  private static final int IDENTITY_REQUEST_CONTROL_LENGTH =
      Ber.elementLength(Ber.elementLength(IDENTITY_REQUEST.length));

  /** The root DSE attribute listing the extended operations a server supports (RFC 4512 §5.1). */
  public static final String SUPPORTED_EXTENSION = "supportedExtension";

  private static final byte[] SUPPORTED_EXTENSION_BYTES =
      SUPPORTED_EXTENSION.getBytes(StandardCharsets.US_ASCII);

  private VerifyCredentials() {}

  /**
   * Whether {@code entry}, a SearchResultEntry (RFC 4511 §4.5.2) for the root DSE, lists Verify
   * Credentials among its {@code supportedExtension} values.
   *
   * @throws MalformedPduException if the entry is not well formed
   */
  public static boolean isAnnouncedBy(LdapMessage entry) throws MalformedPduException {
    if (entry.opTag() != ProtocolOp.SEARCH_RESULT_ENTRY) {
      return false;
    }
    ByteBuf buf = entry.frame();
    int limit = entry.opEnd();
    long name = Ber.readElement(buf, entry.opContentStart(), limit, Ber.OCTET_STRING);
    long attributes = Ber.readElement(buf, Ber.end(name), limit, Ber.SEQUENCE);
    for (int at = Ber.start(attributes); at < Ber.end(attributes); ) {
      long attribute = Ber.readElement(buf, at, Ber.end(attributes), Ber.SEQUENCE);
      at = Ber.end(attribute);
      long type = Ber.readElement(buf, Ber.start(attribute), at, Ber.OCTET_STRING);
      if (!equalsIgnoreCase(buf, type, SUPPORTED_EXTENSION_BYTES)) {
        continue;
      }
      long values = Ber.readElement(buf, Ber.end(type), at, Ber.SET);
      for (int v = Ber.start(values); v < Ber.end(values); ) {
        long value = Ber.readElement(buf, v, Ber.end(values), Ber.OCTET_STRING);
        v = Ber.end(value);
        if (equalsIgnoreCase(buf, value, OID)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean equalsIgnoreCase(ByteBuf buf, long element, byte[] expected) {
    if (Ber.length(element) != expected.length) {
      return false;
    }
    int start = Ber.start(element);
    for (int i = 0; i < expected.length; i++) {
      int a = buf.getUnsignedByte(start + i);
      int b = expected[i];
      if (a != b && Character.toLowerCase(a) != Character.toLowerCase(b)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The VC ExtendedRequest that checks the credentials of {@code bind} (a BindRequest), under
   * {@code messageId}.
   *
   * @param cookie the cookie of the exchange this step continues, or null for a first step
   * @param askForIdentity add an Authorization Identity Request control (RFC 3829, not critical)
   *     to the Bind's own controls, unless the Bind carries one already (a second would be a
   *     protocol error)
   */
  public static ByteBuf request(
      ByteBufAllocator alloc, int messageId, LdapMessage bind, byte[] cookie,
      boolean askForIdentity)
      throws MalformedPduException {
    if (bind.opTag() != ProtocolOp.BIND_REQUEST) {
      throw new IllegalArgumentException("not a BindRequest: 0x" + Integer.toHexString(bind.opTag()));
    }
    ByteBuf frame = bind.frame();
    long version = Ber.readElement(frame, bind.opContentStart(), bind.opEnd(), Ber.INTEGER);
    int nameAndAuthStart = Ber.end(version);
    int nameAndAuthLength = bind.opEnd() - nameAndAuthStart;
    int controlsStart = -1;
    int controlsLength = 0;
    if (bind.hasControls()) {
      long controls = Ber.readElement(frame, bind.controlsStart(), bind.controlsEnd(), Ber.CONTEXT_0_CONSTRUCTED);
      controlsStart = Ber.start(controls);
      controlsLength = Ber.length(controls);
    }
    boolean addIdentityRequest = askForIdentity && !asksForIdentity(bind);
    int controlsContent =
        controlsLength + (addIdentityRequest ? IDENTITY_REQUEST_CONTROL_LENGTH : 0);
    boolean withControls = controlsStart >= 0 || addIdentityRequest;
    int valueContent =
        (cookie == null ? 0 : Ber.elementLength(cookie.length))
            + nameAndAuthLength
            + (withControls ? Ber.elementLength(controlsContent) : 0);
    int value = Ber.elementLength(valueContent);
    int opContent = Ber.elementLength(OID.length) + Ber.elementLength(value);
    ByteBuf buf = Requests.message(alloc, messageId, ProtocolOp.EXTENDED_REQUEST, opContent);
    Ber.writeOctets(buf, REQUEST_NAME, OID);
    Ber.writeHeader(buf, REQUEST_VALUE, value);
    Ber.writeHeader(buf, Ber.SEQUENCE, valueContent);
    if (cookie != null) {
      Ber.writeOctets(buf, COOKIE, cookie);
    }
    buf.writeBytes(frame, nameAndAuthStart, nameAndAuthLength);
    if (withControls) {
      Ber.writeHeader(buf, CONTROLS, controlsContent);
      if (controlsStart >= 0) {
        buf.writeBytes(frame, controlsStart, controlsLength);
      }
      if (addIdentityRequest) {
        Ber.writeHeader(buf, Ber.SEQUENCE, Ber.elementLength(IDENTITY_REQUEST.length));
        Ber.writeOctets(buf, Ber.OCTET_STRING, IDENTITY_REQUEST);
      }
    }
    return buf;
  }

  /** Whether {@code bind} carries an Authorization Identity Request control of its own. */
  public static boolean asksForIdentity(LdapMessage bind) throws MalformedPduException {
    return Controls.find(bind, IDENTITY_REQUEST) >= 0;
  }

  /**
   * Reads a VC ExtendedResponse. When it has no value (the server refused the operation itself,
   * say with protocolError because it does not know it) its own result and diagnostic message
   * are the Bind's.
   *
   * @throws MalformedPduException if the response or its value is not well formed, or a
   *     control that says who the client is has no value
   */
  public static Answer read(LdapMessage response) throws MalformedPduException {
    if (response.opTag() != ProtocolOp.EXTENDED_RESPONSE) {
      throw new MalformedPduException(
          "not an ExtendedResponse: 0x" + Integer.toHexString(response.opTag()));
    }
    ByteBuf buf = response.frame();
    int limit = response.opEnd();
    long code = Ber.readElement(buf, response.opContentStart(), limit, Ber.ENUMERATED);
    long matched = Ber.readElement(buf, Ber.end(code), limit, Ber.OCTET_STRING);
    long diagnostic = Ber.readElement(buf, Ber.end(matched), limit, Ber.OCTET_STRING);
    long value = -1;
    for (int index = Ber.end(diagnostic); index < limit; ) {
      int tag = buf.getUnsignedByte(index);
      long element = Ber.readAnyElement(buf, index, limit);
      if (tag == RESPONSE_VALUE) {
        value = element;
      }
      index = Ber.end(element);
    }
    int resultCode = Ber.readIntContent(buf, Ber.start(code), Ber.length(code));
    if (value < 0) {
      return new Answer(buf, resultCode, diagnostic, -1, -1, -1, -1, -1, -1, -1);
    }
    long seq = Ber.readElement(buf, Ber.start(value), Ber.end(value), Ber.SEQUENCE);
    if (Ber.end(seq) != Ber.end(value)) {
      throw new MalformedPduException("trailing bytes after the Verify Credentials response");
    }
    int end = Ber.end(seq);
    long innerCode = Ber.readElement(buf, Ber.start(seq), end, Ber.INTEGER);
    resultCode = Ber.readIntContent(buf, Ber.start(innerCode), Ber.length(innerCode));
    long diag = Ber.readElement(buf, Ber.end(innerCode), end, Ber.OCTET_STRING);
    int index = Ber.end(diag);
    long cookie = -1;
    long creds = -1;
    long authzId = -1;
    long controls = -1;
    if (index < end && buf.getUnsignedByte(index) == COOKIE) {
      cookie = Ber.readElement(buf, index, end, COOKIE);
      index = Ber.end(cookie);
    }
    if (index < end && buf.getUnsignedByte(index) == SERVER_SASL_CREDS) {
      creds = Ber.readElement(buf, index, end, SERVER_SASL_CREDS);
      index = Ber.end(creds);
    }
    if (index < end && buf.getUnsignedByte(index) == AUTHZID) {
      authzId = Ber.readElement(buf, index, end, AUTHZID);
      index = Ber.end(authzId);
    }
    // Every control is checked, and the Authorization Identity Response control (the first, if
    // several) found, in one pass.
    int identityStart = -1;
    int identityEnd = -1;
    long identityValue = -1;
    if (index < end && buf.getUnsignedByte(index) == CONTROLS) {
      controls = Ber.readElement(buf, index, end, CONTROLS);
      index = Ber.end(controls);
      for (int at = Ber.start(controls); at < Ber.end(controls); ) {
        long control = Ber.readElement(buf, at, Ber.end(controls), Ber.SEQUENCE);
        long type = Ber.readElement(buf, Ber.start(control), Ber.end(control), Ber.OCTET_STRING);
        if (identityStart < 0
            && Ber.length(type) == IDENTITY_RESPONSE.length
            && Controls.equalsAt(buf, Ber.start(type), IDENTITY_RESPONSE)) {
          identityValue = identityValue(buf, control);
          identityStart = at;
          identityEnd = Ber.end(control);
        }
        at = Ber.end(control);
      }
    }
    if (index != end) {
      throw new MalformedPduException("unexpected element in the Verify Credentials response");
    }
    return new Answer(
        buf, resultCode, diag, cookie, creds, authzId, controls,
        identityStart, identityEnd, identityValue);
  }

  /** The value an Authorization Identity Response control must have (RFC 3829 §3). */
  private static long identityValue(ByteBuf buf, long control) throws MalformedPduException {
    long value = Controls.controlValue(buf, control);
    if (value < 0) {
      throw new MalformedPduException("Authorization Identity Response control without a value");
    }
    if (Ber.end(value) != Ber.end(control)) {
      throw new MalformedPduException("trailing bytes in a control");
    }
    return value;
  }

  /**
   * A VC response as read by {@link #read}: positions in the response's frame, which must stay
   * alive (unreleased) while the answer is used. Not thread-safe; used where it is read.
   */
  public static final class Answer {
    private final ByteBuf src;
    private final int resultCode;
    private final long diag;
    private final long cookie;
    private final long creds;
    private final long authzId;
    private final long controls;
    /** Where the Authorization Identity Response control's encoding starts and ends, or -1. */
    private final int identityStart;
    private final int identityEnd;
    /** That control's value, or -1. */
    private final long identityValue;

    private Answer(
        ByteBuf src, int resultCode, long diag, long cookie, long creds, long authzId,
        long controls, int identityStart, int identityEnd, long identityValue) {
      this.src = src;
      this.resultCode = resultCode;
      this.diag = diag;
      this.cookie = cookie;
      this.creds = creds;
      this.authzId = authzId;
      this.controls = controls;
      this.identityStart = identityStart;
      this.identityEnd = identityEnd;
      this.identityValue = identityValue;
    }

    public int resultCode() {
      return resultCode;
    }

    /** The cookie the next step of a SASL exchange sends back, or null when there is none. */
    public byte[] cookie() {
      if (cookie < 0) {
        return null;
      }
      byte[] copy = new byte[Ber.length(cookie)];
      src.getBytes(Ber.start(cookie), copy);
      return copy;
    }

    /** The {@code authzid} field: the identity the credentials established, or null. */
    public String authzId() {
      return authzId < 0
          ? null
          : src.toString(Ber.start(authzId), Ber.length(authzId), StandardCharsets.UTF_8);
    }

    /**
     * The value of the Authorization Identity Response control among the response's controls
     * (RFC 3829 §3: {@code dn:...}, {@code u:...}, or empty for anonymous), or null when there
     * is none.
     */
    public String identityFromControl() {
      if (identityValue < 0) {
        return null;
      }
      return src.toString(
          Ber.start(identityValue), Ber.length(identityValue), StandardCharsets.UTF_8);
    }

    /**
     * The BindResponse this answer stands for, under {@code messageId}: the result, diagnostic
     * message and serverSaslCreds and, when the response carries the verification's controls,
     * those as the response's controls. The cookie and authzid stay here.
     *
     * @param withoutIdentityControl leave out the Authorization Identity Response control (the
     *     balancer asked for it, not the client)
     */
    public ByteBuf bindResponse(
        ByteBufAllocator alloc, int messageId, boolean withoutIdentityControl) {
      boolean skip = withoutIdentityControl && identityStart >= 0;
      int controlsContent =
          controls < 0 ? 0 : Ber.length(controls) - (skip ? identityEnd - identityStart : 0);
      boolean withControls = controls >= 0 && controlsContent > 0;
      int opContent =
          Ber.intElementLength(resultCode)
              + Ber.elementLength(0)
              + Ber.elementLength(Ber.length(diag))
              + (creds < 0 ? 0 : Ber.elementLength(Ber.length(creds)));
      int controlsElement = withControls ? Ber.elementLength(controlsContent) : 0;
      int idLength = Ber.intElementLength(messageId);
      int content = idLength + Ber.elementLength(opContent) + controlsElement;
      ByteBuf buf = alloc.buffer(Ber.elementLength(content));
      Ber.writeHeader(buf, Ber.SEQUENCE, content);
      Ber.writeInt(buf, Ber.INTEGER, messageId);
      Ber.writeHeader(buf, ProtocolOp.BIND_RESPONSE, opContent);
      Ber.writeInt(buf, Ber.ENUMERATED, resultCode);
      Ber.writeHeader(buf, Ber.OCTET_STRING, 0); // matchedDN: the VC response carries none
      Ber.writeHeader(buf, Ber.OCTET_STRING, Ber.length(diag));
      buf.writeBytes(src, Ber.start(diag), Ber.length(diag));
      if (creds >= 0) {
        Ber.writeHeader(buf, BIND_SERVER_SASL_CREDS, Ber.length(creds));
        buf.writeBytes(src, Ber.start(creds), Ber.length(creds));
      }
      if (withControls) {
        // LDAPMessage controls [0] (RFC 4511 §4.1.1), same content as the VC controls [2].
        Ber.writeHeader(buf, Ber.CONTEXT_0_CONSTRUCTED, controlsContent);
        if (skip) {
          buf.writeBytes(src, Ber.start(controls), identityStart - Ber.start(controls));
          buf.writeBytes(src, identityEnd, Ber.end(controls) - identityEnd);
        } else {
          buf.writeBytes(src, Ber.start(controls), Ber.length(controls));
        }
      }
      return buf;
    }
  }
}
