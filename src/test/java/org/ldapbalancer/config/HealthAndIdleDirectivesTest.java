package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.config.ConfigFixture.SERVER;
import static org.ldapbalancer.config.ConfigFixture.errors;
import static org.ldapbalancer.config.ConfigFixture.parse;
import static org.ldapbalancer.config.ConfigFixture.warnings;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code health-check-interval}, {@code health-check-timeout}, {@code idletimeout}, {@code max-conns}. */
class HealthAndIdleDirectivesTest {

  @Test
  void defaultsAreAProbeEveryTenSecondsOutAfterFiveAndNoIdleTimeout() throws Exception {
    BalancerConfig config = parse(SERVER);
    assertThat(config.healthCheck()).isEqualTo(HealthCheck.DEFAULTS);
    assertThat(config.healthCheck().enabled()).isTrue();
    assertThat(config.idleTimeout()).isZero();
  }

  @Test
  void valuesAreMillisecondsForTheChecksAndSecondsForIdletimeout() throws Exception {
    BalancerConfig config = parse(
        "health-check-interval 2500", "health-check-timeout 750", "idletimeout 300", SERVER);
    assertThat(config.healthCheck())
        .isEqualTo(new HealthCheck(Duration.ofMillis(2500), Duration.ofMillis(750)));
    assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(300));
    assertThat(warnings("idletimeout 300", SERVER)).isEmpty();
  }

  @Test
  void zeroSwitchesOff() throws Exception {
    BalancerConfig config = parse("health-check-timeout 0", "idletimeout 0", SERVER);
    assertThat(config.healthCheck().enabled()).isFalse();
    assertThat(config.idleTimeout()).isZero();
  }

  @Test
  void badValuesAreErrors() {
    assertThat(errors("health-check-interval soon", "health-check-timeout -1",
        "idletimeout 86401", SERVER))
        .containsExactly(
            "lloadd.conf:1: health-check-interval: bad value \"soon\": not a whole number",
            "lloadd.conf:2: health-check-timeout: bad value \"-1\": must be at least 0",
            "lloadd.conf:3: idletimeout: bad value \"86401\": must be at most 86400");
  }

  @Test
  void maxConnsDefaultsToFourTimesNumconnsAndIsNeverBelowIt() throws Exception {
    assertThat(parse("backend-server uri=ldap://a numconns=3").servers().get(0).maxConns())
        .isEqualTo(12);
    assertThat(parse("backend-server uri=ldap://a numconns=3 max-conns=5").servers().get(0)
        .maxConns()).isEqualTo(5);
    assertThat(parse("backend-server uri=ldap://a numconns=3 max-conns=2").servers().get(0)
        .maxConns()).isEqualTo(3);
    assertThat(warnings("backend-server uri=ldap://a numconns=3 max-conns=2"))
        .containsExactly("lloadd.conf:1: backend-server: max-conns=2 is below numconns=3;"
            + " the pool keeps numconns and does not grow");
  }
}
