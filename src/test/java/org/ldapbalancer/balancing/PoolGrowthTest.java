package org.ldapbalancer.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoolGrowthTest {
  private record Conn(boolean isReady, boolean isWritable, int pendingOps) implements Endpoint {}

  private static Conn pending(int n) {
    return new Conn(true, true, n);
  }

  @Test
  void growsWhenEveryConnectionIsAtThreeQuartersOfItsLimit() {
    assertThat(PoolGrowth.allLoaded(List.of(pending(3), pending(4)), 4)).isTrue();
    assertThat(PoolGrowth.allLoaded(List.of(pending(3), pending(2)), 4)).isFalse();
    assertThat(PoolGrowth.allLoaded(List.of(pending(15)), 20)).isTrue();
    assertThat(PoolGrowth.allLoaded(List.of(pending(14)), 20)).isFalse();
  }

  @Test
  void aBackloggedConnectionCountsAsLoadedWhateverItsCount() {
    Conn backlogged = new Conn(true, false, 0);
    assertThat(PoolGrowth.allLoaded(List.of(backlogged), 0)).isTrue();
    assertThat(PoolGrowth.allLoaded(List.of(backlogged, pending(1)), 0)).isFalse();
  }

  @Test
  void withoutAPendingLimitOnlyBacklogsCount() {
    assertThat(PoolGrowth.allLoaded(List.of(pending(1000)), 0)).isFalse();
  }

  @Test
  void connectionsNotReadyAreLeftOutAndNoneReadyIsNoReasonToGrow() {
    Conn settingUp = new Conn(false, true, 0);
    assertThat(PoolGrowth.allLoaded(List.of(settingUp, pending(4)), 4)).isTrue();
    assertThat(PoolGrowth.allLoaded(List.of(settingUp), 4)).isFalse();
    assertThat(PoolGrowth.allLoaded(List.of(), 4)).isFalse();
  }
}
