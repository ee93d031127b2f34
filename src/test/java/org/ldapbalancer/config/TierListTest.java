package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.config.ConfigFixture.errors;
import static org.ldapbalancer.config.ConfigFixture.parse;

import java.util.List;
import org.junit.jupiter.api.Test;

class TierListTest {

  private static List<List<String>> serverNames(BalancerConfig config) {
    return config.tiers().stream()
        .map(t -> t.servers().stream().map(BackendServer::name).toList())
        .toList();
  }

  @Test
  void serversBeforeAnyTierFormAnImplicitRoundRobinTier() throws Exception {
    // An lloadd 2.5 file: no tier directive at all.
    BalancerConfig config =
        parse("backend-server uri=ldap://a.example", "backend-server uri=ldap://b.example");

    assertThat(config.tiers())
        .singleElement()
        .extracting(Tier::policy)
        .isEqualTo(TierPolicy.ROUNDROBIN);
    assertThat(serverNames(config))
        .containsExactly(List.of("ldap://a.example:389", "ldap://b.example:389"));
  }

  @Test
  void eachTierDirectiveStartsANewTierInFileOrder() throws Exception {
    BalancerConfig config =
        parse(
            "backend-server uri=ldap://implicit.example",
            "tier roundrobin",
            "backend-server uri=ldap://a.example",
            "backend-server uri=ldap://b.example",
            "TIER RoundRobin",
            "backend-server uri=ldap://c.example");

    assertThat(serverNames(config))
        .containsExactly(
            List.of("ldap://implicit.example:389"),
            List.of("ldap://a.example:389", "ldap://b.example:389"),
            List.of("ldap://c.example:389"));
    assertThat(config.servers()).hasSize(4);
  }

  @Test
  void anEmptyTierIsDroppedWithAWarning() throws Exception {
    BalancerConfig config =
        parse("tier roundrobin", "tier roundrobin", "backend-server uri=ldap://a.example");

    assertThat(config.tiers()).hasSize(1);
    assertThat(config.warnings())
        .extracting(ConfigProblem::toString)
        .containsExactly("lloadd.conf:1: tier has no backend-server; ignored");
  }

  @Test
  void weightedAndBestofTiersAreReadWithTheirServersWeights() throws Exception {
    BalancerConfig config =
        parse(
            "tier weighted",
            "backend-server uri=ldap://a.example weight=10",
            "backend-server uri=ldap://b.example weight=1",
            "backend-server uri=ldap://c.example",
            "tier bestof",
            "backend-server uri=ldap://d.example");

    assertThat(config.tiers()).extracting(Tier::policy)
        .containsExactly(TierPolicy.WEIGHTED, TierPolicy.BESTOF);
    assertThat(config.tiers().get(0).servers()).extracting(BackendServer::weight)
        .containsExactly(10, 1, 0);
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void anUnknownTierTypeOrAMissingOneIsAnError() {
    assertThat(
            errors(
                "tier random",
                "backend-server uri=ldap://a.example",
                "tier",
                "backend-server uri=ldap://b.example",
                "tier roundrobin extra",
                "backend-server uri=ldap://c.example"))
        .containsExactly(
            "lloadd.conf:1: tier: unknown tier type \"random\" (lloadd knows roundrobin, weighted"
                + " and bestof)",
            "lloadd.conf:3: tier: missing argument",
            "lloadd.conf:5: tier: too many arguments (expected 1, got 2)");
  }
}
