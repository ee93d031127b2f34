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
  void typesOfTheCoreSchemaAreNamedWithTheirValuesAsText() {
    // description, postalCode and businessCategory as a certificate carries them (UTF8String,
    // PrintableString); slapd refuses the #-hex form the JDK writes for them in an authzId.
    assertThat(ldapDn("2.5.4.13=#0c0179,2.5.4.15=#0c0342697a,CN=x"))
        .isEqualTo("description=y,businessCategory=Biz,cn=x");
    assertThat(ldapDn("2.5.4.17=#13053130313135,CN=x")).isEqualTo("postalCode=10115,cn=x");
  }

  @Test
  void anUnnamedTypeStaysADottedOidWithItsStringValueAsText() {
    // 2.5.4.97 (organizationIdentifier) has no LDAP name in OpenLDAP's core schema; libldap
    // writes the OID and the string's text.
    assertThat(ldapDn("2.5.4.97=#0c03414243,CN=alice")).isEqualTo("2.5.4.97=ABC,cn=alice");
    assertThat(ldapDn("2.5.4.97=#1e0400410042,CN=alice")).as("BMPString")
        .isEqualTo("2.5.4.97=AB,cn=alice");
    assertThat(ldapDn("2.5.4.97=#0c022c2b,CN=alice")).as("escaped as text")
        .isEqualTo("2.5.4.97=\\,\\+,cn=alice");
  }

  @Test
  void aValueThatIsNoStringStaysHex() {
    assertThat(ldapDn("2.5.4.97=#020101,CN=alice")).isEqualTo("2.5.4.97=#020101,cn=alice");
  }

  private static String ldapDn(String subject) {
    return CertificateSubject.ldapDn(new X500Principal(subject));
  }
}
