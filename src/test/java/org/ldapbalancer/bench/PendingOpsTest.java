package org.ldapbalancer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PendingOpsTest {
  @Test
  void aResponseFindsItsRequest() {
    PendingOps pending = new PendingOps(3);
    int a = pending.begin(OpKind.SEARCH, true, 100);
    int b = pending.begin(OpKind.MODIFY, false, 200);
    assertThat(a).isEqualTo(1);
    assertThat(pending.size()).isEqualTo(2);
    int slot = pending.slotOf(b);
    assertThat(pending.kind(slot)).isEqualTo(OpKind.MODIFY);
    assertThat(pending.startNanos(slot)).isEqualTo(200);
    assertThat(pending.measured(slot)).isFalse();
    pending.end(slot);
    assertThat(pending.slotOf(b)).isEqualTo(-1);
    assertThat(pending.slotOf(a)).isNotNegative();
    assertThat(pending.slotOf(0)).isEqualTo(-1);
    assertThat(pending.slotOf(12345)).isEqualTo(-1);
  }

  @Test
  void outstandingIdsAreUniqueWhenResponsesComeOutOfOrder() {
    PendingOps pending = new PendingOps(8);
    SplittableRandom random = new SplittableRandom(1);
    Deque<Integer> outstanding = new ArrayDeque<>();
    for (int round = 0; round < 100_000; round++) {
      while (pending.size() < 8) {
        int id = pending.begin(OpKind.SEARCH, true, round);
        assertThat(id).isPositive();
        outstanding.add(id);
      }
      Set<Integer> unique = new HashSet<>(outstanding);
      assertThat(unique).hasSize(outstanding.size());
      // answer a random one, so that one slot may stay busy for a long time
      Integer answered = outstanding.stream().skip(random.nextInt(outstanding.size()))
          .findFirst().orElseThrow();
      outstanding.remove(answered);
      pending.end(pending.slotOf(answered));
    }
  }

  @Test
  void idsStayPositiveWhenGenerationsWrap() {
    PendingOps pending = new PendingOps(1);
    int last = 0;
    for (int i = 0; i < 10; i++) {
      last = pending.begin(OpKind.BIND, true, 0);
      pending.end(pending.slotOf(last));
    }
    assertThat(last).isEqualTo(10);
    assertThatThrownBy(() -> {
      pending.begin(OpKind.BIND, true, 0);
      pending.begin(OpKind.BIND, true, 0);
    }).isInstanceOf(IllegalStateException.class);
  }
}
