package org.ldapbalancer.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.unboundid.ldap.protocol.LDAPMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import org.ldapbalancer.protocol.Controls;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.MessageRewriter;

/**
 * Fuzzes {@link MessageRewriter}: any PDU the message view accepts is written to a channel under a
 * new message ID, with or without the balancer's Proxied Authorization control, and what the
 * channel receives must be one PDU that reads back as the same message.
 *
 * <p>Input layout: bytes 0-3 the new message ID (big-endian, the sign bit cleared: RFC 4511's
 * MessageID is 0 to 2^31-1); byte 4 zero to write without a control, otherwise to add a control
 * whose authorization identity is 8 &times; (byte 4 &minus; 1) bytes long, which covers both sides
 * of the rewriter's copy limit and every length form; the rest is the PDU.
 *
 * <p>Checks: the new message ID; the protocolOp byte for byte; without a control the rest of the
 * message byte for byte, with one the client's controls byte for byte followed by the added one
 * (trailing components after the controls, RFC 4511 §4's extensions, are left out);
 * the original frame and the shared control untouched and their reference counts as before; every
 * buffer the rewriter made released once the channel's output is; and what UnboundID's decoder
 * reads before the rewrite it still reads after.
 */
class MessageRewriterFuzzTest {
  private static final int HEADER = 5;

  @FuzzTest
  @DictionaryFile(resourcePath = "ldap.dict")
  void rewrite(byte[] input) {
    if (input.length < HEADER) {
      return;
    }
    int newId =
        ((input[0] & 0x7f) << 24)
            | ((input[1] & 0xff) << 16)
            | ((input[2] & 0xff) << 8)
            | (input[3] & 0xff);
    int controlChoice = input[4] & 0xff;
    byte[] pdu = Arrays.copyOfRange(input, HEADER, input.length);

    ByteBuf frame = Pdus.embedded(pdu);
    LdapMessage view = Pdus.parseOrNull(frame);
    if (view == null) {
      return;
    }
    ByteBuf control =
        controlChoice == 0
            ? null
            : Controls.proxiedAuthorization("dn:" + "x".repeat(8 * (controlChoice - 1)));
    byte[] controlBytes = control == null ? new byte[0] : ByteBufUtil.getBytes(control);
    Object hadProxiedAuthorization = proxiedAuthorization(view);

    TrackingAllocator alloc = new TrackingAllocator();
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(alloc);
    if (control == null) {
      MessageRewriter.write(channel, view, newId);
    } else {
      MessageRewriter.writeWithControl(channel, view, newId, control);
    }
    channel.flush();
    channel.checkException();
    byte[] out = Pdus.drainOutbound(channel);
    Check.that(!channel.finishAndReleaseAll(), () -> "more than the rewritten message written");
    alloc.assertAllReleased();
    Check.that(alloc.allocations() > 0, () -> "nothing allocated for the new header");

    Check.equal(frame.refCnt(), 1, "reference count of the original frame");
    Check.sameBytes(
        Pdus.range(frame, frame.readerIndex(), frame.writerIndex()), pdu, "original frame");
    if (control != null) {
      Check.equal(control.readerIndex(), 0, "reader index of the shared control");
      Check.sameBytes(ByteBufUtil.getBytes(control), controlBytes, "the shared control");
    }

    LdapMessage rewritten;
    try {
      rewritten = new LdapMessage().parse(Unpooled.wrappedBuffer(out));
    } catch (MalformedPduException e) {
      throw new AssertionError(
          "rewritten message unreadable (" + e.getMessage() + "): " + Check.hex(out), e);
    }
    Check.equal(rewritten.messageId(), newId, "new message ID");
    Check.sameBytes(
        Arrays.copyOfRange(out, rewritten.opStart(), rewritten.opEnd()),
        Pdus.range(frame, view.opStart(), view.opEnd()),
        "protocolOp");
    if (control == null) {
      Check.sameBytes(
          Arrays.copyOfRange(out, rewritten.opStart(), out.length),
          Pdus.range(frame, view.opStart(), view.end()),
          "everything after the message ID");
    } else {
      Check.that(rewritten.hasControls(), () -> "no controls after adding one");
      byte[] before =
          view.hasControls()
              ? Pdus.range(frame, controlsContentStart(view), view.controlsEnd())
              : new byte[0];
      byte[] expected = Arrays.copyOf(before, before.length + controlBytes.length);
      System.arraycopy(controlBytes, 0, expected, before.length, controlBytes.length);
      Check.sameBytes(
          Arrays.copyOfRange(out, controlsContentStart(rewritten), rewritten.controlsEnd()),
          expected,
          "controls: the client's, then the added one");
      if (Boolean.FALSE.equals(hadProxiedAuthorization)) {
        Check.equal(proxiedAuthorization(rewritten), true, "added control found");
      }
    }

    LDAPMessage reference = Pdus.canonicalOrNull(pdu);
    if (reference != null) {
      LDAPMessage after = Pdus.unboundIdOrNull(out);
      Check.that(after != null, () -> "UnboundID reads the original only: " + Check.hex(out));
      Check.equal(after.getMessageID(), newId, "message ID as UnboundID reads it");
      Check.equal(
          after.getControls().size(),
          reference.getControls().size() + (control == null ? 0 : 1),
          "number of controls as UnboundID reads them");
    }
  }

  /** Index of the first octet inside the controls element, past its tag and length. */
  private static int controlsContentStart(LdapMessage view) {
    ByteBuf frame = view.frame();
    int first = frame.getUnsignedByte(view.controlsStart() + 1);
    return view.controlsStart() + (first < 0x80 ? 2 : 2 + (first & 0x7f));
  }

  private static Object proxiedAuthorization(LdapMessage view) {
    try {
      return Controls.hasProxiedAuthorization(view);
    } catch (MalformedPduException e) {
      return e.getMessage();
    }
  }
}
