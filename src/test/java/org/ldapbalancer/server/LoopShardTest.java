package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoopShardTest {

  @Test
  void connectionsAreSpreadOverTheLoopsWithAtLeastOneEach() {
    assertThat(LoopShard.share(5, 0, 2)).isEqualTo(3);
    assertThat(LoopShard.share(5, 1, 2)).isEqualTo(2);
    assertThat(LoopShard.share(1, 3, 4)).isEqualTo(1);
  }

  @Test
  void aPendingLimitIsSharedRoundingUp() {
    assertThat(LoopShard.ceilShare(10, 4)).isEqualTo(3);
    assertThat(LoopShard.ceilShare(1, 4)).isEqualTo(1);
  }

  @Test
  void theLargestPendingLimitDoesNotOverflowIntoALimitOfOne() {
    // max-pending-ops=2147483647 is valid; an int sum wrapped it to a negative share, then 1.
    assertThat(LoopShard.ceilShare(Integer.MAX_VALUE, 2)).isEqualTo(1 << 30);
    assertThat(LoopShard.ceilShare(Integer.MAX_VALUE, 16)).isEqualTo((1 << 27));
  }
}
