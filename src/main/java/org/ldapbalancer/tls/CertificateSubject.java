package org.ldapbalancer.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate's subject as an LDAP DN (RFC 4514), in the form OpenLDAP gives it for SASL
 * EXTERNAL: attribute types by their LDAP names in lower case ({@code cn=alice,ou=people,...}),
 * {@code emailAddress} and {@code uid} by name rather than by OID, values as in the certificate.
 * Types without an LDAP name stay dotted OIDs with a {@code #}-hex value (RFC 4514 §2.4).
 *
 * <p>Thread-safe: no state.
 */
public final class CertificateSubject {
  /** Attribute types the JDK writes as OIDs but OpenLDAP names (its X.509 DN mapping). */
  private static final Map<String, String> NAMED_OIDS =
      Map.of(
          "1.2.840.113549.1.9.1", "emailAddress",
          "0.9.2342.19200300.100.1.1", "uid",
          "2.5.4.5", "serialNumber",
          "2.5.4.12", "title",
          "2.5.4.42", "givenName",
          "2.5.4.4", "sn",
          "2.5.4.43", "initials",
          "2.5.4.44", "generationQualifier",
          "2.5.4.46", "dnQualifier",
          "2.5.4.65", "pseudonym");

  /** The RFC 4514 §3 names the JDK writes in upper case; OpenLDAP writes them in lower case. */
  private static final Set<String> UPPER_CASE_NAMES =
      Set.of("CN", "C", "L", "ST", "O", "OU", "STREET", "DC", "UID");

  private CertificateSubject() {}

  /**
   * The subject as an LDAP DN, e.g. {@code cn=alice,ou=people,dc=example,dc=com}.
   *
   * @throws IllegalArgumentException if the JDK's own RFC 2253 form cannot be read back (not
   *     expected for a certificate the TLS stack accepted)
   */
  public static String ldapDn(X500Principal subject) {
    String rfc2253 = subject.getName(X500Principal.RFC2253, NAMED_OIDS);
    LdapName name;
    try {
      name = new LdapName(rfc2253);
    } catch (InvalidNameException e) {
      throw new IllegalArgumentException("unreadable certificate subject " + rfc2253, e);
    }
    List<Rdn> rdns = name.getRdns(); // rightmost first
    List<String> parts = new ArrayList<>(rdns.size());
    for (int i = rdns.size() - 1; i >= 0; i--) {
      parts.add(rdn(rdns.get(i)));
    }
    return String.join(",", parts);
  }

  private static String rdn(Rdn rdn) {
    if (rdn.size() == 1) {
      return type(rdn.getType()) + "=" + Rdn.escapeValue(rdn.getValue());
    }
    List<String> values = new ArrayList<>();
    try {
      NamingEnumeration<? extends Attribute> attributes = rdn.toAttributes().getAll();
      while (attributes.hasMore()) {
        Attribute a = attributes.next();
        for (int i = 0; i < a.size(); i++) {
          values.add(type(a.getID()) + "=" + Rdn.escapeValue(a.get(i)));
        }
      }
    } catch (NamingException e) {
      throw new IllegalArgumentException("unreadable RDN " + rdn, e);
    }
    values.sort(null); // a multi-valued RDN has no order (RFC 4514 §2.2); keep one
    return String.join("+", values);
  }

  private static String type(String type) {
    return UPPER_CASE_NAMES.contains(type) ? type.toLowerCase(Locale.ROOT) : type;
  }
}
