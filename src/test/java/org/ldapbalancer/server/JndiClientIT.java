package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/** The JDK's own LDAP client (JNDI) binds and searches through the balancer. */
@Timeout(120)
class JndiClientIT {
  @Test
  void jndiBindsAndSearches() throws Exception {
    try (RecordingDirectory a = RecordingDirectory.start("a", 10);
        RecordingDirectory b = RecordingDirectory.start("b", 10);
        RunningBalancer lb = RunningBalancer.builder().server(a.url(), 1, 1)
            .server(b.url(), 1, 1).start().awaitReady(a.url(), b.url())) {
      Hashtable<String, Object> env = new Hashtable<>();
      env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
      env.put(Context.PROVIDER_URL, lb.url() + "/" + SampleDirectory.BASE_DN);
      env.put(Context.SECURITY_AUTHENTICATION, "simple");
      env.put(Context.SECURITY_PRINCIPAL, SampleDirectory.userDn(6));
      env.put(Context.SECURITY_CREDENTIALS, SampleDirectory.USER_PASSWORD);
      env.put("com.sun.jndi.ldap.connect.timeout", "10000");
      env.put("com.sun.jndi.ldap.read.timeout", "30000");
      InitialDirContext ctx = new InitialDirContext(env);
      try {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningAttributes(new String[] {"cn", "mail"});
        List<String> names = new ArrayList<>();
        NamingEnumeration<SearchResult> results =
            ctx.search("ou=people", "(|(uid=user.6)(uid=user.7))", controls);
        while (results.hasMore()) {
          SearchResult r = results.next();
          names.add(r.getNameInNamespace());
          assertThat(r.getAttributes().get("mail").get().toString()).endsWith("@example.com");
        }
        assertThat(names).containsExactlyInAnyOrder(
            SampleDirectory.userDn(6), SampleDirectory.userDn(7));

        Attributes attrs = ctx.getAttributes("uid=user.3,ou=people", new String[] {"cn"});
        assertThat(attrs.get("cn").get()).isEqualTo("User 3");
      } finally {
        ctx.close();
      }
      // Both searches ran as the JNDI client's bind identity.
      List<RecordingDirectory.Request> searches = new ArrayList<>(a.requests(RecordingDirectory.Request::isSearch));
      searches.addAll(b.requests(RecordingDirectory.Request::isSearch));
      assertThat(searches).hasSize(2).allSatisfy(r ->
          assertThat(r.proxiedAuthz()).isEqualTo("dn:" + SampleDirectory.userDn(6)));
    }
  }
}
