package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link MessageRewriter}, with UnboundID's decoder as the oracle: whatever the
 * message, a rewritten one decodes to the new message ID, the same protocolOp byte for byte,
 * and the client's controls unchanged and in order (plus the added control, when there is one).
 */
class MessageRewriterTest {
  private static final int EXAMPLES = 300;

  @Test
  void writeChangesOnlyTheMessageIdOfARequest() {
    qt().withExamples(EXAMPLES)
        .forAll(LdapGens.messageIds(), LdapGens.messageIds(), LdapGens.searchRequests(),
            LdapGens.controlLists())
        .checkAssert((id, newId, op, controls) -> {
          ByteBuf frame = UnboundIdCodec.frame(id, op, controls.toArray(Control[]::new));
          LdapMessage view = parse(frame);
          byte[] out = UnboundIdCodec.captureWrites(ch -> MessageRewriter.write(ch, view, newId));
          assertRewritten(out, newId, UnboundIdCodec.opBytes(op), controls);
          assertReleased(frame);
        });
  }

  @Test
  void writeWithControlAddsTheProxiedAuthorizationControlOnceAfterTheClientsOwn() {
    qt().withExamples(EXAMPLES)
        .forAll(LdapGens.messageIds(), LdapGens.searchRequests(), LdapGens.controlLists(),
            LdapGens.dns())
        .checkAssert((newId, op, controls, authzDn) -> {
          String authzId = "dn:" + authzDn;
          ByteBuf control = Controls.proxiedAuthorization(authzId);
          ByteBuf frame = UnboundIdCodec.frame(1, op, controls.toArray(Control[]::new));
          LdapMessage view = parse(frame);
          byte[] out = UnboundIdCodec.captureWrites(
              ch -> MessageRewriter.writeWithControl(ch, view, newId, control));
          LDAPMessage decoded = decode(out);
          assertThat(decoded.getMessageID()).isEqualTo(newId);
          assertThat(UnboundIdCodec.opBytes(decoded.getProtocolOp()))
              .isEqualTo(UnboundIdCodec.opBytes(op));
          List<Control> got = decoded.getControls();
          assertThat(got).hasSize(controls.size() + 1);
          assertSameControls(got.subList(0, controls.size()), controls);
          Control added = got.get(controls.size());
          assertThat(added.getOID()).isEqualTo(Oids.PROXIED_AUTHORIZATION);
          assertThat(added.isCritical()).isTrue();
          assertThat(added.getValue().getValue())
              .isEqualTo(authzId.getBytes(StandardCharsets.UTF_8));
          assertThat(got.stream().filter(c -> c.getOID().equals(Oids.PROXIED_AUTHORIZATION)))
              .hasSize(1);
          assertThat(control.readableBytes()).as("the shared control is not consumed")
              .isEqualTo(Controls.proxiedAuthorization(authzId).readableBytes());
          assertReleased(frame);
        });
  }

  @Test
  void writeChangesOnlyTheMessageIdOfSearchResultEntries() {
    qt().withExamples(EXAMPLES)
        .forAll(LdapGens.messageIds(), LdapGens.messageIds(), LdapGens.searchResultEntries(),
            LdapGens.controlLists())
        .checkAssert((id, newId, op, controls) -> {
          ByteBuf frame = UnboundIdCodec.frame(id, op, controls.toArray(Control[]::new));
          LdapMessage view = parse(frame);
          assertThat(view.opTag()).isEqualTo(ProtocolOp.SEARCH_RESULT_ENTRY);
          byte[] out = UnboundIdCodec.captureWrites(ch -> MessageRewriter.write(ch, view, newId));
          assertRewritten(out, newId, UnboundIdCodec.opBytes(op), controls);
          assertReleased(frame);
        });
  }

  @Test
  void writeChangesOnlyTheMessageIdOfSearchResultDone() {
    qt().withExamples(EXAMPLES)
        .forAll(LdapGens.messageIds(), LdapGens.messageIds(), LdapGens.searchResultDones(),
            LdapGens.controlLists())
        .checkAssert((id, newId, op, controls) -> {
          ByteBuf frame = UnboundIdCodec.frame(id, op, controls.toArray(Control[]::new));
          LdapMessage view = parse(frame);
          assertThat(ProtocolOp.isFinalResponse(view.opTag())).isTrue();
          byte[] out = UnboundIdCodec.captureWrites(ch -> MessageRewriter.write(ch, view, newId));
          assertRewritten(out, newId, UnboundIdCodec.opBytes(op), controls);
          assertThat(decode(out).getSearchResultDoneProtocolOp().getResultCode())
              .isEqualTo(op.getResultCode());
          assertReleased(frame);
        });
  }

  @Test
  void writeWithControlDropsAnEmptyControlsSequence() throws Exception {
    // Unbind-like Delete "cn=x" with message ID 3 and an empty [0] controls sequence.
    ByteBuf frame = io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {
        0x30, 0x0b, 0x02, 0x01, 0x03, 0x4a, 0x04, 'c', 'n', '=', 'x', (byte) 0xa0, 0x00});
    LdapMessage view = new LdapMessage().parse(frame);
    ByteBuf control = Controls.proxiedAuthorization("dn:");
    byte[] out = UnboundIdCodec.captureWrites(
        ch -> MessageRewriter.writeWithControl(ch, view, 300, control));
    LDAPMessage decoded = decode(out);
    assertThat(decoded.getMessageID()).isEqualTo(300);
    assertThat(decoded.getDeleteRequestProtocolOp().getDN()).isEqualTo("cn=x");
    assertThat(decoded.getControls()).singleElement()
        .satisfies(c -> assertThat(c.getOID()).isEqualTo(Oids.PROXIED_AUTHORIZATION))
        .satisfies(c -> assertThat(c.getValue().stringValue()).isEqualTo("dn:"));
    frame.release();
    assertThat(frame.refCnt()).isZero();
  }

  @Test
  void writesNothingUntilFlushedAndOnePduWhenFlushed() throws Exception {
    SearchRequestProtocolOp op = new SearchRequestProtocolOp("dc=example,dc=com",
        com.unboundid.ldap.sdk.SearchScope.BASE, com.unboundid.ldap.sdk.DereferencePolicy.NEVER,
        0, 0, false, com.unboundid.ldap.sdk.Filter.createPresenceFilter("objectClass"),
        List.of());
    ByteBuf frame = UnboundIdCodec.frame(5, op);
    LdapMessage view = parse(frame);
    io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel();
    MessageRewriter.write(ch, view, 6);
    assertThat((Object) ch.readOutbound()).as("the caller flushes").isNull();
    ch.flush();
    assertThat(ch.outboundMessages()).isNotEmpty();
    assertThat(ch.finishAndReleaseAll()).isTrue();
    frame.release();
    assertThat(frame.refCnt()).isZero();
  }

  private static LdapMessage parse(ByteBuf frame) {
    try {
      return new LdapMessage().parse(frame);
    } catch (MalformedPduException e) {
      throw new AssertionError("UnboundID's encoding did not parse", e);
    }
  }

  private static LDAPMessage decode(byte[] pdu) {
    try {
      return UnboundIdCodec.decode(pdu);
    } catch (Exception e) {
      throw new AssertionError("the rewritten message does not decode: " + e, e);
    }
  }

  private static void assertRewritten(
      byte[] out, int newId, byte[] expectedOp, List<Control> expectedControls) {
    LDAPMessage decoded = decode(out);
    assertThat(decoded.getMessageID()).isEqualTo(newId);
    assertThat(UnboundIdCodec.opBytes(decoded.getProtocolOp())).isEqualTo(expectedOp);
    assertSameControls(decoded.getControls(), expectedControls);
  }

  private static void assertSameControls(List<Control> actual, List<Control> expected) {
    assertThat(actual.stream().map(UnboundIdCodec::controlBytes).toList())
        .containsExactlyElementsOf(expected.stream().map(UnboundIdCodec::controlBytes).toList());
  }

  /** The rewriter's slices were all released with the written buffers. */
  private static void assertReleased(ByteBuf frame) {
    assertThat(frame.refCnt()).as("only the caller's reference is left").isEqualTo(1);
    frame.release();
  }
}
