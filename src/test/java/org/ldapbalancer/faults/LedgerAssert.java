package org.ldapbalancer.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.ldapbalancer.bench.BenchResult;
import org.ldapbalancer.testing.BenchLoad;

/** The check every fault test makes of its load: each request got exactly one final response. */
final class LedgerAssert {
  private LedgerAssert() {}

  /**
   * Every request the load sent was answered once (none unanswered after the drain, no second
   * answers), none was lost with its connection, and every result code is one of {@code allowed}.
   */
  static BenchResult.Answers everyRequestAnsweredOnce(BenchLoad load, BenchResult result,
      Integer... allowed) {
    BenchResult.Answers a = result.answers();
    String context = a + "\n" + load.progress();
    assertThat(a.sent()).as("requests sent: %s", context).isPositive();
    assertThat(a.unanswered()).as("unanswered after the drain: %s", context).isZero();
    assertThat(a.unexpected()).as("answers to no outstanding request: %s", context).isZero();
    assertThat(a.lostWithConnection()).as("lost with their connection: %s", context).isZero();
    assertThat(a.answered()).isEqualTo(a.sent());
    assertThat(a.byResultCode().keySet()).as("result codes: %s", context)
        .isSubsetOf(Set.of(allowed));
    return a;
  }
}
