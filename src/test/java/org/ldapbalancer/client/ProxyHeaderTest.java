package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.Messages.search;

import com.unboundid.ldap.protocol.LDAPMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.testing.SessionTracking;
import org.ldapbalancer.upstream.EmbeddedUpstreams;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/**
 * A {@code pldap://} connection as {@link ClientChannelInitializer} builds it: the PROXY header
 * (v1 or v2) is read before any LDAP, its source address becomes the client's address (here seen
 * in the Session Tracking control of the forwarded request), and a connection without a valid
 * header, or whose header does not come in time, is closed before any of its bytes reach a
 * server.
 */
class ProxyHeaderTest {
  private static final long DEADLINE_MILLIS = 5_000;
  private static final ClientSettings SETTINGS =
      new ClientSettings(0, true, "dn:cn=balancer,dc=example,dc=com", 0)
          .withSessionTracking("lb1.example");

  private final MockTicker clock = Ticker.newMockTicker();
  private EmbeddedUpstreams ups;
  private Upstream regular;
  private EmbeddedChannel client;
  private ClientConnection connection;

  @BeforeEach
  void start() {
    ups = EmbeddedUpstreams.create();
    regular = ups.regular(500);
    ups.bind(900);
    LdapFrameDecoder framer = new LdapFrameDecoder(EmbeddedUpstreams.MAX_PDU);
    connection = new ClientConnection(ups.router(), SETTINGS, framer);
    client =
        EmbeddedChannel.builder()
            .ticker(clock)
            .handlers(
                new ProxyHeaderHandler.Signature(),
                ClientChannelInitializer.proxyHeaderDecoder(),
                new ProxyHeaderHandler(connection, DEADLINE_MILLIS),
                framer,
                connection)
            .build();
  }

  @AfterEach
  void release() {
    ups.releaseUnread();
    client.finishAndReleaseAll();
  }

  @Test
  void aVersion1HeaderNamesTheClientAndTheRequestBehindItIsForwarded() {
    ByteBuf header =
        Unpooled.copiedBuffer(
            "PROXY TCP4 127.0.0.5 127.0.0.1 40001 389\r\n", StandardCharsets.US_ASCII);
    client.writeInbound(Unpooled.wrappedBuffer(header, Pdus.frame(1, search())));

    assertThat(connection.peerAddress()).isEqualTo(new InetSocketAddress("127.0.0.5", 40001));
    assertThat(client.pipeline().get(ProxyHeaderHandler.class)).as("removed").isNull();
    assertThat(client.pipeline().get(HAProxyMessageDecoder.class)).as("removed").isNull();
    SessionTracking tracking = trackingOf(only(regular.sent()));
    assertThat(tracking.sourceIp()).isEqualTo("127.0.0.5");
    assertThat(tracking.sourceName()).isEqualTo("lb1.example");
    assertThat(tracking.identifier()).isEqualTo("dn:");
  }

  @Test
  void aVersion2HeaderForIpv6ArrivingInPiecesNamesTheClient() {
    byte[] header =
        v2(
            new HAProxyMessage(
                HAProxyProtocolVersion.V2,
                HAProxyCommand.PROXY,
                HAProxyProxiedProtocol.TCP6,
                "2001:db8::7",
                "2001:db8::1",
                50000,
                636));
    for (byte b : header) { // one byte at a time: nothing is taken for LDAP meanwhile
      client.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertThat(client.isOpen()).isTrue();
    client.writeInbound(Pdus.frame(1, search()));

    assertThat(connection.peerAddress()).isEqualTo(new InetSocketAddress("2001:db8::7", 50000));
    assertThat(trackingOf(only(regular.sent())).sourceIp()).isEqualTo("2001:db8:0:0:0:0:0:7");
  }

  @Test
  void aLocalHeaderKeepsTheSocketsAddress() {
    var socketAddress = client.remoteAddress();
    client.writeInbound(
        Unpooled.wrappedBuffer(
            v2(
                new HAProxyMessage(
                    HAProxyProtocolVersion.V2,
                    HAProxyCommand.LOCAL,
                    HAProxyProxiedProtocol.UNKNOWN,
                    null,
                    null,
                    0,
                    0)),
            Pdus.frame(1, search()).array()));

    assertThat(connection.peerAddress()).isEqualTo(socketAddress);
    assertThat(regular.sent()).hasSize(1);
  }

  @Test
  void aVersion2HeaderWithAFewKibibytesOfTlvsIsRead() {
    client.writeInbound(
        Unpooled.wrappedBuffer(
            v2(withNoopTlvs(ClientChannelInitializer.MAX_PROXY_HEADER_TLV_BYTES - 3)),
            Pdus.frame(1, search()).array()));

    assertThat(connection.peerAddress()).isEqualTo(new InetSocketAddress("127.0.0.5", 40001));
    assertThat(regular.sent()).hasSize(1);
  }

  @Test
  void aVersion2HeaderWithMoreTlvsThanTheBoundClosesTheConnection() {
    byte[] header = v2(withNoopTlvs(16 * 1024));
    // Refused once more than the bound has come, not held until the whole 16 KiB have.
    client.writeInbound(Unpooled.wrappedBuffer(header, 0, 6000));

    assertThat(client.isOpen()).isFalse();
    assertThat(regular.sent()).isEmpty();
  }

  /** A version 2 header for 127.0.0.5 carrying one NOOP TLV of {@code size} bytes. */
  private static HAProxyMessage withNoopTlvs(int size) {
    return new HAProxyMessage(
        HAProxyProtocolVersion.V2,
        HAProxyCommand.PROXY,
        HAProxyProxiedProtocol.TCP4,
        "127.0.0.5",
        "127.0.0.1",
        40001,
        389,
        List.of(new HAProxyTLV((byte) 0x04, Unpooled.wrappedBuffer(new byte[size]))));
  }

  @Test
  void ldapWithoutAHeaderClosesTheConnectionAndReachesNoServer() {
    ByteBuf request = Pdus.frame(1, search());
    // Longer than the longest version 1 line (107 bytes) and without its end: not a header.
    ByteBuf padded = Unpooled.wrappedBuffer(request, Unpooled.wrappedBuffer(new byte[200]));
    client.writeInbound(padded);

    assertThat(client.isOpen()).isFalse();
    assertThat(regular.sent()).isEmpty();
  }

  @Test
  void anLdapClientWithoutAHeaderIsClosedAtItsFirstByteNotAtTheDeadline() {
    ByteBuf bind = Unpooled.wrappedBuffer(new byte[] {0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07});
    client.writeInbound(bind);

    assertThat(client.isOpen()).as("closed at once, without waiting for a line end").isFalse();
    assertThat(bind.refCnt()).isZero();
    assertThat(regular.sent()).isEmpty();
  }

  @Test
  void aStartThatLeavesVersion1sPrefixClosesTheConnection() {
    client.writeInbound(Unpooled.copiedBuffer("PRO", StandardCharsets.US_ASCII));
    assertThat(client.isOpen()).as("\"PRO\" may begin a version 1 header").isTrue();

    client.writeInbound(Unpooled.copiedBuffer("B", StandardCharsets.US_ASCII));

    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void aStartThatLeavesVersion2sSignatureClosesTheConnection() {
    client.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x0d, 0x0a, 0x0d, 0x0a, 0x00}));
    assertThat(client.isOpen()).as("the start of the version 2 signature").isTrue();

    client.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x0d, 0x0a, 'R'})); // not "QUIT"

    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void theCheckStepsAsideOnceTheBytesMatchAVersionsStart() {
    client.writeInbound(Unpooled.copiedBuffer("PROXY ", StandardCharsets.US_ASCII));

    assertThat(client.pipeline().get(ProxyHeaderHandler.Signature.class)).isNull();
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void aHeaderThatDoesNotComeInTimeClosesTheConnection() {
    client.writeInbound(Unpooled.copiedBuffer("PROXY TCP4 ", StandardCharsets.US_ASCII));
    clock.advanceMillis(DEADLINE_MILLIS - 1);
    client.runScheduledPendingTasks();
    assertThat(client.isOpen()).isTrue();

    clock.advanceMillis(1);
    client.runScheduledPendingTasks();
    assertThat(client.isOpen()).isFalse();
    assertThat(regular.sent()).isEmpty();
  }

  @Test
  void theDeadlineIsIoTimeoutOrTenSecondsWhenThatIsOff() {
    assertThat(ClientChannelInitializer.proxyHeaderDeadline(3_000)).isEqualTo(3_000);
    assertThat(ClientChannelInitializer.proxyHeaderDeadline(0)).isEqualTo(10_000);
  }

  /** The header as a proxy sends it, encoded by Netty's own encoder. */
  private static byte[] v2(HAProxyMessage message) {
    EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    encoder.writeOutbound(message);
    ByteBuf out = encoder.readOutbound();
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    out.release();
    encoder.finishAndReleaseAll();
    return bytes;
  }

  private static SessionTracking trackingOf(LDAPMessage request) {
    SessionTracking tracking = SessionTracking.in(request.getControls());
    assertThat(tracking).as("session tracking control in %s", request).isNotNull();
    assertThat(tracking.critical()).isFalse();
    assertThat(tracking.formatOid()).isEqualTo(SessionTracking.USERNAME_FORMAT);
    return tracking;
  }

  private static LDAPMessage only(List<LDAPMessage> messages) {
    assertThat(messages).hasSize(1);
    return messages.get(0);
  }
}
