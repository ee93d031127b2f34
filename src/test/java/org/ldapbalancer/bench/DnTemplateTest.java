package org.ldapbalancer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DnTemplateTest {
  private final SplittableRandom random = new SplittableRandom(42);

  @Test
  void aRangeBecomesANumberWithinItBothEndsIncluded() {
    DnTemplate t = DnTemplate.parse("uid=user.{3-7},ou=people,dc=example,dc=com");
    Pattern shape = Pattern.compile("uid=user\\.(\\d+),ou=people,dc=example,dc=com");
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      Matcher m = shape.matcher(t.nextString(random));
      assertThat(m.matches()).isTrue();
      seen.add(Integer.parseInt(m.group(1)));
    }
    assertThat(seen).containsExactlyInAnyOrder(3, 4, 5, 6, 7);
  }

  @Test
  void everyRangeIsDrawnOnItsOwn() {
    DnTemplate t = DnTemplate.parse("cn={0-1}.{10-11},dc={100-100}");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      seen.add(t.nextString(random));
    }
    assertThat(seen).containsExactlyInAnyOrder(
        "cn=0.10,dc=100", "cn=0.11,dc=100", "cn=1.10,dc=100", "cn=1.11,dc=100");
    assertThat(t.ranges()).isEqualTo(3);
  }

  @Test
  void aTemplateWithoutRangesIsOneDn() {
    DnTemplate t = DnTemplate.parse("cn=admin,dc=example,dc=com");
    assertThat(t.nextString(random)).isEqualTo("cn=admin,dc=example,dc=com");
    assertThat(t.ranges()).isZero();
  }

  @Test
  void numbersAreWrittenInFullAtEveryWidth() {
    assertThat(DnTemplate.parse("x={0-0}").nextString(random)).isEqualTo("x=0");
    assertThat(DnTemplate.parse("x={9-9}").nextString(random)).isEqualTo("x=9");
    assertThat(DnTemplate.parse("x={10-10}").nextString(random)).isEqualTo("x=10");
    assertThat(DnTemplate.parse("x={999999999999999999-999999999999999999}").nextString(random))
        .isEqualTo("x=999999999999999999");
  }

  @Test
  void textAroundRangesKeepsItsUtf8() {
    assertThat(DnTemplate.parse("cn=Jörg {5-5},o=Zürich").nextString(random))
        .isEqualTo("cn=Jörg 5,o=Zürich");
  }

  @Test
  void badTemplatesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> DnTemplate.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> DnTemplate.parse("uid=user.{0-9"))
        .hasMessageContaining("unmatched '{'");
    assertThatThrownBy(() -> DnTemplate.parse("uid=user.0-9}"))
        .hasMessageContaining("unmatched '}'");
    assertThatThrownBy(() -> DnTemplate.parse("uid=user.{9-0}"))
        .hasMessageContaining("runs backwards");
    for (String bad : new String[] {"{}", "{5}", "{-5}", "{a-b}", "{1-}", "{-1-5}", "{1 - 5}",
        "{0-9999999999999999999}"}) {
      assertThatThrownBy(() -> DnTemplate.parse("uid=" + bad))
          .as(bad).hasMessageContaining("expected {FIRST-LAST}");
    }
  }
}
