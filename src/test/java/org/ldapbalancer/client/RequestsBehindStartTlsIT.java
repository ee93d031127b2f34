package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.ExtendedRequest;
import com.unboundid.ldap.sdk.ResultCode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/**
 * A request written in clear text right behind a StartTLS, before its response (RFC 4511
 * §4.14.1 forbids it), must never run as if it came inside the TLS session that follows — the
 * STARTTLS command injection of CVE-2011-0411 — nor leave the connection hanging. The balancer
 * ends the connection with a Notice of Disconnection and forwards nothing, on every transport:
 * on epoll and NIO the StartTLS response's write completes while the framer still holds the
 * request from the same read; on io_uring the request reaches the client handler first.
 */
@Timeout(120)
class RequestsBehindStartTlsIT {
  private static final TestCertificates certs = TestCertificates.get();

  @ParameterizedTest(name = "transport {0}")
  @ValueSource(strings = {"auto", "epoll", "nio"})
  void aBindOrSearchSentWithTheStartTlsEndsTheConnectionAndIsNotForwarded(String transport)
      throws Exception {
    String previous = System.setProperty("ldapbalancer.transport", transport);
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1)
            .listenerTls(TlsSettingsForTests.listener(certs.serverCert(), certs.serverKey(),
                certs.caCert(), CertificateCheck.NEVER))
            .start()
            .awaitReady(dir.url())) {
      for (LDAPMessage smuggled : List.of(
          new LDAPMessage(2, new BindRequestProtocolOp(
              "uid=user.1,ou=people,dc=example,dc=com", "password")),
          MessageClient.search(2, "(uid=smuggled)"))) {
        try (MessageClient raw = MessageClient.connect(lb.port())) {
          raw.send(new LDAPMessage(1, new ExtendedRequestProtocolOp(
              new ExtendedRequest(Oids.START_TLS))), smuggled);
          List<LDAPMessage> answers = raw.readUntilClosed();

          assertThat(answers).as("what the client read").isNotEmpty().allSatisfy(m -> assertThat(
              m.getProtocolOpType()).isEqualTo(LDAPMessage.PROTOCOL_OP_TYPE_EXTENDED_RESPONSE));
          LDAPMessage last = answers.get(answers.size() - 1);
          assertThat(last.getMessageID()).as("a Notice of Disconnection").isZero();
          assertThat(last.getExtendedResponseProtocolOp().getResultCode())
              .isEqualTo(ResultCode.PROTOCOL_ERROR_INT_VALUE);
          assertThat(last.getExtendedResponseProtocolOp().getDiagnosticMessage())
              .isEqualTo("request sent before the StartTLS response");
        }
      }
      assertThat(dir.requests(r -> r.filter().contains("smuggled"))).isEmpty();
      assertThat(dir.requests(r -> r.op() instanceof BindRequestProtocolOp b
          && b.getBindDN().startsWith("uid=user.1"))).isEmpty();
    } finally {
      if (previous == null) {
        System.clearProperty("ldapbalancer.transport");
      } else {
        System.setProperty("ldapbalancer.transport", previous);
      }
    }
  }
}
