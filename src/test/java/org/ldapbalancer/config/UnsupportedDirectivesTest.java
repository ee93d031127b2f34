package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.config.ConfigFixture.SERVER;
import static org.ldapbalancer.config.ConfigFixture.parse;
import static org.ldapbalancer.config.ConfigFixture.warnings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnsupportedDirectivesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "argsfile /run/lloadd.args",
        "concurrency 8",
        "gentlehup on",
        "logfile-format syslog-utc",
        "logfile-only on",
        "logfile-rotate 5 100 24",
        "threads 16",
        "threadqueues 2",
        "max_pdus_per_cycle 1000",
        "tcp-buffer listener=ldap:/// 65536",
        "restrict write",
        "allow bind_v2",
        "disallow bind_anon",
        "timelimit 60",
        "sockbuf_max_incoming 262143",
        "backend lload",
        "TLSDHParamFile /etc/ssl/dh.pem",
        "TLSRandFile /dev/urandom",
        "TLSCACertificate MIIB"
      })
  void aKnownLloadDirectiveIsAcceptedWithAWarningNamingIt(String line) throws Exception {
    String name = line.split(" ")[0];

    assertThat(warnings(line, SERVER))
        .containsExactly("lloadd.conf:1: " + name + ": not supported yet, ignored");
  }

  @Test
  void everyListedNameIsAccepted() throws Exception {
    for (String name : UnsupportedDirectives.DIRECTIVES) {
      assertThat(parse(name + " x", SERVER).warnings()).hasSize(1);
    }
  }
}
