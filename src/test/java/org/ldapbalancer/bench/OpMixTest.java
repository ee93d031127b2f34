package org.ldapbalancer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OpMixTest {
  @Test
  void drawsFollowTheWeights() {
    OpMix mix = OpMix.parse("80:10:10");
    SplittableRandom random = new SplittableRandom(7);
    Map<OpKind, Integer> counts = new EnumMap<>(OpKind.class);
    for (int i = 0; i < 100_000; i++) {
      counts.merge(mix.draw(random), 1, Integer::sum);
    }
    assertThat(counts.get(OpKind.SEARCH)).isBetween(79_000, 81_000);
    assertThat(counts.get(OpKind.BIND)).isBetween(9_500, 10_500);
    assertThat(counts.get(OpKind.MODIFY)).isBetween(9_500, 10_500);
  }

  @Test
  void aZeroWeightIsNeverDrawn() {
    OpMix mix = OpMix.parse(" 3 : 0 : 1 ");
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      assertThat(mix.draw(random)).isNotEqualTo(OpKind.BIND);
    }
    assertThat(mix.includes(OpKind.BIND)).isFalse();
    assertThat(mix.toString()).isEqualTo("3:0:1");
  }
}
