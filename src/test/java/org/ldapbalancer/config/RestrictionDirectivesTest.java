package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.config.ConfigFixture.SERVER;
import static org.ldapbalancer.config.ConfigFixture.errors;
import static org.ldapbalancer.config.ConfigFixture.parse;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RestrictionDirectivesTest {

  @Test
  void withoutDirectivesNothingIsRestricted() throws Exception {
    assertThat(parse(SERVER).restrictions()).isEqualTo(Restrictions.NONE);
  }

  @Test
  void everyActionOfLloaddIsReadCaseInsensitively() throws Exception {
    Restrictions r =
        parse(
                "restrict_exop 1.3.6.1.1.8 REJECT",
                "restrict_exop 1.3.6.1.1.21.1 connection",
                "restrict_exop 1.1 write",
                "restrict_control 1.2.840.113556.1.4.319 Connection",
                "restrict_control 2.16.840.1.113730.3.4.9 backend",
                "restrict_control 1.3.6.1.4.1.4203.1.10.1 ignore",
                "write_coherence -1",
                SERVER)
            .restrictions();

    assertThat(r.exops())
        .isEqualTo(
            Map.of(
                "1.3.6.1.1.8", RestrictAction.REJECT,
                "1.3.6.1.1.21.1", RestrictAction.CONNECTION));
    assertThat(r.exopDefault()).isEqualTo(RestrictAction.WRITE);
    assertThat(r.controls())
        .isEqualTo(
            Map.of(
                "1.2.840.113556.1.4.319", RestrictAction.CONNECTION,
                "2.16.840.1.113730.3.4.9", RestrictAction.BACKEND,
                "1.3.6.1.4.1.4203.1.10.1", RestrictAction.IGNORE));
    assertThat(r.writeCoherenceSeconds()).isEqualTo(-1);
  }

  @Test
  void isolateIsAcceptedAndPinsTheConnectionAsInLloadd() throws Exception {
    Restrictions r =
        parse("restrict_exop 1.3.6.1.1.21.1 Isolate", "restrict_control 1.2.3 isolate", SERVER)
            .restrictions();

    assertThat(r.exops()).containsEntry("1.3.6.1.1.21.1", RestrictAction.ISOLATE);
    assertThat(r.controls()).containsEntry("1.2.3", RestrictAction.ISOLATE);
    assertThat(RestrictAction.ISOLATE.pinsConnection()).isTrue();
    assertThat(RestrictAction.ISOLATE.word()).isEqualTo("isolate");
    // lloadd's order of priority: above connection, below reject.
    assertThat(RestrictAction.ISOLATE)
        .isGreaterThan(RestrictAction.CONNECTION)
        .isLessThan(RestrictAction.REJECT);
  }

  @Test
  void aBadOidOrActionIsAnErrorNamingFileLineAndWord() {
    assertThat(
            errors(
                "restrict_exop cancel reject",
                "restrict_control 1.2.840.113556.1.4.319 pin",
                "restrict_control 1..2 reject",
                SERVER))
        .containsExactly(
            "lloadd.conf:1: restrict_exop: bad OID \"cancel\" (expected a numeric OID such as"
                + " 1.3.6.1.1.8)",
            "lloadd.conf:2: restrict_control: unknown action \"pin\" (expected reject,"
                + " isolate, connection, backend, write or ignore)",
            "lloadd.conf:3: restrict_control: bad OID \"1..2\" (expected a numeric OID such as"
                + " 1.2.840.113556.1.4.319)");
  }

  @Test
  void theSameOidTwiceOrASecondDefaultIsAnError() {
    assertThat(
            errors(
                "restrict_exop 1.3.6.1.1.8 reject",
                "restrict_exop 1.3.6.1.1.8 ignore",
                "restrict_exop 1.1 reject",
                "restrict_exop 1.1 ignore",
                "restrict_control 1.2.3 write",
                "restrict_control 1.2.3 write",
                SERVER))
        .containsExactly(
            "lloadd.conf:2: restrict_exop: extended operation 1.3.6.1.1.8 already restricted",
            "lloadd.conf:4: restrict_exop: default (1.1) already set",
            "lloadd.conf:6: restrict_control: control 1.2.3 already restricted");
  }

  @Test
  void aMissingArgumentOrABadNumberIsAnError() {
    assertThat(errors("restrict_exop 1.3.6.1.1.8", "write_coherence soon", SERVER))
        .containsExactly(
            "lloadd.conf:1: restrict_exop: missing argument",
            "lloadd.conf:2: write_coherence: bad value \"soon\": not a whole number");
  }
}
