package org.ldapbalancer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PacerTest {
  private static final long MS = 1_000_000;

  @Test
  void unpacedNeverWaits() {
    Pacer pacer = Pacer.unpaced();
    for (int i = 0; i < 1000; i++) {
      assertThat(pacer.take(0)).isZero();
    }
  }

  @Test
  void tokensFollowTheSchedule() {
    Pacer pacer = new Pacer(100); // one every 10 ms
    long t = 5_000 * MS;
    assertThat(pacer.take(t)).isZero();
    assertThat(pacer.take(t)).isEqualTo(10 * MS);
    assertThat(pacer.take(t + 4 * MS)).isEqualTo(6 * MS);
    assertThat(pacer.take(t + 10 * MS)).isZero();
    assertThat(pacer.take(t + 10 * MS)).isEqualTo(10 * MS);
  }

  @Test
  void aLatePacerCatchesUp() {
    Pacer pacer = new Pacer(1000); // one every millisecond
    assertThat(pacer.take(0)).isZero();
    int burst = 0;
    while (pacer.take(5 * MS) == 0) {
      burst++;
    }
    assertThat(burst).isEqualTo(5); // the tokens due at 1..5 ms
  }

  @Test
  void sharedRatesAreStaggered() {
    Pacer first = new Pacer(10, 0, 4); // one every 100 ms each
    Pacer third = new Pacer(10, 2, 4);
    assertThat(first.take(0)).isZero();
    assertThat(third.take(0)).isEqualTo(50 * MS);
    assertThat(third.take(50 * MS)).isZero();
  }
}
