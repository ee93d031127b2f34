package org.ldapbalancer.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.ConfigValue;
import org.ldapbalancer.config.CrlCheck;
import org.ldapbalancer.config.TlsSettings;
import org.ldapbalancer.testing.TestCertificates;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

/**
 * {@code TLSCipherSuite} as libldap reads it: TLS 1.3 suites and older ones are separate lists,
 * and naming only one kind leaves the defaults for the other.
 */
class CipherSuitesTest {
  private static final TestCertificates certs = TestCertificates.get();
  private static final Path FILE = Path.of("lloadd.conf");

  enum Provider {
    JDK,
    OPENSSL
  }

  private static TlsProvider provider(Provider p) {
    if (p == Provider.OPENSSL) {
      // netty-tcnative-boringssl-static is a dependency: its absence is a failure, not a skip.
      assertThat(OpenSsl.isAvailable())
          .as("BoringSSL (netty-tcnative) did not load: %s", OpenSsl.unavailabilityCause())
          .isTrue();
      return new TlsProvider(SslProvider.OPENSSL, "test");
    }
    return new TlsProvider(SslProvider.JDK, "test");
  }

  private static TlsSettings listener(String ciphers, String protocolMin) {
    return new TlsSettings(
        new ConfigValue("TLSCertificateFile", certs.serverCert().toString(), FILE, 1),
        new ConfigValue("TLSCertificateKeyFile", certs.serverKey().toString(), FILE, 2),
        null, null, null,
        new ConfigValue("TLSCipherSuite", ciphers, FILE, 3),
        protocolMin == null ? null : new ConfigValue("TLSProtocolMin", protocolMin, FILE, 4),
        null, CertificateCheck.NEVER, CrlCheck.NONE);
  }

  /** The protocol a JDK client offering {@code protocols} and its default suites gets. */
  private static String negotiate(TlsSettings settings, TlsProvider provider, String... protocols)
      throws Exception {
    ContextBuilder.Built built = ContextBuilder.server(settings, provider);
    SSLEngine server = built.context().newEngine(ByteBufAllocator.DEFAULT);
    try {
      SSLContext jdk = SSLContext.getInstance("TLS");
      jdk.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
      SSLEngine client = jdk.createSSLEngine("localhost", 636);
      client.setUseClientMode(true);
      client.setEnabledProtocols(protocols);
      handshake(client, server);
      return client.getSession().getProtocol();
    } finally {
      ReferenceCountUtil.release(server);
      ReferenceCountUtil.release(built.context());
    }
  }

  private static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    int size = Math.max(client.getSession().getPacketBufferSize(),
        server.getSession().getPacketBufferSize()) * 4;
    ByteBuffer toServer = ByteBuffer.allocate(size);
    ByteBuffer toClient = ByteBuffer.allocate(size);
    ByteBuffer app = ByteBuffer.allocate(size);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < 1000; round++) {
      boolean clientDone = finished(client.getHandshakeStatus());
      boolean serverDone = finished(server.getHandshakeStatus());
      if (clientDone && serverDone) {
        return;
      }
      step(client, toServer, toClient, app, empty);
      step(server, toClient, toServer, app, empty);
    }
    throw new AssertionError("handshake did not finish");
  }

  private static boolean finished(HandshakeStatus s) {
    return s == HandshakeStatus.FINISHED || s == HandshakeStatus.NOT_HANDSHAKING;
  }

  /** One move of an engine: wrap what it has to send, unwrap what it received. */
  private static void step(SSLEngine engine, ByteBuffer out, ByteBuffer in, ByteBuffer app,
      ByteBuffer empty) throws SSLException {
    HandshakeStatus status = engine.getHandshakeStatus();
    while (status == HandshakeStatus.NEED_TASK) {
      engine.getDelegatedTask().run();
      status = engine.getHandshakeStatus();
    }
    if (status == HandshakeStatus.NEED_WRAP) {
      engine.wrap(empty, out);
    }
    in.flip();
    try {
      // At least once: OpenSSL's engine finishes its handshake on a call with nothing new.
      for (boolean first = true; first || in.hasRemaining(); first = false) {
        app.clear();
        SSLEngineResult r = engine.unwrap(in, app);
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
          engine.getDelegatedTask().run();
        }
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
            || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
          break;
        }
      }
    } finally {
      in.compact();
    }
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void aListOfTls12SuitesLeavesTls13ItsDefaults(Provider p) throws Exception {
    TlsProvider provider = provider(p);
    TlsSettings settings = listener("ECDHE-RSA-AES128-GCM-SHA256", null);
    assertThat(negotiate(settings, provider, "TLSv1.3", "TLSv1.2")).isEqualTo("TLSv1.3");
    assertThat(negotiate(settings, provider, "TLSv1.2")).isEqualTo("TLSv1.2");
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void aListOfTls12SuitesWorksUnderATls13Minimum(Provider p) throws Exception {
    TlsProvider provider = provider(p);
    TlsSettings settings = listener("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "3.4");
    assertThat(negotiate(settings, provider, "TLSv1.3", "TLSv1.2")).isEqualTo("TLSv1.3");
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void aListOfTls13SuitesLeavesTls12ItsDefaults(Provider p) throws Exception {
    TlsProvider provider = provider(p);
    TlsSettings settings = listener("TLS_AES_128_GCM_SHA256", null);
    assertThat(negotiate(settings, provider, "TLSv1.2")).isEqualTo("TLSv1.2");
    assertThat(negotiate(settings, provider, "TLSv1.3", "TLSv1.2")).isEqualTo("TLSv1.3");
  }
}
