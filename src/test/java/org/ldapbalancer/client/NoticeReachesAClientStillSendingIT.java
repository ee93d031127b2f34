package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/**
 * A client that is disconnected while it still has requests on the way reads its Notice of
 * Disconnection and then an orderly end of stream, never a reset: the balancer does not close a
 * socket with unread input (which makes the kernel send a reset that can cost the client the
 * notice), it ends its side and discards what still comes until the client closes. The same over
 * TLS, where the end is TLS's close_notify.
 */
@Timeout(120)
class NoticeReachesAClientStillSendingIT {
  /** Requests behind the one that ends the connection: far more than one read takes. */
  private static final int REQUESTS_BEHIND = 5_000;

  private static final TestCertificates certs = TestCertificates.get();

  @Test
  void theNoticeThenAnOrderlyEndWhileTheClientGoesOnWriting() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1).start()
            .awaitReady(dir.url());
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), lb.port())) {
      Ending ending = disconnectWhileSending(socket);

      assertThat(ending.reset).as("the connection was reset, not closed").isFalse();
      assertNotice(ending.messages);
      // The balancer read everything that came after, so the client's writes all went through.
      assertThat(ending.writer.get(30, TimeUnit.SECONDS)).isEqualTo(ending.bytesToWrite);
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).isEmpty();
    }
  }

  @Test
  void overTlsTheNoticeThenCloseNotify() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1)
            .listenerTls(TlsSettingsForTests.listener(certs.serverCert(), certs.serverKey(),
                certs.caCert(), CertificateCheck.NEVER))
            .listen("ldap://127.0.0.1:0", "ldaps://127.0.0.1:0")
            .start()
            .awaitReady(dir.url());
        Socket socket = new SSLUtil(new PEMFileTrustManager(certs.caCert().toFile()))
            .createSSLSocketFactory()
            .createSocket("127.0.0.1", lb.port(1))) {
      Ending ending = disconnectWhileSending(socket);

      assertThat(ending.reset).as("the connection was reset, not closed").isFalse();
      assertNotice(ending.messages);
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).isEmpty();
    }
  }

  private record Ending(
      List<LDAPMessage> messages, boolean reset, CompletableFuture<Integer> writer,
      int bytesToWrite) {}

  /**
   * Sends a request with message ID 0 (a protocol error that ends the connection) and, from
   * another thread, thousands of searches behind it; reads until the balancer ends the stream.
   */
  private static Ending disconnectWhileSending(Socket socket) throws Exception {
    socket.setSoTimeout(30_000);
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    stream.write(MessageClient.search(0, "(uid=user.1)").encode().encode());
    for (int id = 1; id <= REQUESTS_BEHIND; id++) {
      stream.write(MessageClient.search(id, "(uid=user.2)").encode().encode());
    }
    byte[] bytes = stream.toByteArray();
    OutputStream out = socket.getOutputStream();
    CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
      try {
        out.write(bytes);
        out.flush();
        return bytes.length;
      } catch (IOException e) {
        throw new IllegalStateException("writing the requests failed: " + e, e);
      }
    });
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean reset = false;
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        received.write(buffer, 0, n);
      }
    } catch (SocketException e) {
      reset = true;
    }
    return new Ending(decode(received.toByteArray()), reset, writer, bytes.length);
  }

  private static List<LDAPMessage> decode(byte[] bytes) throws Exception {
    List<LDAPMessage> messages = new ArrayList<>();
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    for (ASN1Element e; (e = ASN1Element.readFrom(in)) != null; ) {
      messages.add(LDAPMessage.decode(e));
    }
    return messages;
  }

  private static void assertNotice(List<LDAPMessage> messages) {
    assertThat(messages).as("what the client read").hasSize(1);
    InvalidMessageIdDisconnectsIT.assertNoticeOfDisconnection(messages);
  }
}
