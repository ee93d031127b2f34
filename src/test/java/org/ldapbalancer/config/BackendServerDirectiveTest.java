package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.config.ConfigFixture.errors;
import static org.ldapbalancer.config.ConfigFixture.parse;
import static org.ldapbalancer.config.ConfigFixture.warnings;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackendServerDirectiveTest {

  @Test
  void everyOptionIsRead() throws Exception {
    BackendServer server =
        parse(
                "backend-server uri=ldap://ldap1.example.com:1389 numconns=8 bindconns=4"
                    + " retry=250 max-pending-ops=100 conn-max-pending=10")
            .servers()
            .get(0);

    assertThat(server)
        .isEqualTo(
            new BackendServer(
                new LdapUrl("ldap", "ldap1.example.com", 1389),
                8,
                4,
                Duration.ofMillis(250),
                100,
                10));
  }

  @Test
  void aDockerStyleHostNameWithAnUnderscoreIsAccepted() throws Exception {
    BackendServer server = parse("backend-server uri=ldap://openldap_1:3890").servers().get(0);

    assertThat(server.uri()).isEqualTo(new LdapUrl("ldap", "openldap_1", 3890));
  }

  @Test
  void onlyTheUriIsRequired() throws Exception {
    BackendServer server = parse("backend-server uri=ldap://[2001:db8::1]").servers().get(0);

    assertThat(server.uri()).isEqualTo(new LdapUrl("ldap", "2001:db8::1", 389));
    assertThat(server.numconns()).isEqualTo(BackendServer.DEFAULT_NUMCONNS);
    assertThat(server.bindconns()).isEqualTo(BackendServer.DEFAULT_BINDCONNS);
    assertThat(server.retry()).isEqualTo(Duration.ofSeconds(5));
    assertThat(server.maxPendingOps()).isZero();
    // slapd closes a connection with more than 100 deferred requests of an anonymous session.
    assertThat(server.connMaxPending()).isEqualTo(100);
  }

  @Test
  void connMaxPendingZeroStillMeansNoLimitAsInLloadd() throws Exception {
    BackendServer server =
        parse("backend-server uri=ldap://127.0.0.1 conn-max-pending=0").servers().get(0);
    assertThat(server.connMaxPending()).isZero();
  }

  @Test
  void aMissingUriIsAnError() {
    assertThat(errors("backend-server numconns=2"))
        .containsExactly("lloadd.conf:1: backend-server: uri= is required");
    assertThat(errors("backend-server"))
        .containsExactly("lloadd.conf:1: backend-server: uri= is required");
  }

  @Test
  void ldapiNamesASocketPath() throws Exception {
    assertThat(errors("backend-server uri=LDAPI:///"))
        .containsExactly(
            "lloadd.conf:1: backend-server: bad value uri=LDAPI:///: LDAPI:///: ldapi:// needs"
                + " the socket's path, e.g. ldapi://%2Frun%2Fldap-balancer%2Fldapi");
    LdapUrl url =
        ConfigFixture.parse("backend-server uri=ldapi://%2Frun%2Fslapd%2Fldapi")
            .servers()
            .get(0)
            .uri();
    assertThat(url.isDomainSocket()).isTrue();
    assertThat(url.host()).isEqualTo("/run/slapd/ldapi");
  }

  @Test
  void ldapsDefaultsToPort636AndStartTlsIsRead() throws Exception {
    BackendServer ldaps = server("backend-server uri=ldaps://a.example");
    assertThat(ldaps.uri()).isEqualTo(new LdapUrl("ldaps", "a.example", 636));
    assertThat(ldaps.usesTls()).isTrue();
    assertThat(server("backend-server uri=ldap://a.example starttls=critical").startTls())
        .isEqualTo(StartTls.CRITICAL);
    assertThat(server("backend-server uri=ldap://a.example starttls=YES").startTls())
        .isEqualTo(StartTls.YES);
    BackendServer clear = server("backend-server uri=ldap://a.example starttls=no");
    assertThat(clear.startTls()).isEqualTo(StartTls.NO);
    assertThat(clear.usesTls()).isFalse();
  }

  private static BackendServer server(String line) throws Exception {
    return ConfigFixture.parse(line).servers().get(0);
  }

  @Test
  void aUriWithoutAHostOrWithADnIsAnError() {
    assertThat(errors("backend-server uri=ldap://:1389", "backend-server uri=ldap://a/dc=example"))
        .containsExactly(
            "lloadd.conf:1: backend-server: bad value uri=ldap://:1389: a host name is required",
            "lloadd.conf:2: backend-server: bad value uri=ldap://a/dc=example: URL"
                + " ldap://a/dc=example must not name a DN");
  }

  @Test
  void badNumbersAreErrorsOnTheLineThatHoldsThem() {
    assertThat(
            errors(
                "backend-server uri=ldap://a.example",
                "    numconns=0",
                "    bindconns=many",
                "    retry=-1",
                "    max-pending-ops=-5 conn-max-pending=1.5"))
        .containsExactly(
            "lloadd.conf:2: backend-server: bad value numconns=0: must be at least 1",
            "lloadd.conf:3: backend-server: bad value bindconns=many: not a whole number",
            "lloadd.conf:4: backend-server: bad value retry=-1: must be at least 0",
            "lloadd.conf:5: backend-server: bad value max-pending-ops=-5: must be at least 0",
            "lloadd.conf:5: backend-server: bad value conn-max-pending=1.5: not a whole number");
  }

  @Test
  void valuesThatStartUpCouldNotUseAreErrors() {
    assertThat(
            errors(
                "backend-server uri=ldap://a.example:0",
                "backend-server uri=ldap://b.example numconns=4097 bindconns=5000",
                "backend-server uri=ldap://c.example retry=86400001"))
        .containsExactly(
            "lloadd.conf:1: backend-server: bad value uri=ldap://a.example:0: port 0 cannot be"
                + " connected to",
            "lloadd.conf:2: backend-server: bad value numconns=4097: must be at most 4096",
            "lloadd.conf:2: backend-server: bad value bindconns=5000: must be at most 4096",
            "lloadd.conf:3: backend-server: bad value retry=86400001: must be at most 86400000");
  }

  @Test
  void theLargestValuesAreAccepted() throws Exception {
    BackendServer server =
        parse(
                "backend-server uri=ldap://a.example:65535 numconns=4096 bindconns=4096"
                    + " retry=86400000 max-pending-ops=2147483647 conn-max-pending=2147483647")
            .servers()
            .get(0);

    assertThat(server)
        .isEqualTo(
            new BackendServer(
                new LdapUrl("ldap", "a.example", 65535),
                4096,
                4096,
                Duration.ofDays(1),
                Integer.MAX_VALUE,
                Integer.MAX_VALUE));
  }

  @Test
  void aRetryWithoutPauseIsRaisedToTheFloorWithAWarning() throws Exception {
    BalancerConfig config =
        parse("backend-server uri=ldap://a.example", "  retry=0", "backend-server uri=ldap://b");

    assertThat(config.servers())
        .extracting(BackendServer::retry)
        .containsExactly(BackendServer.MIN_RETRY, BackendServer.DEFAULT_RETRY);
    assertThat(BackendServer.MIN_RETRY).isEqualTo(Duration.ofMillis(100));
    assertThat(config.warnings())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "lloadd.conf:2: backend-server: retry=0 would retry a failed connection without"
                + " pause; waiting 100 ms instead");
    assertThat(parse("backend-server uri=ldap://a.example retry=100").warnings()).isEmpty();
  }

  @Test
  void unknownOptionsAndStrayWordsAreErrors() {
    assertThat(errors("backend-server uri=ldap://a.example colour=blue extra"))
        .containsExactly(
            "lloadd.conf:1: backend-server: unknown option \"colour\"",
            "lloadd.conf:1: backend-server: expected key=value, got \"extra\"");
  }

  @Test
  void aBadStarttlsValueIsAnError() {
    assertThat(errors("backend-server uri=ldap://a.example starttls=maybe"))
        .containsExactly(
            "lloadd.conf:1: backend-server: bad value starttls=maybe: expected no, yes or"
                + " critical");
  }

  @Test
  void optionalTlsAndSocketOptionsAreWarnedAbout() throws Exception {
    assertThat(
            warnings(
                "backend-server uri=ldap://a.example starttls=yes weight=5",
                "  tls_reqcert=demand tls_cacert=/etc/ssl/ca.pem keepalive=60:5:10 starttls=no"))
        .containsExactly(
            "lloadd.conf:2: backend-server: option tls_reqcert not supported yet, ignored",
            "lloadd.conf:2: backend-server: option tls_cacert not supported yet, ignored",
            "lloadd.conf:2: backend-server: option keepalive not supported yet, ignored");
  }

  @Test
  void aBadWeightIsStillAnError() {
    assertThat(errors("backend-server uri=ldap://a.example weight=heavy"))
        .containsExactly(
            "lloadd.conf:1: backend-server: bad value weight=heavy: not a whole number");
  }
}
