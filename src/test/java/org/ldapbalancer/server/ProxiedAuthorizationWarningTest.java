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
 * Proxied authorization on an anonymous connection fails every operation (a server without RFC
 * 4370, such as Active Directory, refuses the critical control anyway): said once at start.
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
    assertThat(Balancer.warnIfProxyingAnonymously(config(BindConf.anonymous(), true))).isTrue();

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
  void withAnAccountOrWithoutProxiedAuthorizationNothingIsSaid() {
    BalancerConfig withAccount =
        RunningBalancer.builder().server("ldap://127.0.0.1:1", 1, 1).config();

    assertThat(Balancer.warnIfProxyingAnonymously(withAccount)).isFalse();
    assertThat(Balancer.warnIfProxyingAnonymously(config(BindConf.anonymous(), false))).isFalse();
    assertThat(lines.list).isEmpty();
  }
}
