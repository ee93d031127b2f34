package org.ldapbalancer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleTallyTest {
  @Test
  void everyOutcomeOfASetUpGivesItsPermitBack() throws Exception {
    IdleTally tally = new IdleTally(2);
    assertThat(tally.awaitPermit(0)).isTrue();
    assertThat(tally.awaitPermit(0)).isTrue();
    assertThat(tally.awaitPermit(10)).isFalse(); // two setting up: the third waits
    tally.setUp(0);
    assertThat(tally.awaitPermit(0)).isTrue();
    tally.failed("cannot connect");
    assertThat(tally.awaitPermit(0)).isTrue();
    tally.refused("refused the session bind");
    assertThat(tally.awaitPermit(0)).isTrue();
  }

  @Test
  void countsOpenLostAndFailedConnections() {
    IdleTally tally = new IdleTally(8);
    tally.setUp(0);
    tally.setUp(32); // noSuchObject: set up all the same, and counted as a search error
    tally.setUp(0);
    tally.failed("cannot connect: refused");
    tally.lost("the server closed the connection");
    tally.closedByUs();
    assertThat(tally.setUp()).isEqualTo(3);
    assertThat(tally.searchErrors()).isEqualTo(1);
    assertThat(tally.failed()).isEqualTo(1);
    assertThat(tally.lost()).isEqualTo(1);
    assertThat(tally.open()).isEqualTo(1);
    assertThat(tally.firstFailure()).isEqualTo("cannot connect: refused");
    assertThat(tally.refusal()).isNull();
  }
}
