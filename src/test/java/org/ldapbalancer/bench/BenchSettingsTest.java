package org.ldapbalancer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchSettingsTest {
  private static BenchSettings.Builder valid() {
    return BenchSettings.builder().url("ldap://127.0.0.1:1389");
  }

  @Test
  void defaultsAreABoundedSearchRun() {
    BenchSettings s = BenchSettings.builder().build();
    assertThat(s.mode()).isEqualTo(BenchMode.SEARCH);
    assertThat(s.url().toString()).isEqualTo("ldap://127.0.0.1:389");
    assertThat(s.connections()).isEqualTo(8);
    assertThat(s.inFlight()).isEqualTo(1);
    assertThat(s.durationSeconds()).isEqualTo(10);
    assertThat(s.warmupSeconds()).isZero();
    assertThat(s.maxOps()).isZero();
    assertThat(s.rate()).isZero();
    assertThat(s.mix()).isEqualTo(OpMix.SEARCH_ONLY);
    assertThat(s.bindDn()).isNull();
    assertThat(s.threads()).isBetween(1, 8);
  }

  @Test
  void eachModeHasItsMix() {
    assertThat(valid().mode("bind").build().mix()).isEqualTo(OpMix.BIND_ONLY);
    assertThat(valid().mode("connect").build().mix()).isEqualTo(OpMix.BIND_ONLY);
    assertThat(valid().mode("MIXED").build().mix()).isEqualTo(new OpMix(80, 10, 10));
    assertThat(valid().mode("mixed").mix("1:2:3").build().mix()).isEqualTo(new OpMix(1, 2, 3));
  }

  @Test
  void durationIsAlwaysBounded() {
    assertThatThrownBy(() -> valid().durationSeconds(0).build())
        .hasMessageContaining("--duration");
    assertThatThrownBy(() -> valid().durationSeconds(3601).build())
        .hasMessageContaining("at most 3600");
    assertThatThrownBy(() -> valid().durationSeconds(Double.NaN).build())
        .hasMessageContaining("--duration");
    assertThatThrownBy(() -> valid().warmupSeconds(-1).build()).hasMessageContaining("--warmup");
    assertThatThrownBy(() -> valid().warmupSeconds(601).build()).hasMessageContaining("--warmup");
    assertThat(valid().durationSeconds(3600).warmupSeconds(600).build().durationSeconds())
        .isEqualTo(3600);
  }

  @Test
  void countsAndRatesHaveSaneLimits() {
    assertThatThrownBy(() -> valid().connections(0).build()).hasMessageContaining("--connections");
    assertThatThrownBy(() -> valid().connections(10_001).build())
        .hasMessageContaining("--connections");
    assertThatThrownBy(() -> valid().inFlight(0).build()).hasMessageContaining("--in-flight");
    assertThatThrownBy(() -> valid().inFlight(1025).build()).hasMessageContaining("--in-flight");
    assertThatThrownBy(() -> valid().maxOps(-1).build()).hasMessageContaining("--max-ops");
    assertThatThrownBy(() -> valid().rate(-5).build()).hasMessageContaining("--rate");
    assertThatThrownBy(() -> valid().threads(0).build()).hasMessageContaining("--threads");
  }

  @Test
  void bindsGoOneAtATimePerConnection() {
    assertThatThrownBy(() -> valid().mode("bind").inFlight(2).build())
        .hasMessageContaining("RFC 4511 §4.2.1");
    assertThatThrownBy(() -> valid().mode("connect").inFlight(2).build())
        .hasMessageContaining("RFC 4511 §4.2.1");
    assertThat(valid().mode("mixed").inFlight(16).build().inFlight()).isEqualTo(16);
  }

  @Test
  void theSessionIdentityNeedsBothHalves() {
    assertThatThrownBy(() -> valid().bindPassword("secret").build())
        .hasMessageContaining("--bind-password needs --bind-dn");
    assertThatThrownBy(() -> valid().bindDn("cn=admin").build())
        .hasMessageContaining("non-empty --bind-password");
    assertThatThrownBy(() -> valid().bindDn("cn=admin").bindPassword("").build())
        .hasMessageContaining("non-empty --bind-password");
    BenchSettings s = valid().bindDn("cn=admin").bindPassword("secret").build();
    assertThat(s.bindDn()).isEqualTo("cn=admin");
  }

  @Test
  void urlModeMixAndTemplateAreChecked() {
    assertThatThrownBy(() -> valid().url("ldapi:///").build()).hasMessageContaining("--url");
    assertThat(valid().url("ldaps://host:636").caCertFile("ca.pem").build().caCertFile())
        .isEqualTo("ca.pem");
    assertThatThrownBy(() -> valid().caCertFile("ca.pem").build())
        .hasMessageContaining("--cacert applies to ldaps:// URLs only");
    assertThatThrownBy(() -> valid().resumeTls(false).build())
        .hasMessageContaining("--no-tls-resume applies to ldaps:// URLs only");
    assertThatThrownBy(() -> valid().url("ldap://:389").build())
        .hasMessageContaining("must name a host");
    assertThatThrownBy(() -> valid().mode("delete")).hasMessageContaining("unknown mode");
    assertThatThrownBy(() -> valid().mix("80:10:10").build())
        .hasMessageContaining("mixed mode only");
    assertThatThrownBy(() -> valid().mode("mixed").mix("80:20").build())
        .hasMessageContaining("SEARCH:BIND:MODIFY");
    assertThatThrownBy(() -> valid().mode("mixed").mix("0:0:0").build())
        .hasMessageContaining("all be zero");
    assertThatThrownBy(() -> valid().mode("mixed").mix("-1:1:1").build())
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> valid().mode("mixed").mix("a:1:1").build())
        .hasMessageContaining("not a whole number");
    assertThatThrownBy(() -> valid().dnTemplate("uid={9-1}").build())
        .hasMessageContaining("backwards");
    assertThatThrownBy(() -> valid().attributes(List.of("cn", "")).build())
        .hasMessageContaining("--attributes");
    assertThatThrownBy(() -> valid().modifyAttribute(" ").build())
        .hasMessageContaining("--modify-attribute");
  }

  @Test
  void idleModeTakesNoLoadOptions() {
    BenchSettings s = valid().mode("idle").connections(4750).durationSeconds(600).build();
    assertThat(s.mode()).isEqualTo(BenchMode.IDLE);
    assertThat(s.mix()).isEqualTo(OpMix.SEARCH_ONLY); // the one search each connection sends
    assertThatThrownBy(() -> valid().mode("idle").rate(10).build())
        .hasMessageContaining("idle mode sends no load");
    assertThatThrownBy(() -> valid().mode("idle").inFlight(2).build())
        .hasMessageContaining("--in-flight");
    assertThatThrownBy(() -> valid().mode("idle").warmupSeconds(1).build())
        .hasMessageContaining("--warmup");
    assertThatThrownBy(() -> valid().mode("idle").maxOps(5).build())
        .hasMessageContaining("--max-ops");
    assertThatThrownBy(() -> valid().mode("idle").connections(10_001).build())
        .hasMessageContaining("--connections");
  }
}
