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
 * Types without an LDAP name stay dotted OIDs; their string values (UTF8String, PrintableString,
 * IA5String, TeletexString, BMPString, UniversalString) are written as text, as libldap writes
 * them, so that the server can read the DN back (slapd refuses a {@code #}-hex value in an
 * authorization identity); other values stay {@code #}-hex (RFC 4514 §2.4).
 *
 * <p>Thread-safe: no state.
 */
public final class CertificateSubject {
  /**
   * Attribute types the JDK writes as OIDs but OpenLDAP names: those of its X.509 DN mapping,
   * and the other types of its core schema that certificate subjects carry.
   */
  private static final Map<String, String> NAMED_OIDS =
      Map.ofEntries(
          Map.entry("1.2.840.113549.1.9.1", "emailAddress"),
          Map.entry("0.9.2342.19200300.100.1.1", "uid"),
          Map.entry("2.5.4.5", "serialNumber"),
          Map.entry("2.5.4.12", "title"),
          Map.entry("2.5.4.13", "description"),
          Map.entry("2.5.4.15", "businessCategory"),
          Map.entry("2.5.4.17", "postalCode"),
          Map.entry("2.5.4.18", "postOfficeBox"),
          Map.entry("2.5.4.20", "telephoneNumber"),
          Map.entry("2.5.4.41", "name"),
          Map.entry("2.5.4.42", "givenName"),
          Map.entry("2.5.4.4", "sn"),
          Map.entry("2.5.4.43", "initials"),
          Map.entry("2.5.4.44", "generationQualifier"),
          Map.entry("2.5.4.46", "dnQualifier"),
          Map.entry("2.5.4.65", "pseudonym"));

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
      return type(rdn.getType()) + "=" + value(rdn.getValue());
    }
    List<String> values = new ArrayList<>();
    try {
      NamingEnumeration<? extends Attribute> attributes = rdn.toAttributes().getAll();
      while (attributes.hasMore()) {
        Attribute a = attributes.next();
        for (int i = 0; i < a.size(); i++) {
          values.add(type(a.getID()) + "=" + value(a.get(i)));
        }
      }
    } catch (NamingException e) {
      throw new IllegalArgumentException("unreadable RDN " + rdn, e);
    }
    values.sort(null); // a multi-valued RDN has no order (RFC 4514 §2.2); keep one
    return String.join("+", values);
  }

  /**
   * An attribute value, escaped: the JDK gives a value of a type it cannot name as its BER
   * encoding (a {@code byte[]}), which is written as text when it is one of X.520's string types.
   */
  private static String value(Object value) {
    if (value instanceof byte[] ber) {
      String text = decodeString(ber);
      return text != null ? Rdn.escapeValue(text) : Rdn.escapeValue(ber);
    }
    return Rdn.escapeValue(value);
  }

  /** The text of a DER string value, or null when it is not one of the string types. */
  static String decodeString(byte[] ber) {
    if (ber.length < 2) {
      return null;
    }
    int length = ber[1] & 0xff;
    int start = 2;
    if (length > 0x7f) {
      int octets = length & 0x7f;
      if (octets == 0 || octets > 3 || ber.length < 2 + octets) {
        return null;
      }
      length = 0;
      for (int i = 0; i < octets; i++) {
        length = (length << 8) | (ber[2 + i] & 0xff);
      }
      start = 2 + octets;
    }
    if (start + length != ber.length) {
      return null;
    }
    java.nio.charset.Charset charset =
        switch (ber[0]) {
          case 0x0c -> java.nio.charset.StandardCharsets.UTF_8; // UTF8String
          case 0x13, 0x16 -> java.nio.charset.StandardCharsets.US_ASCII; // Printable, IA5
          case 0x14 -> java.nio.charset.StandardCharsets.ISO_8859_1; // Teletex, as libldap reads it
          case 0x1e -> java.nio.charset.StandardCharsets.UTF_16BE; // BMPString
          case 0x1c -> java.nio.charset.Charset.forName("UTF-32BE"); // UniversalString
          default -> null;
        };
    return charset == null ? null : new String(ber, start, length, charset);
  }

  private static String type(String type) {
    return UPPER_CASE_NAMES.contains(type) ? type.toLowerCase(Locale.ROOT) : type;
  }
}
