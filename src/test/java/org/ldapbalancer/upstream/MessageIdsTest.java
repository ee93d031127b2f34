package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
  private static final int MAX = Integer.MAX_VALUE;

  @Test
  void countsUpFromTheFirstId() {
    MessageIds ids = new MessageIds(1);
    assertThat(ids.next(id -> false)).isEqualTo(1);
    assertThat(ids.next(id -> false)).isEqualTo(2);
    assertThat(ids.next(id -> false)).isEqualTo(3);
  }

  @Test
  void wrapsFromTheLargestIdToOne() {
    MessageIds ids = new MessageIds(MAX - 1);
    assertThat(ids.next(id -> false)).isEqualTo(MAX - 1);
    assertThat(ids.next(id -> false)).isEqualTo(MAX);
    assertThat(ids.next(id -> false)).as("never 0 or negative").isEqualTo(1);
    assertThat(ids.next(id -> false)).isEqualTo(2);
  }

  @Test
  void skipsIdsInUse() {
    MessageIds ids = new MessageIds(5);
    Set<Integer> inUse = Set.of(5, 6, 8);
    assertThat(ids.next(inUse::contains)).isEqualTo(7);
    assertThat(ids.next(inUse::contains)).isEqualTo(9);
  }

  @Test
  void skipsIdsInUseAcrossTheWrap() {
    MessageIds ids = new MessageIds(MAX);
    Set<Integer> inUse = Set.of(MAX, 1, 2);
    assertThat(ids.next(inUse::contains)).isEqualTo(3);
    assertThat(ids.next(inUse::contains)).isEqualTo(4);
  }

  @Test
  void anIdFreedLaterIsHandedOutOnTheNextRound() {
    MessageIds ids = new MessageIds(MAX - 2);
    Set<Integer> inUse = new HashSet<>(Set.of(MAX - 1));
    assertThat(ids.next(inUse::contains)).isEqualTo(MAX - 2);
    assertThat(ids.next(inUse::contains)).isEqualTo(MAX);
    inUse.remove(MAX - 1);
    assertThat(ids.next(inUse::contains)).isEqualTo(1);
  }

  @Test
  void refusesAFirstIdBelowOne() {
    assertThatThrownBy(() -> new MessageIds(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MessageIds(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void handsOutValidIdsNotInUseAndNeverTheSameTwiceWhileHeld() {
    qt().forAll(integers().between(1, MAX), lists().of(integers().between(-50, 50))
            .ofSizeBetween(0, 40), integers().between(1, 200))
        .checkAssert((first, offsets, count) -> {
          // IDs in use around the starting point, some of them across the wrap.
          Set<Integer> inUse = new HashSet<>();
          for (int offset : offsets) {
            long id = (long) first + offset;
            if (id > MAX) {
              id -= MAX;
            }
            if (id >= 1) {
              inUse.add((int) id);
            }
          }
          MessageIds ids = new MessageIds(first);
          for (int i = 0; i < count; i++) {
            int id = ids.next(inUse::contains);
            assertThat(id).isBetween(1, MAX);
            assertThat(inUse.add(id)).as("id %d was free", id).isTrue();
          }
        });
  }
}
