package org.ldapbalancer.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void aBoundBelongsToItsOwnBucketAndAboveItToTheNext() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(100_000); // exactly 100 µs: le="0.0001"
    h.record(100_001);
    h.record(-5); // a clock step: counted as zero
    h.record(11_000_000_000L); // above 10 s: +Inf only
    assertThat(h.bucket(0)).isEqualTo(2);
    assertThat(h.bucket(1)).isEqualTo(1);
    assertThat(h.bucket(LatencyHistogram.BUCKETS - 1)).isEqualTo(1);
    assertThat(h.count()).isEqualTo(4);
    assertThat(h.sumSeconds()).isCloseTo(0.0001 + 0.000100001 + 11, within(1e-9));
    assertThat(LatencyHistogram.upperBoundSeconds(LatencyHistogram.BUCKETS - 1)).isInfinite();
  }

  @Test
  void quantilesAreTheUpperBoundOfTheirBucket() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.quantileUpperBoundSeconds(0.99)).isZero();
    assertThat(h.meanSeconds()).isZero();
    for (int i = 0; i < 99; i++) {
      h.record(800_000); // 0.8 ms: le="0.001"
    }
    h.record(40_000_000); // 40 ms: le="0.05"
    assertThat(h.quantileUpperBoundSeconds(0.5)).isEqualTo(0.001);
    assertThat(h.quantileUpperBoundSeconds(0.99)).isEqualTo(0.001);
    assertThat(h.quantileUpperBoundSeconds(1.0)).isEqualTo(0.05);
    assertThat(h.meanSeconds()).isCloseTo((99 * 0.0008 + 0.04) / 100, within(1e-9));
  }

  @Test
  void copiesAddUp() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    a.record(1_000_000);
    b.record(1_000_000);
    b.record(3_000_000_000L);
    LatencyHistogram sum = a.copy();
    sum.add(b);
    a.record(1);
    assertThat(sum.count()).isEqualTo(3);
    assertThat(sum.bucket(3)).isEqualTo(2); // le="0.001"
    assertThat(sum.sumSeconds()).isCloseTo(3.002, within(1e-9));
  }
}
