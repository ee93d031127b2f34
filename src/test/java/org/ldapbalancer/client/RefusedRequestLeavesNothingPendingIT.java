package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.controls.ProxiedAuthorizationV2RequestControl;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * A request the balancer refuses itself (here: one carrying its own Proxied Authorization
 * control, which the balancer's would duplicate) is answered and forgotten: it neither counts
 * towards {@code client_max_pending} nor keeps its message ID in use.
 */
@Timeout(60)
class RefusedRequestLeavesNothingPendingIT {

  @Test
  void aRefusedRequestNeitherFillsThePendingLimitNorKeepsItsMessageId() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb =
            RunningBalancer.builder().clientMaxPending(1).server(dir.url(), 1, 1).start()
                .awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      LDAPMessage plain = MessageClient.search(7, "(uid=user.1)");
      LDAPMessage ownProxy =
          new LDAPMessage(7, plain.getSearchRequestProtocolOp(),
              List.<Control>of(new ProxiedAuthorizationV2RequestControl("dn:uid=user.2,ou=people,dc=example,dc=com")));
      raw.send(ownProxy);
      LDAPMessage refused = raw.readThrough(7).get(0);
      assertThat(refused.getSearchResultDoneProtocolOp().getResultCode())
          .isEqualTo(ResultCode.UNWILLING_TO_PERFORM_INT_VALUE);

      // Same message ID again, and with a limit of one pending operation: served, not busy,
      // and not a "message ID already in use" disconnection.
      raw.send(plain);
      List<LDAPMessage> answer = raw.readThrough(7);
      LDAPMessage done = answer.get(answer.size() - 1);
      assertThat(done.getSearchResultDoneProtocolOp().getResultCode())
          .isEqualTo(ResultCode.SUCCESS_INT_VALUE);
      assertThat(answer).hasSizeGreaterThan(1); // the entry came too
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).hasSize(1);
    }
  }
}
