package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.config.ConfigFixture.SERVER;
import static org.ldapbalancer.config.ConfigFixture.errors;
import static org.ldapbalancer.config.ConfigFixture.parse;
import static org.ldapbalancer.config.ConfigFixture.warnings;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BindConfDirectiveTest {

  @Test
  void simpleBindWithTimeouts() throws Exception {
    BindConf bind =
        parse(
                "bindconf bindmethod=simple binddn=\"cn=Manager,dc=example,dc=com\""
                    + " credentials=secret network-timeout=3 timeout=30",
                SERVER)
            .bindConf();

    assertThat(bind)
        .isEqualTo(
            new BindConf(
                BindMethod.SIMPLE,
                "cn=Manager,dc=example,dc=com",
                "secret",
                Duration.ofSeconds(3),
                Duration.ofSeconds(30)));
  }

  @Test
  void withoutBindconfTheBalancerBindsAnonymouslyWithDefaultTimeouts() throws Exception {
    BindConf bind = parse(SERVER).bindConf();

    assertThat(bind.method()).isEqualTo(BindMethod.NONE);
    assertThat(bind.networkTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(bind.timeout()).isEqualTo(Duration.ZERO);
  }

  @Test
  void bindmethodNoneKeepsTimeouts() throws Exception {
    BindConf bind = parse("bindconf bindmethod=NONE timeout=10", SERVER).bindConf();

    assertThat(bind)
        .isEqualTo(
            new BindConf(BindMethod.NONE, "", "", Duration.ofSeconds(5), Duration.ofSeconds(10)));
  }

  @Test
  void optionKeysAreCaseInsensitiveButValuesKeepTheirCase() throws Exception {
    BindConf bind =
        parse("bindconf BindMethod=Simple BindDN=cn=Admin Credentials=PassWord", SERVER).bindConf();

    assertThat(bind.bindDn()).isEqualTo("cn=Admin");
    assertThat(bind.credentials()).isEqualTo("PassWord");
  }

  @Test
  void aSecondBindconfLineReplacesOnlyTheOptionsItNames() throws Exception {
    BindConf bind =
        parse(
                "bindconf bindmethod=simple binddn=cn=a credentials=one timeout=7",
                "bindconf credentials=two",
                SERVER)
            .bindConf();

    assertThat(bind.bindDn()).isEqualTo("cn=a");
    assertThat(bind.credentials()).isEqualTo("two");
    assertThat(bind.timeout()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void simpleBindRequiresBindDnAndCredentials() {
    assertThat(errors("bindconf bindmethod=simple", SERVER))
        .containsExactly(
            "lloadd.conf:1: bindconf: bindmethod=simple requires binddn",
            "lloadd.conf:1: bindconf: bindmethod=simple requires credentials");
  }

  @Test
  void aBindDnWithoutBindmethodMeansSimpleWithAWarning() throws Exception {
    BalancerConfig config = parse("bindconf binddn=cn=a credentials=x", SERVER);

    assertThat(config.bindConf().method()).isEqualTo(BindMethod.SIMPLE);
    assertThat(config.warnings())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "lloadd.conf:1: bindconf: no bindmethod given; using simple since binddn is set");
  }

  @Test
  void credentialsWithBindmethodNoneAreIgnoredWithAWarning() throws Exception {
    BalancerConfig config = parse("bindconf bindmethod=none binddn=cn=a credentials=x", SERVER);

    assertThat(config.bindConf()).isEqualTo(BindConf.anonymous());
    assertThat(config.warnings())
        .extracting(ConfigProblem::message)
        .containsExactly("bindconf: binddn and credentials are ignored with bindmethod=none");
  }

  @Test
  void saslTakesItsMechanismAndIdentities() throws Exception {
    BalancerConfig config = parse(
        "bindconf bindmethod=sasl saslmech=digest-md5 authcid=manager",
        "  authzid=\"dn:cn=Manager,dc=example,dc=com\" credentials=secret realm=example.com",
        SERVER);

    BindConf b = config.bindConf();
    assertThat(b.method()).isEqualTo(BindMethod.SASL);
    assertThat(b.sasl()).isEqualTo(new SaslBind("DIGEST-MD5", "manager",
        "dn:cn=Manager,dc=example,dc=com", "example.com"));
    assertThat(b.credentials()).isEqualTo("secret");
    assertThat(b.ownAuthzId()).isEqualTo("dn:cn=Manager,dc=example,dc=com");
    assertThat(b.toString()).doesNotContain("secret");
  }

  @Test
  void saslWithoutWhatItsMechanismNeedsIsAnError() {
    assertThat(errors("bindconf bindmethod=sasl", SERVER))
        .containsExactly("lloadd.conf:1: bindconf: bindmethod=sasl requires saslmech");
    assertThat(errors("bindconf bindmethod=sasl saslmech=PLAIN", SERVER))
        .containsExactly(
            "lloadd.conf:1: bindconf: saslmech=PLAIN requires authcid",
            "lloadd.conf:1: bindconf: saslmech=PLAIN requires credentials");
    assertThat(errors("bindconf bindmethod=sasl saslmech=SCRAM-SHA-256 authcid=a credentials=b",
        SERVER)).containsExactly("lloadd.conf:1: bindconf: saslmech=SCRAM-SHA-256 is not"
            + " supported (PLAIN, DIGEST-MD5 or EXTERNAL)");
    assertThat(errors("bindconf bindmethod=sasl saslmech=EXTERNAL", SERVER))
        .containsExactly(
            "lloadd.conf:1: bindconf: saslmech=EXTERNAL requires tls_cert and tls_key");
  }

  @Test
  void otherLloadOptionsAreWarnedAboutOnTheirOwnLine() throws Exception {
    assertThat(
            warnings(
                "bindconf bindmethod=simple binddn=cn=a credentials=x",
                "  authzid=dn:cn=a tls_reqsan=demand",
                "  keepalive=60:5:10 tcp-user-timeout=1000",
                SERVER))
        .containsExactly(
            "lloadd.conf:2: bindconf: option tls_reqsan not supported yet, ignored",
            "lloadd.conf:3: bindconf: option keepalive not supported yet, ignored",
            "lloadd.conf:3: bindconf: option tcp-user-timeout not supported yet, ignored",
            "lloadd.conf:1: bindconf: saslmech, authcid, authzid and realm are only used with"
                + " bindmethod=sasl; ignored");
  }

  @Test
  void badValuesAreErrors() {
    assertThat(
            errors(
                "bindconf bindmethod=kerberos timeout=soon network-timeout=-2 colour=blue", SERVER))
        .containsExactly(
            "lloadd.conf:1: bindconf: bad value bindmethod=kerberos: expected none, simple or sasl",
            "lloadd.conf:1: bindconf: bad value timeout=soon: not a whole number",
            "lloadd.conf:1: bindconf: bad value network-timeout=-2: must be at least 0",
            "lloadd.conf:1: bindconf: unknown option \"colour\"");
  }

  @Test
  void zeroMeansNoLimitForEitherTimeout() throws Exception {
    BindConf bind = parse("bindconf network-timeout=0 timeout=0", SERVER).bindConf();

    assertThat(bind.networkTimeout()).isEqualTo(Duration.ZERO);
    assertThat(bind.timeout()).isEqualTo(Duration.ZERO);
  }

  @Test
  void timeoutsAreLimitedToOneDaySoTheirMillisecondsFitAnInt() throws Exception {
    assertThat(parse("bindconf network-timeout=86400 timeout=86400", SERVER).bindConf())
        .isEqualTo(
            new BindConf(BindMethod.NONE, "", "", Duration.ofDays(1), Duration.ofDays(1)));
    assertThat(errors("bindconf network-timeout=2147484 timeout=86401", SERVER))
        .containsExactly(
            "lloadd.conf:1: bindconf: bad value network-timeout=2147484: must be at most 86400",
            "lloadd.conf:1: bindconf: bad value timeout=86401: must be at most 86400");
  }

  @Test
  void aStrayWordIsAnErrorThatDoesNotEchoWhatMayBeAPassword() {
    assertThat(errors("bindconf bindmethod=simple binddn=cn=a credentials hunter2", SERVER))
        .contains("lloadd.conf:1: bindconf: expected key=value")
        .noneMatch(e -> e.contains("hunter2"));
    assertThat(errors("bindconf", SERVER))
        .containsExactly("lloadd.conf:1: bindconf: missing argument");
  }

  @Test
  void theCredentialsNeverShowInToString() {
    BindConf bind =
        new BindConf(BindMethod.SIMPLE, "cn=a", "hunter2", Duration.ofSeconds(5), Duration.ZERO);

    assertThat(bind.toString()).doesNotContain("hunter2").contains("cn=a");
  }
}
