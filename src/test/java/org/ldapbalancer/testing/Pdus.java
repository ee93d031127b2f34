package org.ldapbalancer.testing;

import com.unboundid.asn1.ASN1StreamReader;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.GenericResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.LDAPException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * LDAP messages in and out of embedded channels, encoded and decoded by UnboundID's protocol
 * classes: an implementation independent of the balancer's own codec, so what the tests read is
 * what a real peer would.
 */
public final class Pdus {
  private Pdus() {}

  /** One whole PDU, as a peer would send it. */
  public static ByteBuf frame(int messageId, ProtocolOp op, Control... controls) {
    return Unpooled.wrappedBuffer(new LDAPMessage(messageId, op, controls).encode().encode());
  }

  /**
   * Everything {@code channel} has flushed so far, decoded; what is read is released. Fails if
   * the bytes are not whole, well-formed LDAP messages.
   */
  public static List<LDAPMessage> written(EmbeddedChannel channel) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (Object written; (written = channel.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) written;
      try {
        bytes.writeBytes(ByteBufUtil.getBytes(buf));
      } finally {
        buf.release();
      }
    }
    return decodeAll(bytes.toByteArray());
  }

  /** Decodes back-to-back PDUs; trailing or partial bytes fail the decoding. */
  public static List<LDAPMessage> decodeAll(byte[] bytes) {
    List<LDAPMessage> messages = new ArrayList<>();
    try (ASN1StreamReader reader = new ASN1StreamReader(new ByteArrayInputStream(bytes))) {
      for (LDAPMessage m; (m = LDAPMessage.readFrom(reader, true)) != null; ) {
        messages.add(m);
      }
    } catch (LDAPException e) {
      throw new AssertionError("not a sequence of LDAP messages", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return messages;
  }

  /** The result code of a final response of any type. */
  public static int resultCode(LDAPMessage response) {
    ProtocolOp op = response.getProtocolOp();
    if (op instanceof BindResponseProtocolOp bind) {
      return bind.getResultCode();
    }
    if (op instanceof ExtendedResponseProtocolOp extended) {
      return extended.getResultCode();
    }
    if (op instanceof GenericResponseProtocolOp generic) {
      return generic.getResultCode();
    }
    throw new AssertionError("not a final response: " + response);
  }

  /** The diagnostic message of a final response of any type. */
  public static String diagnostic(LDAPMessage response) {
    ProtocolOp op = response.getProtocolOp();
    if (op instanceof BindResponseProtocolOp bind) {
      return bind.getDiagnosticMessage();
    }
    if (op instanceof ExtendedResponseProtocolOp extended) {
      return extended.getDiagnosticMessage();
    }
    if (op instanceof GenericResponseProtocolOp generic) {
      return generic.getDiagnosticMessage();
    }
    throw new AssertionError("not a final response: " + response);
  }

  /** Whether the message ends its operation (RFC 4511 §4.1.1: one per request). */
  public static boolean isFinal(LDAPMessage message) {
    return switch (message.getProtocolOpType()) {
      case LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
          LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
          LDAPMessage.PROTOCOL_OP_TYPE_MODIFY_RESPONSE,
          LDAPMessage.PROTOCOL_OP_TYPE_ADD_RESPONSE,
          LDAPMessage.PROTOCOL_OP_TYPE_DELETE_RESPONSE,
          LDAPMessage.PROTOCOL_OP_TYPE_MODIFY_DN_RESPONSE,
          LDAPMessage.PROTOCOL_OP_TYPE_COMPARE_RESPONSE,
          LDAPMessage.PROTOCOL_OP_TYPE_EXTENDED_RESPONSE -> message.getMessageID() != 0;
      default -> false;
    };
  }

  /** The value of the message's control of type {@code oid}, as text, or null if it has none. */
  public static String controlValue(LDAPMessage message, String oid) {
    for (Control c : message.getControls()) {
      if (c.getOID().equals(oid)) {
        return c.hasValue() ? c.getValue().stringValue() : "";
      }
    }
    return null;
  }
}
