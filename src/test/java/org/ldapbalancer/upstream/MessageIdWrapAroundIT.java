package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * Upstream message IDs run up to 2³¹−1 and start again from 1 (RFC 4511 §4.1.1); operations
 * across the wrap are answered like any other.
 */
@Timeout(180)
class MessageIdWrapAroundIT {
  private static final String PROPERTY = "ldapbalancer.upstream.firstMessageId";

  @Test
  void operationsAcrossTheWrapSucceed() throws Exception {
    String before = System.getProperty(PROPERTY);
    RunningBalancer started = null;
    try (RecordingDirectory a = RecordingDirectory.start("a", 10);
        RecordingDirectory b = RecordingDirectory.start("b", 10)) {
      System.setProperty(PROPERTY, Integer.toString(Integer.MAX_VALUE - 100));
      try {
        started = RunningBalancer.builder().ioThreads(1).server(a.url(), 1, 1)
            .server(b.url(), 1, 1).start();
      } finally {
        if (before == null) {
          System.clearProperty(PROPERTY);
        } else {
          System.setProperty(PROPERTY, before);
        }
      }
      try (RunningBalancer lb = started.awaitReady(a.url(), b.url());
          LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
        for (int i = 0; i < 400; i++) {
          int user = i % 10;
          if (i % 2 == 0) {
            SearchResult r = c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE,
                "(uid=user." + user + ")");
            assertThat(r.getResultCode()).isEqualTo(ResultCode.SUCCESS);
            assertThat(r.getSearchEntries()).singleElement()
                .satisfies(e -> assertThat(e.getDN()).isEqualTo(SampleDirectory.userDn(user)));
          } else {
            assertThat(c.compare(SampleDirectory.userDn(user), "cn", "User " + user)
                .compareMatched()).as("compare %d", i).isTrue();
          }
          if (i % 50 == 0) { // binds use their own connections' message IDs
            c.bind(SampleDirectory.userDn(user), SampleDirectory.USER_PASSWORD);
          }
        }
      }
      List<Integer> ids = Stream.concat(a.requests().stream(), b.requests().stream())
          .map(RecordingDirectory.Request::messageId).toList();
      assertThat(ids).anyMatch(id -> id > Integer.MAX_VALUE - 10);
      assertThat(ids).anyMatch(id -> id > 0 && id < 100);
      assertThat(ids).allMatch(id -> id > 0);
    }
  }
}
