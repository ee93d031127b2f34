package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.ldapbalancer.config.ConfigFixture.SERVER;
import static org.ldapbalancer.config.ConfigFixture.errors;
import static org.ldapbalancer.config.ConfigFixture.parse;
import static org.ldapbalancer.config.ConfigFixture.warnings;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigParserTest {
  @TempDir Path dir;

  @Test
  void ioThreadsDefaultsToHalfTheProcessors() {
    assertThat(BalancerConfig.defaultIoThreads(1)).isEqualTo(1);
    assertThat(BalancerConfig.defaultIoThreads(2)).isEqualTo(1);
    assertThat(BalancerConfig.defaultIoThreads(3)).isEqualTo(1);
    assertThat(BalancerConfig.defaultIoThreads(8)).isEqualTo(4);
    assertThat(BalancerConfig.defaultIoThreads(64)).isEqualTo(16);
  }

  @Test
  void aBackslashContinuesABackendServerLineOnAnUnindentedLine() throws Exception {
    BalancerConfig config = parse("backend-server uri=ldap://ldap1.example.com \\", "numconns=4");

    assertThat(config.servers()).singleElement().satisfies(s -> assertThat(s.numconns()).isEqualTo(4));
  }

  @Test
  void numbersMayBeHexadecimalOrOctalAsLloaddReadsThem() throws Exception {
    BalancerConfig config =
        parse(
            "sockbuf_max_incoming_client 0x40000",
            "sockbuf_max_incoming_upstream 020000000",
            "client_max_pending 010",
            "iotimeout 0",
            "bindconf bindmethod=none timeout=0x1E network-timeout=012",
            "backend-server uri=ldap://ldap1.example.com numconns=0X10 bindconns=02 retry=1000");

    assertThat(config.maxIncomingClient()).isEqualTo(0x40000);
    assertThat(config.maxIncomingUpstream()).isEqualTo(4194304);
    assertThat(config.clientMaxPending()).isEqualTo(8);
    assertThat(config.ioTimeout()).isZero();
    assertThat(config.bindConf().timeout()).hasSeconds(30);
    assertThat(config.bindConf().networkTimeout()).hasSeconds(10);
    assertThat(config.servers())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.numconns()).isEqualTo(16);
              assertThat(s.bindconns()).isEqualTo(2);
              assertThat(s.retry()).hasMillis(1000);
            });
  }

  @Test
  void aLeadingZeroBeforeEightOrNineIsRefusedAsLloaddRefusesIt() {
    assertThat(errors("client_max_pending 08", "backend-server uri=ldap://a numconns=0x", SERVER))
        .containsExactly(
            "lloadd.conf:1: client_max_pending: bad value \"08\": not a number (a leading 0 makes"
                + " it octal, as in lloadd)",
            "lloadd.conf:2: backend-server: bad value numconns=0x: not a whole number");
  }

  @Test
  void aSingleServerGetsEveryDefault() throws Exception {
    BalancerConfig config = parse(SERVER);

    assertThat(config.bindConf()).isEqualTo(BindConf.anonymous());
    assertThat(config.tiers())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.policy()).isEqualTo(TierPolicy.ROUNDROBIN);
              assertThat(t.servers()).hasSize(1);
            });
    assertThat(config.ioThreads())
        .isEqualTo(Math.max(1, Math.min(Runtime.getRuntime().availableProcessors() / 2, 16)))
        .isEqualTo(BalancerConfig.defaultIoThreads());
    assertThat(config.clientMaxPending()).isZero();
    assertThat(config.maxIncomingClient()).isEqualTo(262143);
    assertThat(config.maxIncomingUpstream()).isEqualTo(4194303);
    assertThat(config.proxyAuthz()).as("anonymous bindconf, no feature line").isFalse();
    assertThat(config.pidFile()).isEmpty();
    assertThat(config.listenUrls()).isEmpty();
    assertThat(config.ioTimeout()).isEqualTo(java.time.Duration.ofMillis(10_000));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void globalSettingsAreRead() throws Exception {
    Path pid = dir.resolve("lloadd.pid");
    BalancerConfig config =
        parse(
            "io-threads 4",
            "client_max_pending 100",
            "sockbuf_max_incoming_client 4194303",
            "sockbuf_max_incoming_upstream 8388607",
            "pidfile " + pid,
            "iotimeout 2500",
            SERVER);

    assertThat(config.ioThreads()).isEqualTo(4);
    assertThat(config.clientMaxPending()).isEqualTo(100);
    assertThat(config.maxIncomingClient()).isEqualTo(4194303);
    assertThat(config.maxIncomingUpstream()).isEqualTo(8388607);
    assertThat(config.pidFile()).contains(pid);
    assertThat(config.ioTimeout()).isEqualTo(java.time.Duration.ofMillis(2500));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void aPidfileInADirectoryThatDoesNotExistIsAnError() {
    Path pid = dir.resolve("missing").resolve("lloadd.pid");

    assertThat(errors("pidfile " + pid, SERVER))
        .containsExactly(
            "lloadd.conf:1: pidfile: no directory " + pid.getParent() + " for " + pid);
  }

  @Test
  void theLimitsOfEveryGlobalNumberAreAccepted() throws Exception {
    BalancerConfig config =
        parse(
            "io-threads 256",
            "sockbuf_max_incoming_client 1024",
            "sockbuf_max_incoming_upstream 1024",
            "client_max_pending 2147483647",
            SERVER);

    assertThat(config.ioThreads()).isEqualTo(BalancerConfig.MAX_IO_THREADS);
    assertThat(config.maxIncomingClient()).isEqualTo(BalancerConfig.MIN_MAX_INCOMING);
    assertThat(config.maxIncomingUpstream()).isEqualTo(BalancerConfig.MIN_MAX_INCOMING);
    assertThat(config.clientMaxPending()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void valuesThatStartUpCouldNotUseAreErrors() {
    // Each of these parsed once and then failed at start (or broke every connection).
    assertThat(
            errors(
                "io-threads 257",
                "sockbuf_max_incoming_client 15",
                "sockbuf_max_incoming_upstream 1023",
                SERVER))
        .containsExactly(
            "lloadd.conf:1: io-threads: bad value \"257\": must be at most 256",
            "lloadd.conf:2: sockbuf_max_incoming_client: bad value \"15\": must be at least"
                + " 1024",
            "lloadd.conf:3: sockbuf_max_incoming_upstream: bad value \"1023\": must be at least"
                + " 1024");
  }

  @Test
  void directiveNamesAreCaseInsensitive() throws Exception {
    BalancerConfig config =
        parse("IO-Threads 3", "Client_Max_Pending 7", "BACKEND-SERVER URI=ldap://a.example");

    assertThat(config.ioThreads()).isEqualTo(3);
    assertThat(config.clientMaxPending()).isEqualTo(7);
    assertThat(config.servers())
        .extracting(BackendServer::name)
        .containsExactly("ldap://a.example:389");
  }

  @Test
  void aLaterSettingOverridesAnEarlierOne() throws Exception {
    assertThat(parse("io-threads 2", "io-threads 8", SERVER).ioThreads()).isEqualTo(8);
  }

  /**
   * On by default with a bindconf account (lloadd 2.7's default); without one and without a
   * feature line — a lloadd 2.6 file, where it was off by default — off (said at start), since
   * an anonymous connection cannot assert identities and every bound client's operation would
   * fail. Named explicitly, it is on whatever the account (the balancer then warns at start).
   */
  @Test
  void proxyAuthzIsOnByDefaultWithABindconfAccountAndOffWithoutOneUnlessNamed() throws Exception {
    String account =
        "bindconf bindmethod=simple binddn=cn=lb,dc=example,dc=com credentials=secret";
    assertThat(parse(account, SERVER).proxyAuthz()).isTrue();
    assertThat(parse(SERVER).proxyAuthz()).isFalse();
    assertThat(parse("feature proxyauthz", SERVER).proxyAuthz()).isTrue();
  }

  @Test
  void proxyAuthzIsOnByDefaultAndTheLastSwitchWins() throws Exception {
    assertThat(parse("disable proxyauthz", SERVER).proxyAuthz()).isFalse();
    assertThat(parse("disable proxyauthz", "enable proxyauthz", SERVER).proxyAuthz()).isTrue();
    assertThat(parse("disable proxyauthz", "feature proxyauthz", SERVER).proxyAuthz()).isTrue();
    assertThat(parse("feature proxyauthz", "disable proxyauthz", SERVER).proxyAuthz()).isFalse();
    assertThat(parse("ENABLE ProxyAuthz", SERVER).proxyAuthz()).isTrue();
  }

  @Test
  void sessionTrackingIsOffByDefaultAndSwitchedLikeTheOtherFeatures() throws Exception {
    assertThat(parse(SERVER).sessionTracking()).isFalse();
    assertThat(parse("feature session-tracking", SERVER).sessionTracking()).isTrue();
    assertThat(parse("feature proxyauthz Session-Tracking", SERVER).sessionTracking()).isTrue();
    assertThat(parse("enable session-tracking", "disable session-tracking", SERVER)
            .sessionTracking())
        .isFalse();
    assertThat(warnings("feature session-tracking", SERVER)).isEmpty();
  }

  @Test
  void verifyCredentialsIsOffUnlessSwitchedOn() throws Exception {
    assertThat(parse(SERVER).verifyCredentials()).isFalse();
    assertThat(parse("feature vc", SERVER).verifyCredentials()).isTrue();
    assertThat(parse("enable proxyauthz VC", SERVER).verifyCredentials()).isTrue();
    assertThat(parse("feature vc", "disable vc", SERVER).verifyCredentials()).isFalse();
    assertThat(warnings("feature vc", SERVER)).isEmpty();
  }

  @Test
  void otherLloadFeaturesAreWarnedAboutWhenSwitchedOn() throws Exception {
    assertThat(warnings("feature proxyauthz vc read_pause", "disable read_pause", SERVER))
        .containsExactly("lloadd.conf:1: feature read_pause: not supported yet, ignored");
  }

  @Test
  void anUnknownFeatureIsAnError() {
    assertThat(errors("feature proxyauthz turbo", SERVER))
        .containsExactly("lloadd.conf:1: feature: unknown feature \"turbo\"");
    assertThat(errors("enable", SERVER)).containsExactly("lloadd.conf:1: enable: missing argument");
  }

  @Test
  void listenUrlsAddUpAcrossLinesAndWithinAQuotedList() throws Exception {
    BalancerConfig config =
        parse(
            "listen \"ldap://:1389/ ldap://0.0.0.0:1636\"",
            "listen ldap:/// LDAP://[::1]:2389",
            SERVER);

    assertThat(config.listenUrls())
        .containsExactly("ldap://:1389/", "ldap://0.0.0.0:1636", "ldap:///", "LDAP://[::1]:2389");
  }

  @Test
  void aListenHostWithAnUnderscoreIsAccepted() throws Exception {
    assertThat(parse("listen ldap://balancer_1:1389", SERVER).listenUrls())
        .containsExactly("ldap://balancer_1:1389");
  }

  @Test
  void ldapiListenersNameAPercentEncodedAbsolutePath() throws Exception {
    BalancerConfig config = parse("listen ldapi://%2Frun%2Fldap-balancer%2Fldapi/", SERVER);
    assertThat(config.listenUrls()).containsExactly("ldapi://%2Frun%2Fldap-balancer%2Fldapi/");
    LdapUrl url = LdapUrl.parseListener("ldapi://%2Frun%2Fldap-balancer%2Fldapi/");
    assertThat(url.isDomainSocket()).isTrue();
    assertThat(url.host()).isEqualTo("/run/ldap-balancer/ldapi");
    assertThat(url).hasToString("ldapi://%2Frun%2Fldap-balancer%2Fldapi");
    assertThat(
            errors(
                "listen ldapi:///",
                "listen ldapi:///run/ldapi",
                "listen ldapi://run%2Fldapi",
                SERVER))
        .containsExactly(
            "lloadd.conf:1: listen: ldapi:///: ldapi:// needs the socket's path, e.g."
                + " ldapi://%2Frun%2Fldap-balancer%2Fldapi",
            "lloadd.conf:2: listen: ldapi:///run/ldapi: the socket path must be percent-encoded"
                + " (%2F for /), as in ldapi://%2Frun%2Fldap-balancer%2Fldapi",
            "lloadd.conf:3: listen: ldapi://run%2Fldapi: the socket path must be absolute");
  }

  @Test
  void proxyProtocolListenersAreAccepted() throws Exception {
    BalancerConfig config = parse("listen pldap://:2389 pldaps://127.0.0.1", SERVER);
    assertThat(config.listenUrls()).containsExactly("pldap://:2389", "pldaps://127.0.0.1");
    LdapUrl pldaps = LdapUrl.parseListener("pldaps://127.0.0.1");
    assertThat(pldaps.isTls()).isTrue();
    assertThat(pldaps.isProxyProtocol()).isTrue();
    assertThat(pldaps.port()).isEqualTo(636);
    assertThat(LdapUrl.parseListener("pldap://:2389").isTls()).isFalse();
    assertThat(LdapUrl.parseListener("ldap://:2389").isProxyProtocol()).isFalse();
  }

  @Test
  void aBadProxyProtocolUrlIsNamedAsWritten() {
    assertThat(errors("listen pldap://127.0.0.1:99999", SERVER))
        .containsExactly("lloadd.conf:1: listen: bad port in URL pldap://127.0.0.1:99999");
  }

  @Test
  void aListenUrlThatCannotBeBoundIsAnError() {
    assertThat(
            errors(
                "listen ldap://:99999",
                "listen ldap://:1389/dc=example",
                "listen ldap://user_1@bad_host:1389",
                "listen ldap://:1389 ldap://:1390",
                "listen ldap://:1389/",
                SERVER))
        .containsExactly(
            "lloadd.conf:1: listen: bad port in URL ldap://:99999",
            "lloadd.conf:2: listen: URL ldap://:1389/dc=example must not name a DN",
            "lloadd.conf:3: listen: bad host in URL ldap://user_1@bad_host:1389",
            "lloadd.conf:5: listen: ldap://:1389/ names the same address as an earlier URL");
  }

  @Test
  void aListenValueThatIsNotAnLdapUrlIsAnError() {
    assertThat(errors("listen ftp://x:21", "listen \"\"", "listen https://x:9443/", SERVER))
        .containsExactly(
            "lloadd.conf:1: listen: bad URL \"ftp://x:21\" (expected ldap://, ldaps://, ldapi://,"
                + " pldap://, pldaps:// or http://)",
            "lloadd.conf:2: listen: missing URL",
            "lloadd.conf:3: listen: https://x:9443/: https:// is not supported yet (the monitoring"
                + " listener speaks plain http:// only; keep it on loopback or a private address)");
  }

  @Test
  void aMonitoringListenerMayBeGivenInTheFile() throws Exception {
    assertThat(parse("listen \"ldap://127.0.0.1:1389 http://127.0.0.1:9180/\"", SERVER).listenUrls())
        .containsExactly("ldap://127.0.0.1:1389", "http://127.0.0.1:9180/");
  }

  @Test
  void ioThreadsZeroIsOneThreadWithAWarningAsInLloadd() throws Exception {
    assertThat(parse("io-threads 0", SERVER).ioThreads()).isEqualTo(1);
    assertThat(warnings("io-threads 0", SERVER))
        .containsExactly("lloadd.conf:1: io-threads: 0 means 1 thread, as in lloadd");
  }

  @Test
  void anUnknownDirectiveIsAnError() {
    assertThat(errors("io-threads 2", "frobnicate yes", SERVER))
        .containsExactly("lloadd.conf:2: unknown directive \"frobnicate\"");
  }

  @Test
  void badNumbersAreErrorsNamingTheDirectiveAndTheValue() {
    assertThat(
            errors(
                "io-threads four",
                "io-threads -1",
                "client_max_pending -1",
                "sockbuf_max_incoming_client 0",
                "sockbuf_max_incoming_upstream 99999999999",
                "io-threads",
                "io-threads 1 2",
                SERVER))
        .containsExactly(
            "lloadd.conf:1: io-threads: bad value \"four\": not a whole number",
            "lloadd.conf:2: io-threads: bad value \"-1\": must be at least 0",
            "lloadd.conf:3: client_max_pending: bad value \"-1\": must be at least 0",
            "lloadd.conf:4: sockbuf_max_incoming_client: bad value \"0\": must be at least 1024",
            "lloadd.conf:5: sockbuf_max_incoming_upstream: bad value \"99999999999\": must be at"
                + " most 2147483647",
            "lloadd.conf:6: io-threads: missing argument",
            "lloadd.conf:7: io-threads: too many arguments (expected 1, got 2)");
  }

  @Test
  void pidfileTakesExactlyOnePath() {
    assertThat(errors("pidfile", "pidfile /a /b", SERVER))
        .containsExactly(
            "lloadd.conf:1: pidfile: missing argument",
            "lloadd.conf:2: pidfile: too many arguments (expected 1, got 2)");
  }

  @Test
  void aConfigurationWithoutServersIsAcceptedWithAWarning() throws Exception {
    // As lloadd: it starts and answers unavailable until servers are added.
    BalancerConfig config = parse("io-threads 2", "tier roundrobin");
    assertThat(config.servers()).isEmpty();
    assertThat(config.warnings()).extracting(ConfigProblem::toString)
        .contains("lloadd.conf:2: no backend-server configured: every operation will be answered"
            + " unavailable (52)");
  }

  @Test
  void everyErrorIsCollectedInFileOrder() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                parse(
                    "io-threads x",
                    "nonsense",
                    "backend-server uri=ldap://a.example numconns=0",
                    "tier fastest",
                    "backend-server uri=ldapi:///"));

    assertThat(e.problems()).extracting(ConfigProblem::line).containsExactly(1, 2, 3, 4, 5);
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo(ConfigFixture.FILE));
    assertThat(e.getMessage().lines())
        .hasSize(5)
        .first()
        .isEqualTo("lloadd.conf:1: io-threads: bad value \"x\": not a whole number");
  }

  @Test
  void theLloadManPageExampleIsAccepted() throws Exception {
    BalancerConfig config =
        parse(
            "argsfile  /var/run/lloadd.args",
            "pidfile   " + dir.resolve("lloadd.pid"), // LOCALSTATEDIR/run may not be writable here
            "",
            "bindconf",
            "    bindmethod=simple",
            "    binddn=cn=test",
            "    credentials=pass",
            "",
            "backend-server",
            "    uri=ldap://ldap1.example.com",
            "    numconns=3",
            "    bindconns=2",
            "    retry=5000",
            "    max-pending-ops=5",
            "    conn-max-pending=3",
            "",
            "backend-server",
            "    uri=ldap://ldap2.example.com",
            "    numconns=3",
            "    bindconns=2",
            "    retry=5000",
            "    max-pending-ops=5",
            "    conn-max-pending=3");

    assertThat(config.bindConf())
        .isEqualTo(
            new BindConf(
                BindMethod.SIMPLE, "cn=test", "pass", Duration.ofSeconds(5), Duration.ZERO));
    assertThat(config.servers())
        .containsExactly(
            new BackendServer(
                LdapUrl.parse("ldap://ldap1.example.com"), 3, 2, Duration.ofMillis(5000), 5, 3),
            new BackendServer(
                LdapUrl.parse("ldap://ldap2.example.com"), 3, 2, Duration.ofMillis(5000), 5, 3));
    assertThat(config.warnings())
        .extracting(ConfigProblem::toString)
        .containsExactly("lloadd.conf:1: argsfile: not supported yet, ignored");
  }

  @Test
  void aMissingFileIsReportedAsAProblem() {
    Path missing = Path.of("does-not-exist", "lloadd.conf");

    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigParser.parse(missing));

    assertThat(e.problems())
        .singleElement()
        .hasToString(missing + ":0: cannot read configuration file: no such file");
  }
}
