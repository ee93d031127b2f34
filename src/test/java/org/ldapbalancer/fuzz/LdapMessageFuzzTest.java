package org.ldapbalancer.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.ldapbalancer.protocol.BindRequest;
import org.ldapbalancer.protocol.Controls;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.RequestValidator;
import org.ldapbalancer.protocol.Requests;

/**
 * Fuzzes what the balancer reads from one framed PDU: the message view, and on top of it the typed
 * readers. One target per reader; the input of each is one PDU as the frame decoder would hand it
 * on, and they share the seed PDUs kept directly in this class's inputs directory.
 *
 * <p>Every target holds a reader to three things: it fails only with {@link MalformedPduException};
 * it answers the same for the PDU alone in its buffer and for the PDU between guard bytes with the
 * buffer's indices around it (so it reads within the frame and by its indices); and whatever
 * UnboundID's complete decoder accepts, it reads the same way.
 *
 * <p>A new reader of requests (a request grammar checker, say) is one more method here: the seeds,
 * the dictionary and {@code bench/fuzz} pick it up without further change.
 */
class LdapMessageFuzzTest {
  private static final byte[] PROXIED_AUTHORIZATION_TYPE = octetString(Oids.PROXIED_AUTHORIZATION);

  /**
   * A search with a control, parsed into a view before the fuzzed PDU to prove the view reusable.
   */
  private static final byte[] EARLIER_PDU =
      new LDAPMessage(
              5,
              new SearchRequestProtocolOp(
                  new SearchRequest(
                      "dc=example,dc=com",
                      SearchScope.SUB,
                      Filter.createEqualityFilter("uid", "jo"))),
              List.of(new Control("1.2.840.113556.1.4.319", false)))
          .encode()
          .encode();

  @FuzzTest
  @DictionaryFile(resourcePath = "ldap.dict")
  void messageView(byte[] pdu) {
    ByteBuf exact = Pdus.exact(pdu);
    LdapMessage plain = Pdus.parseOrNull(exact);
    LdapMessage embedded = Pdus.parseOrNull(Pdus.embedded(pdu));
    Check.that(
        (plain == null) == (embedded == null),
        () -> "accepted in one buffer and rejected in the other: " + Check.hex(pdu));

    LdapMessage reused = new LdapMessage();
    try {
      reused.parse(Pdus.exact(EARLIER_PDU));
    } catch (MalformedPduException e) {
      throw new AssertionError("the fixed earlier PDU is valid", e);
    }
    Check.equal(Pdus.parseOrNull(Pdus.exact(pdu)) == null, plain == null, "reused view accepts");

    LDAPMessage reference = Pdus.canonicalOrNull(pdu);
    if (reference != null) {
      Check.that(
          plain != null, () -> "UnboundID reads a PDU the balancer rejects: " + Check.hex(pdu));
      Check.equal(plain.messageId(), reference.getMessageID(), "message ID");
      Check.equal(plain.opTag(), reference.getProtocolOpType() & 0xff, "protocolOp tag");
      Check.that(
          reference.getControls().isEmpty() || plain.hasControls(), () -> "controls not seen");
    }
    if (plain == null) {
      return;
    }
    Check.equal(exact.readerIndex(), 0, "reader index after parsing");
    Check.equal(exact.writerIndex(), pdu.length, "writer index after parsing");
    checkLayout(plain, 0, pdu);
    checkLayout(embedded, embedded.frame().readerIndex(), pdu);
    try {
      reused.parse(Pdus.exact(pdu));
    } catch (MalformedPduException e) {
      throw new AssertionError("a reused view rejects what a fresh one accepts", e);
    }
    checkLayout(reused, 0, pdu);
    Check.equal(reused.messageId(), plain.messageId(), "message ID in a reused view");
    Check.equal(reused.controlsStart(), plain.controlsStart(), "controls in a reused view");
  }

  /** The view's indices are in order, within the frame, and point at what they name. */
  private static void checkLayout(LdapMessage view, int base, byte[] pdu) {
    int opStart = view.opStart() - base;
    int opContentStart = view.opContentStart() - base;
    int opEnd = view.opEnd() - base;
    int end = view.end() - base;
    Check.that(
        2 <= opStart && opStart < opContentStart && opContentStart <= opEnd && opEnd <= end,
        () -> "indices out of order: " + opStart + " " + opContentStart + " " + opEnd + " " + end);
    Check.equal(end, pdu.length, "end of the message");
    Check.equal(view.opTag(), pdu[opStart] & 0xff, "protocolOp tag");
    Check.equal(view.opContentLength(), opEnd - opContentStart, "protocolOp content length");
    int last;
    if (view.hasControls()) {
      Check.equal(view.controlsStart() - base, opEnd, "controls start");
      Check.equal(pdu[opEnd] & 0xff, 0xa0, "controls tag");
      last = view.controlsEnd() - base;
      Check.that(opEnd < last && last <= end, () -> "controls end out of place");
    } else {
      Check.equal(view.controlsStart(), -1, "controls start without controls");
      Check.equal(view.controlsEnd(), -1, "controls end without controls");
      Check.that(opEnd == end || (pdu[opEnd] & 0xff) != 0xa0,
          () -> "a [0] element after the protocolOp not taken as controls");
      last = opEnd;
    }
    // RFC 4511 §4: what follows is trailing components, ignored.
    Check.equal(view.hasTrailingComponents(), last < end, "trailing components");
  }

  /**
   * The request validator: never throws, whatever it reads; the same verdict for the PDU alone
   * and between guard bytes; a refusal always comes with a diagnostic. (Agreement with
   * UnboundID's decoder is RequestValidatorPropertyTest's.)
   */
  @FuzzTest
  @DictionaryFile(resourcePath = "ldap.dict")
  void requestValidator(byte[] pdu) {
    LdapMessage plain = Pdus.parseOrNull(Pdus.exact(pdu));
    if (plain == null) {
      return;
    }
    String verdict = RequestValidator.check(plain);
    String embedded = RequestValidator.check(Pdus.parseOrNull(Pdus.embedded(pdu)));
    Check.that(
        java.util.Objects.equals(verdict, embedded),
        () -> "different verdicts in the two buffers: " + verdict + " / " + embedded);
    if (verdict != null) {
      String diagnostic = RequestValidator.diagnostic(plain.opTag(), verdict);
      Check.that(diagnostic != null && !diagnostic.isEmpty(), () -> "a refusal without words");
    }
  }

  @FuzzTest
  @DictionaryFile(resourcePath = "ldap.dict")
  void bindRequest(byte[] pdu) {
    LdapMessage plain = Pdus.parseOrNull(Pdus.exact(pdu));
    if (plain == null) {
      return;
    }
    Object result = readBind(plain);
    Check.equal(readBind(Pdus.parseOrNull(Pdus.embedded(pdu))), result, "bind embedded");

    LDAPMessage reference = Pdus.canonicalOrNull(pdu);
    if (reference != null && reference.getProtocolOp() instanceof BindRequestProtocolOp op) {
      Check.that(result instanceof BindRequest, () -> "UnboundID reads a bind, we fail: " + result);
      BindRequest bind = (BindRequest) result;
      Check.equal(bind.version(), op.getVersion(), "bind version");
      Check.equal(bind.name(), op.getBindDN(), "bind name");
      if (op.getCredentialsType() == BindRequestProtocolOp.CRED_TYPE_SASL) {
        Check.equal(bind.saslMechanism(), op.getSASLMechanism(), "SASL mechanism");
      } else {
        Check.equal(bind.saslMechanism(), null, "SASL mechanism of a simple bind");
        Check.equal(
            bind.emptyPassword(),
            op.getSimplePassword().getValueLength() == 0,
            "empty simple password");
      }
    }
  }

  private static Object readBind(LdapMessage view) {
    try {
      return BindRequest.parse(view);
    } catch (MalformedPduException e) {
      return e.getMessage();
    }
  }

  @FuzzTest
  @DictionaryFile(resourcePath = "ldap.dict")
  void extendedAndAbandonRequests(byte[] pdu) {
    LdapMessage plain = Pdus.parseOrNull(Pdus.exact(pdu));
    if (plain == null) {
      return;
    }
    LdapMessage embedded = Pdus.parseOrNull(Pdus.embedded(pdu));
    Object abandoned = readAbandonedId(plain);
    Check.equal(readAbandonedId(embedded), abandoned, "abandoned ID embedded");
    Object name = readExtendedName(plain);
    Check.equal(readExtendedName(embedded), name, "extended request name embedded");

    LDAPMessage reference = Pdus.canonicalOrNull(pdu);
    if (reference == null) {
      return;
    }
    if (reference.getProtocolOp() instanceof AbandonRequestProtocolOp op) {
      Check.equal(abandoned, op.getIDToAbandon(), "abandoned message ID");
    }
    if (reference.getProtocolOp() instanceof ExtendedRequestProtocolOp op
        && StandardCharsets.US_ASCII.newEncoder().canEncode(op.getOID())) {
      Check.equal(name, op.getOID(), "extended request name");
    }
  }

  private static Object readAbandonedId(LdapMessage view) {
    try {
      return Requests.abandonedMessageId(view);
    } catch (MalformedPduException e) {
      return e.getMessage();
    }
  }

  private static Object readExtendedName(LdapMessage view) {
    try {
      return Requests.extendedRequestName(view);
    } catch (MalformedPduException e) {
      return e.getMessage();
    }
  }

  @FuzzTest
  @DictionaryFile(resourcePath = "ldap.dict")
  void proxiedAuthorizationControl(byte[] pdu) {
    LdapMessage plain = Pdus.parseOrNull(Pdus.exact(pdu));
    if (plain == null) {
      return;
    }
    Object found = readControl(plain);
    Check.equal(readControl(Pdus.parseOrNull(Pdus.embedded(pdu))), found, "control embedded");
    if (Boolean.TRUE.equals(found)) {
      // No false alarm: the control type is really there as an OCTET STRING.
      Check.that(
          indexOf(pdu, PROXIED_AUTHORIZATION_TYPE) >= 0,
          () -> "found a control that is not there: " + Check.hex(pdu));
    }
    LDAPMessage reference = Pdus.canonicalOrNull(pdu);
    if (reference != null) {
      boolean present =
          reference.getControls().stream()
              .map(Control::getOID)
              .anyMatch(Oids.PROXIED_AUTHORIZATION::equals);
      Check.equal(found, present, "proxied authorization control present");
    }
  }

  private static Object readControl(LdapMessage view) {
    try {
      return Controls.hasProxiedAuthorization(view);
    } catch (MalformedPduException e) {
      return e.getMessage();
    }
  }

  private static byte[] octetString(String oid) {
    byte[] value = oid.getBytes(StandardCharsets.US_ASCII);
    byte[] element = new byte[2 + value.length];
    element[0] = 0x04;
    element[1] = (byte) value.length;
    System.arraycopy(value, 0, element, 2, value.length);
    return element;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
