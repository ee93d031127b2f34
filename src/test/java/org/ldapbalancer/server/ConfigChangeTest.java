package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.ConfigException;
import org.ldapbalancer.config.ConfigParser;

class ConfigChangeTest {
  private static final String BINDCONF =
      "bindconf bindmethod=simple binddn=cn=balancer,dc=example,dc=com credentials=secret\n";
  private static final String SERVERS =
      "tier roundrobin\nbackend-server uri=ldap://ldap1.example.com numconns=2\n";

  private static BalancerConfig parse(String text) throws ConfigException {
    return ConfigParser.parse(text, Path.of("lloadd.conf"));
  }

  @Test
  void serversTiersAndBindconfTimeoutsApplyWithoutARestart() throws ConfigException {
    BalancerConfig running = parse("io-threads 2\n" + BINDCONF + SERVERS);
    BalancerConfig next =
        parse(
            "io-threads 2\n"
                + BINDCONF.trim() + " timeout=30 network-timeout=3\n"
                + "sockbuf_max_incoming_upstream 8388608\n"
                + "tier weighted\n"
                + "backend-server uri=ldap://ldap1.example.com numconns=8 weight=2\n"
                + "tier roundrobin\n"
                + "backend-server uri=ldap://ldap3.example.com\n");

    ConfigChange change = ConfigChange.between(running, next);

    assertThat(change.needingRestart()).isEmpty();
    assertThat(change.refusal()).isNull();
  }

  @Test
  void settingsFixedAtStartAreNamed() throws ConfigException {
    BalancerConfig running = parse("io-threads 2\n" + BINDCONF + SERVERS);
    BalancerConfig next =
        parse(
            "io-threads 4\nclient_max_pending 10\niotimeout 500\n"
                + "sockbuf_max_incoming_client 4096\nlisten ldap://127.0.0.1:1389\n"
                + BINDCONF + SERVERS);

    ConfigChange change = ConfigChange.between(running, next);

    // client_max_pending and iotimeout are client settings: they reach the clients accepted
    // after the reload, so they are not named.
    assertThat(change.needingRestart())
        .containsExactly("io-threads", "sockbuf_max_incoming_client", "listen");
    assertThat(change.refusal()).isNull();
  }

  @Test
  void anotherOwnIdentityIsRefusedWhileProxying() throws ConfigException {
    BalancerConfig running = parse(BINDCONF + SERVERS);
    BalancerConfig next =
        parse(
            "bindconf bindmethod=simple binddn=cn=other,dc=example,dc=com credentials=secret\n"
                + SERVERS);

    assertThat(ConfigChange.between(running, next).refusal())
        .contains("dn:cn=other,dc=example,dc=com");
  }

  @Test
  void aNewPasswordForTheSameAccountIsTaken() throws ConfigException {
    BalancerConfig running = parse(BINDCONF + SERVERS);
    BalancerConfig next = parse(BINDCONF.replace("secret", "rotated") + SERVERS);

    ConfigChange change = ConfigChange.between(running, next);

    assertThat(change.refusal()).isNull();
    assertThat(change.needingRestart()).isEmpty();
  }

  /**
   * Whether proxyauthz is on or off: a client bound as the old identity keeps its settings, and
   * one bound as the balancer's own may send its own Proxied Authorization control.
   */
  @Test
  void withoutProxiedAuthorizationTheIdentityStillChangesOnlyWithARestart()
      throws ConfigException {
    BalancerConfig running = parse("disable proxyauthz\n" + BINDCONF + SERVERS);
    BalancerConfig next = parse("disable proxyauthz\n" + SERVERS);

    assertThat(ConfigChange.between(running, next).refusal()).contains("dn:cn=balancer");
  }

  /** A SASL account is an identity too: from none, to another, or back to none. */
  @Test
  void anotherSaslIdentityIsRefused() throws ConfigException {
    String proxy =
        "bindconf bindmethod=sasl saslmech=PLAIN authcid=proxy credentials=secret\n";
    BalancerConfig anonymous = parse("feature proxyauthz\n" + SERVERS);
    BalancerConfig sasl = parse(proxy + SERVERS);
    BalancerConfig other = parse(proxy.replace("authcid=proxy", "authcid=other") + SERVERS);

    assertThat(ConfigChange.between(anonymous, sasl).refusal()).contains("u:proxy");
    assertThat(ConfigChange.between(sasl, other).refusal()).contains("u:other");
    assertThat(ConfigChange.between(sasl, anonymous).refusal()).isNotNull();
    assertThat(ConfigChange.between(sasl, parse(proxy.replace("secret", "rotated") + SERVERS))
        .refusal()).as("a new password").isNull();
  }
}
