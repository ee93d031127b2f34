package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.testing.RunningBalancer;
import org.slf4j.LoggerFactory;

/**
 * With whose rights forwarded operations run, said once at start: proxied authorization on an
 * anonymous connection fails every operation (warned about); off, every operation runs with the
 * balancer's own rights (said).
 */
class ProxiedAuthorizationWarningTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger(Balancer.class);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
  }

  private static BalancerConfig config(BindConf bindConf, boolean proxyAuthz) {
    return RunningBalancer.builder()
        .server("ldap://127.0.0.1:1", 1, 1)
        .bindConf(bindConf)
        .proxyAuthz(proxyAuthz)
        .config();
  }

  @Test
  void withoutABindconfAccountProxiedAuthorizationIsWarnedAbout() {
    Balancer.reportProxiedAuthorization(config(BindConf.anonymous(), true));

    assertThat(lines.list)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.WARN);
              assertThat(e.getFormattedMessage())
                  .contains("proxied authorization is on but no bindconf account is set")
                  .contains("'disable proxyauthz'");
            });
  }

  @Test
  void withAnAccountNothingIsSaid() {
    Balancer.reportProxiedAuthorization(
        RunningBalancer.builder().server("ldap://127.0.0.1:1", 1, 1).config());
    assertThat(lines.list).isEmpty();
  }

  @Test
  void offItIsSaidWhoseRightsOperationsRunWith() {
    Balancer.reportProxiedAuthorization(config(BindConf.anonymous(), false));

    assertThat(lines.list)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.INFO);
              assertThat(e.getFormattedMessage())
                  .contains("proxied authorization is off")
                  .contains("the balancer's anonymous connections");
            });
  }
}
