package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class LdapUrlTest {

  @Test
  void hostAndPort() {
    assertThat(LdapUrl.parse("ldap://ldap.example.com:1389"))
        .isEqualTo(new LdapUrl("ldap", "ldap.example.com", 1389));
    assertThat(LdapUrl.parse("LDAP://ldap.example.com/"))
        .isEqualTo(new LdapUrl("ldap", "ldap.example.com", 389));
    assertThat(LdapUrl.parse("ldap://[::1]:1389")).hasToString("ldap://[::1]:1389");
  }

  @Test
  void hostNamesWithAnUnderscoreAreAccepted() {
    // java.net.URI finds no host in these; libldap (and so lloadd) takes them.
    assertThat(LdapUrl.parse("ldap://openldap_1")).isEqualTo(new LdapUrl("ldap", "openldap_1", 389));
    assertThat(LdapUrl.parse("ldaps://ldap_a.example.com:1636/"))
        .isEqualTo(new LdapUrl("ldaps", "ldap_a.example.com", 1636));
    assertThat(LdapUrl.parse("ldap://openldap_1:")).isEqualTo(new LdapUrl("ldap", "openldap_1", 389));
    assertThat(LdapUrl.parseListener("ldap://balancer_1:1389"))
        .isEqualTo(new LdapUrl("ldap", "balancer_1", 1389));
    assertThat(LdapUrl.parseListener("pldap://balancer_1:1389"))
        .isEqualTo(new LdapUrl("pldap", "balancer_1", 1389));
  }

  @Test
  void aHostJavaDoesNotParseIsStillCheckedForPortAndDn() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LdapUrl.parse("ldap://openldap_1:99999"))
        .withMessageContaining("bad port");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LdapUrl.parse("ldap://openldap_1/dc=example"))
        .withMessageContaining("must not name a DN");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LdapUrl.parse("ldap://user_1@openldap_1"))
        .withMessage("bad host in URL ldap://user_1@openldap_1");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LdapUrl.parse("ldap://openldap_1:x"))
        .withMessageContaining("bad host");
  }

  @Test
  void anEmptyHostMeansEveryAddressWithOrWithoutAPort() {
    assertThat(LdapUrl.parse("ldap://")).isEqualTo(new LdapUrl("ldap", "", 389));
    assertThat(LdapUrl.parse("ldap:///")).isEqualTo(new LdapUrl("ldap", "", 389));
    assertThat(LdapUrl.parse("ldap://:1389")).isEqualTo(new LdapUrl("ldap", "", 1389));
    assertThat(LdapUrl.parse("ldap://:1389/")).isEqualTo(new LdapUrl("ldap", "", 1389));
  }

  @Test
  void otherSchemesBadPortsAndDnsAreRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> LdapUrl.parse("http://a"));
    assertThat(LdapUrl.parse("ldaps://a")).isEqualTo(new LdapUrl("ldaps", "a", 636));
    assertThatIllegalArgumentException().isThrownBy(() -> LdapUrl.parse("ldap://:99999"));
    assertThatIllegalArgumentException().isThrownBy(() -> LdapUrl.parse("ldap://a:99999"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LdapUrl.parse("ldap://a/dc=example"))
        .withMessageContaining("must not name a DN");
  }

  @Test
  void listenersMayBeHttpForMonitoringButServersMayNot() {
    assertThat(LdapUrl.parseListener("http://127.0.0.1:9180/"))
        .isEqualTo(new LdapUrl("http", "127.0.0.1", 9180));
    assertThat(LdapUrl.parseListener("http://127.0.0.1:9180/").isHttp()).isTrue();
    assertThat(LdapUrl.parseListener("http://localhost")).isEqualTo(new LdapUrl("http", "localhost", 80));
    assertThat(LdapUrl.parseListener("ldap://a").isHttp()).isFalse();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LdapUrl.parseListener("http://127.0.0.1:9180/metrics"))
        .withMessageContaining("must not name a path");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LdapUrl.parseListener("https://127.0.0.1:9443/"))
        .withMessageContaining("https:// is not supported")
        .withMessageContaining("plain http://");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LdapUrl.parse("http://127.0.0.1:9180/"))
        .withMessageContaining("unsupported URL scheme");
  }
}
