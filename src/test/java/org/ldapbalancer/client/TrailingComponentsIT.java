package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.ldap.protocol.LDAPMessage;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LoopbackConnections;
import org.ldapbalancer.testing.RawLdapClient;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * RFC 4511 §4: "clients and servers MUST (unless otherwise specified) ignore trailing SEQUENCE
 * components whose tags they do not recognize". slapd does after a request's last field, after
 * the controls, in SaslCredentials and in a Compare's assertion, so such requests pass through the
 * balancer and are answered as slapd answers them directly; where slapd would close the connection
 * on them (inside a filter), the balancer still refuses them, and the shared connections stay.
 */
@Timeout(120)
class TrailingComponentsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final byte[] EXTENSION = tlv(0x89, "x".getBytes(StandardCharsets.UTF_8));

  @Test
  void requestsWithTrailingComponentsAreAnsweredAndTheSharedConnectionsStay() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, 5);
        RunningBalancer balancer =
            slapds.balancerOnOneSharedConnection().start()) {
      balancer.awaitReady(slapds.urls());
      Set<Integer> upstreams = LoopbackConnections.clientPortsTowards(slapds.server(0).port());
      assertThat(upstreams).hasSize(2);

      try (RawLdapClient raw = RawLdapClient.connect(balancer.port())) {
        // A search of the root DSE with an extension after its attributes: answered in full.
        raw.send(message(1, tlv(0x63, rootDseSearch(), EXTENSION)));
        assertThat(opTag(raw.readPdu(WAIT))).isEqualTo(0x64); // the entry
        assertResult(raw.readPdu(WAIT), 1, 0x65, 0);
        // The same with an extension after the LDAPMessage's controls (manageDsaIT).
        raw.send(message(2, tlv(0x63, rootDseSearch()),
            tlv(0xa0, tlv(0x30, str(0x04, "2.16.840.1.113730.3.4.2"))), EXTENSION));
        assertThat(opTag(raw.readPdu(WAIT))).isEqualTo(0x64);
        assertResult(raw.readPdu(WAIT), 2, 0x65, 0);
        // Who am I? with an extension after its name: success.
        raw.send(message(3, tlv(0x77, str(0x80, "1.3.6.1.4.1.4203.1.11.3"), EXTENSION)));
        assertResult(raw.readPdu(WAIT), 3, 0x78, 0);
        // A Compare whose assertion has a third element: compareTrue (6).
        raw.send(message(4, tlv(0x6e, str(0x04, DirectoryData.SUFFIX),
            tlv(0x30, str(0x04, "dc"), str(0x04, "example"), EXTENSION))));
        assertResult(raw.readPdu(WAIT), 4, 0x6f, 6);
        // A ModifyDN with an extension and no newSuperior: slapd judges it (anonymous: 50).
        raw.send(message(5, tlv(0x6c, str(0x04, "cn=nobody," + DirectoryData.SUFFIX),
            str(0x04, "cn=x"), new byte[] {0x01, 0x01, 0x00}, EXTENSION)));
        assertThat(resultCode(raw.readPdu(WAIT), 5, 0x6d)).isNotEqualTo(2);
      }

      // Inside a filter slapd closes the connection on them: refused here, with a notice.
      try (RawLdapClient raw = RawLdapClient.connect(balancer.port())) {
        raw.send(message(6, tlv(0x63, str(0x04, ""), new byte[] {0x0a, 0x01, 0x00},
            new byte[] {0x0a, 0x01, 0x00}, new byte[] {0x02, 0x01, 0x00},
            new byte[] {0x02, 0x01, 0x00}, new byte[] {0x01, 0x01, 0x00},
            tlv(0xa3, str(0x04, "objectClass"), str(0x04, "top"), EXTENSION), tlv(0x30))));
        var received = raw.readUntilClosed(WAIT);
        assertThat(received).hasSize(1);
        LDAPMessage notice = LDAPMessage.decode(ASN1Element.decode(received.get(0)));
        assertThat(notice.getMessageID()).isZero();
        assertThat(notice.getExtendedResponseProtocolOp().getResultCode()).isEqualTo(2);
      }

      // slapd closed neither connection: the balancer would have made new ones, on new ports.
      assertThat(LoopbackConnections.clientPortsTowards(slapds.server(0).port()))
          .isEqualTo(upstreams);
    }
  }

  private static byte[] rootDseSearch() {
    return concat(str(0x04, ""), new byte[] {0x0a, 0x01, 0x00}, new byte[] {0x0a, 0x01, 0x00},
        new byte[] {0x02, 0x01, 0x00}, new byte[] {0x02, 0x01, 0x00},
        new byte[] {0x01, 0x01, 0x00}, str(0x87, "objectClass"), tlv(0x30));
  }

  private static void assertResult(byte[] pdu, int id, int tag, int code) {
    assertThat(resultCode(pdu, id, tag)).as(ByteBufUtil.hexDump(pdu)).isEqualTo(code);
  }

  /** The resultCode of an LDAPResult-shaped response, checking its message ID and tag. */
  private static int resultCode(byte[] pdu, int id, int tag) {
    assertThat(pdu).as("a response, not the end of the connection").isNotNull();
    ASN1Element[] message = sequence(pdu);
    assertThat(message[0].getValue()[0] & 0xff).as("message ID").isEqualTo(id);
    assertThat(message[1].getType() & 0xff).as("protocolOp").isEqualTo(tag);
    try {
      ASN1Element[] result = ASN1Element.decode(message[1].encode()).decodeAsSequence().elements();
      return result[0].getValue()[0] & 0xff;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static int opTag(byte[] pdu) {
    assertThat(pdu).isNotNull();
    return sequence(pdu)[1].getType() & 0xff;
  }

  private static ASN1Element[] sequence(byte[] pdu) {
    try {
      return ASN1Element.decode(pdu).decodeAsSequence().elements();
    } catch (Exception e) {
      throw new AssertionError(ByteBufUtil.hexDump(pdu), e);
    }
  }

  private static byte[] message(int id, byte[]... rest) {
    return tlv(0x30, new byte[] {0x02, 0x01, (byte) id}, concat(rest));
  }

  private static byte[] str(int tag, String s) {
    return tlv(tag, s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] tlv(int tag, byte[]... parts) {
    byte[] content = concat(parts);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    if (content.length < 0x80) {
      out.write(content.length);
    } else {
      out.write(0x82);
      out.write(content.length >> 8);
      out.write(content.length);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
