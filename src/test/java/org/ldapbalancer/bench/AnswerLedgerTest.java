package org.ldapbalancer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AnswerLedgerTest {
  @Test
  void whatIsNeitherAnsweredNorLostIsUnanswered() {
    AnswerLedger ledger = new AnswerLedger();
    for (int i = 0; i < 10; i++) {
      ledger.sent();
    }
    ledger.answered(0);
    ledger.answered(0);
    ledger.answered(80);
    ledger.lost(4);
    ledger.lost(0);
    assertThat(ledger.outstanding()).isEqualTo(3);
    ledger.close();
    BenchResult.Answers a = ledger.snapshot(5, 1.5);
    assertThat(a.sent()).isEqualTo(10);
    assertThat(a.answered()).isEqualTo(3);
    assertThat(a.byResultCode()).containsExactly(Map.entry(0, 2L), Map.entry(80, 1L));
    assertThat(a.lostWithConnection()).isEqualTo(4);
    assertThat(a.unanswered()).isEqualTo(3);
    assertThat(a.drainSeconds()).isEqualTo(5);
    assertThat(a.drainedSeconds()).isEqualTo(1.5);
    assertThat(a.everyRequestAnsweredOnce()).isFalse();
  }

  @Test
  void nothingCountsAfterTheClose() {
    AnswerLedger ledger = new AnswerLedger();
    ledger.sent();
    ledger.answered(0);
    ledger.close();
    ledger.sent();
    ledger.answered(0);
    ledger.lost(3);
    ledger.unexpected();
    ledger.notice();
    BenchResult.Answers a = ledger.snapshot(0, 0);
    assertThat(a).isEqualTo(new BenchResult.Answers(1, 1, Map.of(0, 1L), 0, 0, 0, 0, 0, 0));
    assertThat(a.everyRequestAnsweredOnce()).isTrue();
  }
}
