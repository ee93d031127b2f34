package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * A response larger than {@code sockbuf_max_incoming_upstream} (an entry someone made large) fails
 * the one operation it answers, with {@code adminLimitExceeded}; the shared upstream connection
 * and everyone else's operations on it go on. (lloadd closes the connection, failing them all.)
 */
@Timeout(60)
class OversizedResponseFailsOneOperationIT {
  private static final int LIMIT = 16 * 1024;

  @Test
  void anEntryLargerThanTheLimitFailsItsSearchAloneAndTheConnectionStays() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .maxIncomingUpstream(LIMIT).start().awaitReady(dir.url());
        LDAPConnection writer = new LDAPConnection("127.0.0.1", lb.port(),
            SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD);
        LDAPConnection reader = new LDAPConnection("127.0.0.1", lb.port())) {
      // user.1 grows past the limit: the Modify's request is small enough for the client limit.
      writer.modify(SampleDirectory.userDn(1), new Modification(ModificationType.REPLACE,
          "description", "x".repeat(2 * LIMIT)));
      assertThat(search(reader, 2).getEntryCount()).isEqualTo(1);
      long connection = lastSearchConnection(dir);

      LDAPSearchException tooLarge =
          catchThrowableOfType(LDAPSearchException.class, () -> search(reader, 1));
      assertThat(tooLarge.getResultCode()).isEqualTo(ResultCode.ADMIN_LIMIT_EXCEEDED);
      assertThat(tooLarge.getDiagnosticMessage()).contains("sockbuf_max_incoming_upstream");

      // The same connection, the same client: served as before.
      assertThat(search(reader, 3).getEntryCount()).isEqualTo(1);
      assertThat(search(writer, 4).getEntryCount()).isEqualTo(1);
      assertThat(lastSearchConnection(dir)).as("the upstream connection stayed")
          .isEqualTo(connection);
    }
  }

  private static SearchResult search(LDAPConnection c, int user) throws Exception {
    return c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user." + user + ")",
        "description");
  }

  private static long lastSearchConnection(RecordingDirectory dir) {
    List<RecordingDirectory.Request> searches = dir.requests(RecordingDirectory.Request::isSearch);
    return searches.get(searches.size() - 1).connection();
  }
}
