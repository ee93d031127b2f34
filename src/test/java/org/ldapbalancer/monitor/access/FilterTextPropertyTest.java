package org.ldapbalancer.monitor.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.unboundid.ldap.sdk.Filter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * Random filters of every type, with values of any octets: what {@link FilterText} writes is one
 * line of RFC 4515 text that UnboundID's parser reads back as the same filter, octet for
 * octet.
 */
class FilterTextPropertyTest {
  private static final int EXAMPLES = 5_000;

  @Test
  void everyRenderedFilterParsesBackToItselfAndIsOneLine() {
    qt().withExamples(EXAMPLES)
        .withFixedSeed(20261201L)
        .forAll(filters())
        .checkAssert(filter -> {
          byte[] encoded = filter.encode().encode();
          ByteBuf buf = Unpooled.wrappedBuffer(encoded);
          StringBuilder out = new StringBuilder();
          try {
            assertThat(FilterText.append(out, buf, 0, encoded.length)).isEqualTo(encoded.length);
            String text = out.toString();
            assertThat(text).doesNotContain("\n", "\r", "\"");
            // The bytes, not Filter.equals, which treats an and/or with equal parts oddly.
            assertThat(Filter.create(text).encode().encode()).as(text).isEqualTo(encoded);
          } catch (Exception e) {
            throw new AssertionError(filter.toString(), e);
          }
        });
  }

  private static Gen<Filter> filters() {
    return in -> new Draw(in).filter(3);
  }

  private static final class Draw {
    private final RandomnessSource in;

    Draw(RandomnessSource in) {
      this.in = in;
    }

    int between(int min, int max) {
      return (int) in.next(Constraint.between(min, max));
    }

    boolean bool() {
      return between(0, 1) == 1;
    }

    /** Any octets, or UTF-8 text with the characters RFC 4515 escapes among others. */
    byte[] value(boolean nonEmpty) {
      if (bool()) {
        byte[] b = new byte[between(nonEmpty ? 1 : 0, 10)];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) between(0, 255);
        }
        return b;
      }
      String alphabet = "ab*()\\\"\u0000\n é日";
      StringBuilder s = new StringBuilder();
      for (int i = between(nonEmpty ? 1 : 0, 8); i > 0; i--) {
        s.append(alphabet.charAt(between(0, alphabet.length() - 1)));
      }
      return s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    String type() {
      String[] types = {"cn", "objectClass", "sn;lang-en", "2.5.4.3", "x-Attr"};
      return types[between(0, types.length - 1)];
    }

    Filter filter(int depth) {
      int choice = between(depth > 0 ? 0 : 3, 9);
      switch (choice) {
        case 0, 1 -> {
          List<Filter> parts = new ArrayList<>();
          for (int i = between(0, 3); i > 0; i--) {
            parts.add(filter(depth - 1));
          }
          return choice == 0 ? Filter.createANDFilter(parts) : Filter.createORFilter(parts);
        }
        case 2 -> {
          return Filter.createNOTFilter(filter(depth - 1));
        }
        case 3 -> {
          return Filter.createEqualityFilter(type(), value(false));
        }
        case 4 -> {
          byte[] initial = bool() ? value(true) : null;
          byte[][] any = new byte[between(0, 2)][];
          for (int i = 0; i < any.length; i++) {
            any[i] = value(true);
          }
          byte[] last = bool() || (initial == null && any.length == 0) ? value(true) : null;
          return Filter.createSubstringFilter(type(), initial, any, last);
        }
        case 5 -> {
          return Filter.createGreaterOrEqualFilter(type(), value(false));
        }
        case 6 -> {
          return Filter.createLessOrEqualFilter(type(), value(false));
        }
        case 7 -> {
          return Filter.createPresenceFilter(type());
        }
        case 8 -> {
          return Filter.createApproximateMatchFilter(type(), value(false));
        }
        default -> {
          int which = between(0, 2); // type, rule, or both
          return Filter.createExtensibleMatchFilter(
              which == 1 ? null : type(), which == 0 ? null : "caseIgnoreMatch", bool(),
              value(false));
        }
      }
    }
  }
}
