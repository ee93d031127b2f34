package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** bestof's moving average of a server's response times, and how it ages between samples. */
class ResponseTimeTest {
  private static final long MS = 1_000_000;

  @Test
  void theFirstSampleIsTheAverageAndLaterOnesWeighAnEighth() {
    ResponseTime t = new ResponseTime();
    assertThat(t.nanos()).isZero();
    t.sample(8 * MS, 0);
    assertThat(t.nanos()).isEqualTo(8 * MS);
    t.sample(16 * MS, 1);
    assertThat(t.nanos()).isEqualTo(9 * MS);
    t.sample(-1, 2); // no measurement
    assertThat(t.nanos()).isEqualTo(9 * MS);
  }

  @Test
  void aServerThatGetsNothingDriftsBackDownHalvingEachSweep() {
    ResponseTime t = new ResponseTime();
    t.sample(80 * MS, 0);
    t.age(100 * MS, 0); // answered since the last sweep: kept
    assertThat(t.nanos()).isEqualTo(80 * MS);
    t.age(200 * MS, 0);
    assertThat(t.nanos()).isEqualTo(40 * MS);
    t.age(300 * MS, 0);
    assertThat(t.nanos()).isEqualTo(20 * MS);
  }

  @Test
  void aServerWithOperationsOutstandingAndNoAnswerIsAtLeastThatSlow() {
    ResponseTime t = new ResponseTime();
    t.sample(MS, 100 * MS);
    t.age(600 * MS, 3); // nothing answered for 500 ms while three wait
    assertThat(t.nanos()).isEqualTo(500 * MS);
    t.age(1000 * MS, 3);
    assertThat(t.nanos()).isEqualTo(900 * MS);
    t.age(1000 * MS, 3); // not longer than the average now: kept, not halved while work waits
    assertThat(t.nanos()).isEqualTo(900 * MS);
  }
}
