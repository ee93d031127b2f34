package org.ldapbalancer.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A DN with numeric ranges, such as {@code uid=user.{0-9999},ou=people,dc=example,dc=com}: each
 * {@code {FIRST-LAST}} becomes a uniformly random integer from FIRST to LAST inclusive, drawn
 * afresh for every operation so that the load spreads over the directory's entries as real
 * clients would (and is not served from one hot cache line).
 *
 * <p>Immutable and thread-safe; the caller supplies the random generator (its event loop's
 * {@code ThreadLocalRandom} on the hot path, a seeded one in tests).
 */
public final class DnTemplate {
  /** Up to 18 digits, so that LAST + 1 never overflows a long. */
  private static final int MAX_DIGITS = 18;

  private final String text;
  /** Literal pieces, UTF-8; there is one more literal than ranges (possibly empty). */
  private final byte[][] literals;
  private final long[] firsts;
  private final long[] lasts;
  private final int literalLength;

  private DnTemplate(String text, List<byte[]> literals, List<long[]> ranges) {
    this.text = text;
    this.literals = literals.toArray(new byte[0][]);
    this.firsts = new long[ranges.size()];
    this.lasts = new long[ranges.size()];
    for (int i = 0; i < ranges.size(); i++) {
      firsts[i] = ranges.get(i)[0];
      lasts[i] = ranges.get(i)[1];
    }
    int length = 0;
    for (byte[] literal : this.literals) {
      length += literal.length;
    }
    this.literalLength = length;
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException with a message fit for the command line
   */
  public static DnTemplate parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("the DN template is empty");
    }
    List<byte[]> literals = new ArrayList<>();
    List<long[]> ranges = new ArrayList<>();
    int literalStart = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '}') {
        throw new IllegalArgumentException(
            "unmatched '}' at position " + (i + 1) + " in DN template " + text);
      }
      if (c != '{') {
        i++;
        continue;
      }
      int close = text.indexOf('}', i);
      if (close < 0) {
        throw new IllegalArgumentException(
            "unmatched '{' at position " + (i + 1) + " in DN template " + text);
      }
      literals.add(utf8(text.substring(literalStart, i)));
      ranges.add(range(text, text.substring(i + 1, close)));
      i = close + 1;
      literalStart = i;
    }
    literals.add(utf8(text.substring(literalStart)));
    return new DnTemplate(text, literals, ranges);
  }

  private static long[] range(String template, String inside) {
    int dash = inside.indexOf('-');
    if (dash <= 0 || dash == inside.length() - 1) {
      throw badRange(template, inside);
    }
    String first = inside.substring(0, dash);
    String last = inside.substring(dash + 1);
    if (!isNumber(first) || !isNumber(last)) {
      throw badRange(template, inside);
    }
    long a = Long.parseLong(first);
    long b = Long.parseLong(last);
    if (a > b) {
      throw new IllegalArgumentException(
          "range {" + inside + "} in DN template " + template + " runs backwards");
    }
    return new long[] {a, b};
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty() || s.length() > MAX_DIGITS) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static IllegalArgumentException badRange(String template, String inside) {
    return new IllegalArgumentException(
        "bad range {" + inside + "} in DN template " + template
            + ": expected {FIRST-LAST} with non-negative integers, e.g. {0-9999}");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The number of ranges in the template. */
  public int ranges() {
    return firsts.length;
  }

  /**
   * One expansion, UTF-8 encoded as it goes on the wire. A small array per operation: cheaper
   * than formatting a String and encoding it, and far below what the server spends on the
   * request.
   */
  public byte[] next(RandomGenerator random) {
    if (firsts.length == 0) {
      return literals[0];
    }
    long[] values = new long[firsts.length];
    int length = literalLength;
    for (int i = 0; i < values.length; i++) {
      values[i] = firsts[i] == lasts[i] ? firsts[i] : random.nextLong(firsts[i], lasts[i] + 1);
      length += digits(values[i]);
    }
    byte[] out = new byte[length];
    int at = 0;
    for (int i = 0; i < values.length; i++) {
      System.arraycopy(literals[i], 0, out, at, literals[i].length);
      at += literals[i].length;
      at = writeDigits(out, at, values[i]);
    }
    byte[] tail = literals[values.length];
    System.arraycopy(tail, 0, out, at, tail.length);
    return out;
  }

  /** One expansion as text; for messages and tests, not the hot path. */
  public String nextString(RandomGenerator random) {
    return new String(next(random), StandardCharsets.UTF_8);
  }

  private static int digits(long value) {
    int n = 1;
    while (value >= 10) {
      value /= 10;
      n++;
    }
    return n;
  }

  private static int writeDigits(byte[] out, int at, long value) {
    int end = at + digits(value);
    int i = end;
    do {
      out[--i] = (byte) ('0' + value % 10);
      value /= 10;
    } while (value > 0);
    return end;
  }

  @Override
  public String toString() {
    return text;
  }
}
