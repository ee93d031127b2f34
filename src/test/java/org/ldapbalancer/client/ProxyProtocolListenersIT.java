package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.util.ssl.PEMFileKeyManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SessionTracking;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/**
 * {@code pldap://} and {@code pldaps://} listeners with real sockets: the header's address
 * reaches the servers (in the Session Tracking control), on {@code pldaps://} the header comes
 * before the TLS handshake and SASL EXTERNAL works behind it, and a connection without a header
 * is closed before any of its requests reaches a server.
 */
@Timeout(120)
final class ProxyProtocolListenersIT {
  private static final TestCertificates certs = TestCertificates.get();

  private RecordingDirectory server;
  private RunningBalancer lb;

  @BeforeEach
  void start() throws Exception {
    server = RecordingDirectory.start("proxied", 3);
    lb =
        RunningBalancer.builder()
            .server(server.url(), 1, 1)
            .sessionTracking(true)
            .listenerTls(
                TlsSettingsForTests.listener(
                    certs.serverCert(), certs.serverKey(), certs.caCert(), CertificateCheck.TRY))
            .listen("pldap://127.0.0.1:0", "pldaps://127.0.0.1:0")
            .start()
            .awaitReady(server.url());
  }

  @AfterEach
  void stop() {
    try {
      lb.close();
    } finally {
      server.close();
    }
  }

  @Test
  void aVersion1HeaderForIpv6ReachesTheServers() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), lb.port(0))) {
      socket.getOutputStream()
          .write("PROXY TCP6 2001:db8::5 ::1 40000 389\r\n".getBytes(StandardCharsets.US_ASCII));
      MessageClient client = MessageClient.over(socket);
      client.send(MessageClient.search(1, "(description=v1)"));
      assertThat(Pdus.resultCode(client.readThrough(1).get(0))).isEqualTo(ResultCode.SUCCESS);
    }
    assertThat(trackingOf("(description=v1)").sourceIp()).isEqualTo("2001:db8:0:0:0:0:0:5");
  }

  @Test
  void onPldapsTheHeaderComesBeforeTlsAndExternalBindsBehindIt() throws Exception {
    SSLUtil tls =
        new SSLUtil(
            new PEMFileKeyManager(certs.clientCert().toFile(), certs.clientKey().toFile()),
            new PEMFileTrustManager(certs.caCert().toFile()));
    try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), lb.port(1))) {
      plain.getOutputStream().write(v2Header("192.0.2.10", 5555));
      SSLSocket secured =
          (SSLSocket)
              tls.createSSLSocketFactory().createSocket(plain, "127.0.0.1", lb.port(1), true);
      secured.startHandshake();
      MessageClient client = MessageClient.over(secured);
      client.send(new LDAPMessage(1, new BindRequestProtocolOp("", "EXTERNAL", null)));
      assertThat(Pdus.resultCode(client.read())).isEqualTo(ResultCode.SUCCESS);
      client.send(MessageClient.search(2, "(description=tls)"));
      client.readThrough(2);
    }
    SessionTracking tracking = trackingOf("(description=tls)");
    assertThat(tracking.sourceIp()).isEqualTo("192.0.2.10");
    assertThat(tracking.identifier()).isEqualTo("dn:" + TestCertificates.CLIENT_DN);
  }

  @Test
  void withoutAHeaderTheConnectionIsClosedAndNothingReachesTheServers() throws Exception {
    try (MessageClient client = MessageClient.connect(lb.port(0))) {
      // Padding: more than a version 1 header may be, without its line end, so that the
      // decoder knows at once that this is no header.
      client.send(MessageClient.search(1, "(description=" + "x".repeat(200) + ")"));
      assertThat(client.readUntilClosed()).isEmpty();
    }
    try (MessageClient next = MessageClient.connect(lb.port(0))) {
      next.sendBytes(v2Header("192.0.2.11", 6666));
      next.send(MessageClient.search(1, "(description=after)"));
      next.readThrough(1);
    }
    assertThat(server.requests(r -> r.filter().contains("xxxx"))).isEmpty();
    assertThat(trackingOf("(description=after)").sourceIp()).isEqualTo("192.0.2.11");
  }

  private SessionTracking trackingOf(String filter) {
    List<RecordingDirectory.Request> requests = server.requests(r -> r.filter().equals(filter));
    assertThat(requests).hasSize(1);
    SessionTracking tracking = SessionTracking.in(requests.get(0).controls());
    assertThat(tracking).isNotNull();
    return tracking;
  }

  /** A PROXY protocol version 2 header as HAProxy's {@code send-proxy-v2} sends it. */
  private static byte[] v2Header(String sourceIp, int sourcePort) {
    EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    encoder.writeOutbound(
        new HAProxyMessage(
            HAProxyProtocolVersion.V2,
            HAProxyCommand.PROXY,
            HAProxyProxiedProtocol.TCP4,
            sourceIp,
            "127.0.0.1",
            sourcePort,
            636));
    ByteBuf out = encoder.readOutbound();
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    out.release();
    encoder.finishAndReleaseAll();
    return bytes;
  }
}
