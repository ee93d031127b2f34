package org.ldapbalancer.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.balancing.SelectorTest.Conn;

/** The weighted and bestof tiers: how operations are spread, and what happens when servers fail. */
class WeightedAndBestOfTierTest {
  /** A server with a weight and a latency, one connection per server for simplicity. */
  static final class Server implements ServerEndpoints<Conn> {
    final List<Conn> conns = new ArrayList<>();
    final int weight;
    long latency;
    int pending;

    Server(String name, int weight) {
      this.weight = weight;
      conns.add(new Conn(name));
    }

    @Override
    public List<Conn> endpoints() {
      return conns;
    }

    @Override
    public int pendingOps() {
      return pending;
    }

    @Override
    public int maxPendingOps() {
      return 0;
    }

    @Override
    public int connMaxPending() {
      return 0;
    }

    @Override
    public int weight() {
      return weight;
    }

    @Override
    public long latencyNanos() {
      return latency;
    }
  }

  private static Map<String, Integer> draw(Tier<Conn> tier, int times) {
    Map<String, Integer> counts = new HashMap<>();
    SelectionOutcome outcome = new SelectionOutcome();
    for (int i = 0; i < times; i++) {
      outcome.reset();
      Conn c = tier.select(outcome);
      counts.merge(c == null ? "none" : c.name, 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void weightsTenToOneGiveTenToOne() {
    Server heavy = new Server("heavy", 10);
    Server light = new Server("light", 1);
    Map<String, Integer> counts = draw(Tier.weighted(List.of(heavy, light)), 22_000);
    // lloadd 2.6.14 sent 13 and 11,989 operations here: its order is inverted.
    double ratio = counts.get("heavy") / (double) counts.get("light");
    assertThat(ratio).isBetween(10 * 0.85, 10 * 1.15);
  }

  @Test
  void eachServerGetsItsShareWhateverTheWeights() {
    qt().withExamples(30)
        .forAll(lists().of(integers().between(1, 20)).ofSizeBetween(2, 6))
        .checkAssert(weights -> {
          List<Server> servers = new ArrayList<>();
          for (int i = 0; i < weights.size(); i++) {
            servers.add(new Server("s" + i, weights.get(i)));
          }
          int total = weights.stream().mapToInt(Integer::intValue).sum();
          int draws = 20_000;
          Map<String, Integer> counts = draw(Tier.weighted(servers), draws);
          for (int i = 0; i < weights.size(); i++) {
            double expected = draws * weights.get(i) / (double) total;
            int got = counts.getOrDefault("s" + i, 0);
            // Within 5 standard deviations of the binomial, so that the test does not flake.
            double sigma = Math.sqrt(expected * (1 - weights.get(i) / (double) total));
            assertThat(Math.abs(got - expected)).as("weights %s, server %d", weights, i)
                .isLessThanOrEqualTo(5 * sigma + 1);
          }
        });
  }

  @Test
  void weightZeroIsUsedOnlyWhenNoWeightedServerCanTakeTheOperation() {
    Server spare = new Server("spare", 0);
    Server a = new Server("a", 3);
    Server b = new Server("b", 1);
    Tier<Conn> tier = Tier.weighted(List.of(spare, a, b));
    assertThat(draw(tier, 2000)).doesNotContainKey("spare").doesNotContainKey("none");

    a.conns.get(0).ready = false;
    assertThat(draw(tier, 500)).containsOnlyKeys("b"); // a drawn, refused, b drawn instead
    b.conns.get(0).ready = false;
    assertThat(draw(tier, 10)).containsOnlyKeys("spare");
    spare.conns.get(0).ready = false;
    SelectionOutcome outcome = new SelectionOutcome();
    assertThat(tier.select(outcome)).isNull();
    assertThat(outcome.refusal()).isEqualTo(Refusal.UNAVAILABLE);
  }

  @Test
  void allWeightsZeroSpreadsInTurn() {
    Tier<Conn> tier = Tier.weighted(List.of(new Server("a", 0), new Server("b", 0)));
    assertThat(draw(tier, 1000)).containsEntry("a", 500).containsEntry("b", 500);
  }

  @Test
  void bestOfPrefersTheFasterOfEveryPair() {
    Server fast = new Server("fast", 0);
    Server slow = new Server("slow", 0);
    fast.latency = 1_000_000;
    slow.latency = 10_000_000;
    Tier<Conn> two = Tier.bestOf(List.of(fast, slow));
    assertThat(draw(two, 1000)).containsOnlyKeys("fast");

    // Three servers: the slowest never wins a pair; the two fast ones share the load.
    Server other = new Server("other", 0);
    other.latency = 1_000_000;
    Map<String, Integer> three = draw(Tier.bestOf(List.of(fast, slow, other)), 6000);
    assertThat(three).doesNotContainKey("slow");
    assertThat(three.get("fast")).isBetween(2400, 3600);

    // A faster server that cannot take the operation hands it to the other of the pair.
    fast.conns.get(0).ready = false;
    assertThat(draw(two, 100)).containsOnlyKeys("slow");
  }

  @Test
  void bestOfScalesLatencyByAWeightAboveOne() {
    Server a = new Server("a", 20); // 1 ms × 20
    Server b = new Server("b", 0); // 10 ms
    a.latency = 1_000_000;
    b.latency = 10_000_000;
    assertThat(draw(Tier.bestOf(List.of(a, b)), 200)).containsOnlyKeys("b");
  }

  @Test
  void bestOfCountsOperationsInFlightSoThatTheFasterServerDoesNotTakeEverything() {
    // 10 % faster alone would win every pair; with three operations in flight there against
    // none at the other, the other's expected wait is lower.
    Server fast = new Server("fast", 0);
    Server slow = new Server("slow", 0);
    fast.latency = 1_000_000;
    slow.latency = 1_100_000;
    Tier<Conn> two = Tier.bestOf(List.of(fast, slow));
    assertThat(draw(two, 100)).containsOnlyKeys("fast");
    fast.pending = 3;
    assertThat(draw(two, 100)).containsOnlyKeys("slow");
    // Equal load again: speed decides.
    slow.pending = 3;
    assertThat(draw(two, 100)).containsOnlyKeys("fast");
  }

  @Test
  void bestOfTriesAServerNotYetMeasuredFirst() {
    Server measured = new Server("measured", 0);
    Server fresh = new Server("fresh", 0);
    measured.latency = 50_000;
    assertThat(draw(Tier.bestOf(List.of(measured, fresh)), 100)).containsOnlyKeys("fresh");
  }
}
