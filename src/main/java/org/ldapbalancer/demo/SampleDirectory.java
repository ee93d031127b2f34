package org.ldapbalancer.demo;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory directory with sample data, for the demo and for tests: {@code dc=example,dc=com}
 * with {@code users} entries {@code uid=user.N,ou=people,dc=example,dc=com} (password {@code
 * password}) and the balancer's own account {@code cn=balancer,dc=example,dc=com} (password
 * {@link #BALANCER_PASSWORD}).
 */
public final class SampleDirectory {
  public static final String BASE_DN = "dc=example,dc=com";
  public static final String PEOPLE_DN = "ou=people," + BASE_DN;
  public static final String BALANCER_DN = "cn=balancer," + BASE_DN;
  public static final String BALANCER_PASSWORD = "balancer-secret";
  public static final String USER_PASSWORD = "password";

  private SampleDirectory() {}

  public static String userDn(int i) {
    return "uid=user." + i + "," + PEOPLE_DN;
  }

  /** Starts a directory on {@code 127.0.0.1}, on {@code port} (0 for any free port). */
  public static InMemoryDirectoryServer start(String name, int users, int port)
      throws LDAPException {
    InMemoryDirectoryServer server = new InMemoryDirectoryServer(config(name, port));
    server.addEntries(entries(name, users));
    server.startListening();
    return server;
  }

  /**
   * The configuration {@link #start} uses: the base DN, no schema checking, one plain LDAP
   * listener on {@code 127.0.0.1:port}. Callers may add to it (interceptors, handlers) before
   * starting a server with it.
   */
  public static InMemoryDirectoryServerConfig config(String name, int port) throws LDAPException {
    InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE_DN);
    config.setListenerConfigs(
        InMemoryListenerConfig.createLDAPConfig(name, loopback(), port, null));
    config.setSchema(null); // sample data only; no schema checking needed
    config.getExtendedOperationHandlers().removeIf(
        h -> h.getSupportedExtendedRequestOIDs().contains(WhoAmIExtendedRequest.WHO_AM_I_REQUEST_OID));
    config.addExtendedOperationHandler(new ProxiedWhoAmIHandler());
    return config;
  }

  public static InetAddress loopback() {
    try {
      return InetAddress.getByName("127.0.0.1");
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The sample entries: base, people, the balancer's account and {@code users} users. */
  public static List<Entry> entries(String name, int users) {
    List<Entry> entries = new ArrayList<>(users + 3);
    entries.add(new Entry(BASE_DN, attrs("objectClass", "top", "objectClass", "domain",
        "dc", "example", "description", "served by " + name)));
    entries.add(new Entry(PEOPLE_DN, attrs("objectClass", "top", "objectClass",
        "organizationalUnit", "ou", "people")));
    entries.add(new Entry(BALANCER_DN, attrs("objectClass", "top", "objectClass", "person",
        "cn", "balancer", "sn", "balancer", "userPassword", BALANCER_PASSWORD)));
    for (int i = 0; i < users; i++) {
      entries.add(new Entry(userDn(i), attrs(
          "objectClass", "top", "objectClass", "person", "objectClass", "organizationalPerson",
          "objectClass", "inetOrgPerson", "uid", "user." + i, "cn", "User " + i, "sn", "" + i,
          "mail", "user." + i + "@example.com", "userPassword", USER_PASSWORD,
          "description", "served by " + name)));
    }
    return entries;
  }

  private static List<com.unboundid.ldap.sdk.Attribute> attrs(String... pairs) {
    List<com.unboundid.ldap.sdk.Attribute> list = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      list.add(new com.unboundid.ldap.sdk.Attribute(pairs[i], pairs[i + 1]));
    }
    return list;
  }
}
