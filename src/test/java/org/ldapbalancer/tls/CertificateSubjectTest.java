package org.ldapbalancer.tls;

import static org.assertj.core.api.Assertions.assertThat;

import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/** Certificate subjects as the LDAP DNs SASL EXTERNAL gives (OpenLDAP's form, RFC 4514). */
class CertificateSubjectTest {

  @Test
  void typesAreLowerCaseAndValuesKeepTheirCase() {
    assertThat(ldapDn("CN=Alice,OU=People,DC=example,DC=com"))
        .isEqualTo("cn=Alice,ou=People,dc=example,dc=com");
  }

  @Test
  void emailAddressAndUidAreNamedNotOids() {
    assertThat(ldapDn("EMAILADDRESS=alice@example.com,UID=alice,O=Example,C=DE"))
        .isEqualTo("emailAddress=alice@example.com,uid=alice,o=Example,c=DE");
  }

  @Test
  void specialCharactersStayEscaped() {
    assertThat(ldapDn("CN=Smith\\, John,O=A\\+B \\<x\\>,C=GB"))
        .isEqualTo("cn=Smith\\, John,o=A\\+B \\<x\\>,c=GB");
  }

  @Test
  void aMultiValuedRdnKeepsEveryValue() {
    assertThat(ldapDn("CN=alice+UID=a1,DC=example,DC=com"))
        .isEqualTo("cn=alice+uid=a1,dc=example,dc=com");
  }

  @Test
  void anUnnamedTypeStaysADottedOidWithAHexValue() {
    // 2.5.4.97 (organizationIdentifier) has no LDAP name in OpenLDAP's core schema.
    String dn = ldapDn("2.5.4.97=#0c03414243,CN=alice");
    assertThat(dn).isEqualTo("2.5.4.97=#0c03414243,cn=alice");
  }

  private static String ldapDn(String subject) {
    return CertificateSubject.ldapDn(new X500Principal(subject));
  }
}
