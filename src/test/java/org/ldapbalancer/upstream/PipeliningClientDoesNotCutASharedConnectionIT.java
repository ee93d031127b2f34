package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LoopbackConnections;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * slapd runs at most half its threads' worth of one connection's requests at once, defers the
 * rest, and closes the connection once more than {@code conn_max_pending_auth} (1000) are
 * deferred. One client pipelining more than that must not have the shared upstream connection
 * closed under everyone's operations: with {@code conn-max-pending} at its default the excess is
 * answered busy, and the connection stays.
 */
@Timeout(120)
class PipeliningClientDoesNotCutASharedConnectionIT {
  private static final int FLOOD = 1500;

  @Test
  void aFloodOfPipelinedSearchesGetsAnswersOrBusyAndTheConnectionStays() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, 20);
        RunningBalancer balancer =
            RunningBalancer.builder()
                .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
                .ioThreads(1)
                .server(slapds.server(0).url(), 1, 1, 0, BackendServer.DEFAULT_CONN_MAX_PENDING)
                .start()
                .awaitReady(slapds.urls())) {
      int slapdPort = slapds.server(0).port();
      Set<Integer> upstreams = LoopbackConnections.clientPortsTowards(slapdPort);
      assertThat(upstreams).hasSize(2); // one regular connection, one bind connection

      LDAPMessage[] flood = IntStream.rangeClosed(1, FLOOD)
          .mapToObj(id -> MessageClient.search(id, "(uid=user." + (id % 20) + ")"))
          .toArray(LDAPMessage[]::new);
      Map<Integer, LDAPMessage> finals;
      try (MessageClient client = MessageClient.connect(balancer.port())) {
        client.send(flood);
        finals = client.readFinals(IntStream.rangeClosed(1, FLOOD).toArray());
      }
      long ok = finals.values().stream()
          .filter(m -> m.getSearchResultDoneProtocolOp().getResultCode() == 0).count();
      assertThat(finals.values())
          .as("every search answered, or refused busy; none failed by a lost connection")
          .allSatisfy(m -> assertThat(m.getSearchResultDoneProtocolOp().getResultCode())
              .isIn(ResultCode.SUCCESS_INT_VALUE, ResultCode.BUSY_INT_VALUE));
      assertThat(ok).isGreaterThanOrEqualTo(BackendServer.DEFAULT_CONN_MAX_PENDING);

      // slapd closed no connection, and another client is served on it.
      assertThat(LoopbackConnections.clientPortsTowards(slapdPort)).isEqualTo(upstreams);
      try (LDAPConnection other = new LDAPConnection("127.0.0.1", balancer.port())) {
        assertThat(other.search(DirectoryData.PEOPLE_DN, SearchScope.ONE, "(uid=user.3)")
            .getEntryCount()).isEqualTo(1);
      }
    }
  }
}
