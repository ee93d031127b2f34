package org.ldapbalancer.testing;

/**
 * The entries every {@link SlapdServer} starts with, as LDIF for {@code slapadd}.
 *
 * <p>The names and passwords are constants so that tests refer to them by name rather than by
 * repeating string literals that could drift from what was loaded.
 */
public final class DirectoryData {

  public static final String SUFFIX = "dc=example,dc=com";
  public static final String PEOPLE_DN = "ou=people," + SUFFIX;

  /** The rootdn: not subject to ACLs, so it can read and change everything. */
  public static final String ADMIN_DN = "cn=admin," + SUFFIX;

  public static final String ADMIN_PASSWORD = "secret";

  /**
   * The balancer's own identity ({@code bindconf}); its {@code authzTo} lets it act for any user
   * through the Proxied Authorization control (RFC 4370).
   */
  public static final String BALANCER_DN = "cn=balancer," + SUFFIX;

  public static final String BALANCER_PASSWORD = "balancer-secret";

  /** Every generated user has this password. */
  public static final String USER_PASSWORD = "password";

  private DirectoryData() {}

  /** The DN of generated user {@code i}; users are numbered from 0 to count - 1. */
  public static String userDn(int i) {
    return "uid=" + userId(i) + "," + PEOPLE_DN;
  }

  public static String userId(int i) {
    return "user." + i;
  }

  /** The telephoneNumber of user {@code i}, which only that user and the admin may read. */
  public static String telephoneNumber(int i) {
    return String.format("+1 555 %07d", i);
  }

  public static String mail(int i) {
    return userId(i) + "@example.com";
  }

  /**
   * LDIF for the base entry, {@code ou=people}, {@code users} users and, if {@code
   * balancerAccount}, the balancer account.
   */
  static String ldif(int users, boolean balancerAccount, String extraLdif) {
    StringBuilder ldif = new StringBuilder(256 * (users + 4));
    ldif.append("dn: ").append(SUFFIX).append('\n')
        .append("objectClass: dcObject\n")
        .append("objectClass: organization\n")
        .append("dc: example\n")
        .append("o: Example\n\n");
    ldif.append("dn: ").append(PEOPLE_DN).append('\n')
        .append("objectClass: organizationalUnit\n")
        .append("ou: people\n\n");
    for (int i = 0; i < users; i++) {
      ldif.append("dn: ").append(userDn(i)).append('\n')
          .append("objectClass: inetOrgPerson\n")
          .append("uid: ").append(userId(i)).append('\n')
          .append("cn: User ").append(i).append('\n')
          .append("sn: ").append(i).append('\n')
          .append("mail: ").append(mail(i)).append('\n')
          .append("telephoneNumber: ").append(telephoneNumber(i)).append('\n')
          // Plain text on purpose: slapd still compares it on Bind, and tests can read it back.
          .append("userPassword: ").append(USER_PASSWORD).append("\n\n");
    }
    if (balancerAccount) {
      appendBalancerAccount(ldif);
    }
    if (!extraLdif.isEmpty()) {
      ldif.append(extraLdif);
      if (!extraLdif.endsWith("\n")) {
        ldif.append('\n');
      }
    }
    return ldif.toString();
  }

  private static void appendBalancerAccount(StringBuilder ldif) {
    ldif.append("dn: ").append(BALANCER_DN).append('\n')
        .append("objectClass: organizationalRole\n")
        .append("objectClass: simpleSecurityObject\n")
        .append("cn: balancer\n")
        .append("userPassword: ").append(BALANCER_PASSWORD).append('\n')
        // With "authz-policy to" this is what allows proxied authorization. slapd tries the
        // values in order: the subtree rule (a suffix comparison) answers for every user; the
        // regular expression, which slapd compiles on every check, is reached only for identities
        // outside it (BENCHMARKS.md, fourth round).
        .append("authzTo: {0}dn.subtree:").append(SUFFIX).append('\n')
        .append("authzTo: {1}dn.regex:.*\n\n");
  }
}
