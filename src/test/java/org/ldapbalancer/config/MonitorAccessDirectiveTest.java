package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.config.ConfigFixture.SERVER;
import static org.ldapbalancer.config.ConfigFixture.errors;
import static org.ldapbalancer.config.ConfigFixture.parse;

import org.junit.jupiter.api.Test;

class MonitorAccessDirectiveTest {

  @Test
  void dnsAccumulateOverRepeatedLines() throws Exception {
    BalancerConfig config =
        parse(
            "monitor-access cn=ops,dc=example,dc=com \"uid=jo smith,ou=people,dc=example,dc=com\"",
            "monitor-access cn=nagios+uid=check,dc=example,dc=com",
            SERVER);

    assertThat(config.monitorAccess())
        .containsExactly(
            "cn=ops,dc=example,dc=com",
            "uid=jo smith,ou=people,dc=example,dc=com",
            "cn=nagios+uid=check,dc=example,dc=com");
  }

  @Test
  void noneByDefault() throws Exception {
    assertThat(parse(SERVER).monitorAccess()).isEmpty();
  }

  @Test
  void somethingThatIsNotADnIsAnErrorWithItsLine() {
    assertThat(errors(SERVER, "monitor-access cn=ops,dc=example,dc=com admins"))
        .singleElement()
        .asString()
        .contains(":2:")
        .contains("\"admins\" is not a DN");
    assertThat(errors("monitor-access cn=ops,", SERVER)).hasSize(1);
    assertThat(errors("monitor-access =x", SERVER)).hasSize(1);
    assertThat(errors("monitor-access", SERVER)).hasSize(1);
  }
}
