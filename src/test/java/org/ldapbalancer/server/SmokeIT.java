package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RunningBalancer;

class SmokeIT {
  @Test
  void searchAndBindThroughTheBalancer() throws Exception {
    InMemoryDirectoryServer a = SampleDirectory.start("a", 10, 0);
    InMemoryDirectoryServer b = SampleDirectory.start("b", 10, 0);
    String ua = "ldap://127.0.0.1:" + a.getListenPort();
    String ub = "ldap://127.0.0.1:" + b.getListenPort();
    try (RunningBalancer lb = RunningBalancer.builder().server(ua, 2, 1).server(ub, 2, 1).start()) {
      lb.awaitReady(ua, ub);
      try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
        SearchResult r = c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.3)");
        assertThat(r.getEntryCount()).isEqualTo(1);
        c.bind(SampleDirectory.userDn(3), "password");
        assertThat(c.compare(SampleDirectory.userDn(3), "cn", "User 3").compareMatched()).isTrue();
      }
    } finally {
      a.shutDown(true);
      b.shutDown(true);
    }
  }
}
