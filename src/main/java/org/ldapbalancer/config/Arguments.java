package org.ldapbalancer.config;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks on a directive's arguments. Every failure is reported to {@link Problems} with the
 * directive's name and the offending value, and parsing goes on, so one run shows every mistake.
 */
final class Arguments {
  /**
   * An integer as C's {@code strtol} reads it with base 0, which is how lloadd reads every number
   * of its configuration ({@code lutil_atoix} and friends): decimal, {@code 0x} hexadecimal, or
   * octal after a leading {@code 0}.
   */
  private static final Pattern INTEGER =
      Pattern.compile("([+-]?)(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))");

  /** Digits after a leading zero that octal cannot hold: lloadd refuses "08" and "09". */
  private static final Pattern BAD_OCTAL = Pattern.compile("[+-]?0[0-9]+");

  private Arguments() {}

  /** Whether the directive has between {@code min} and {@code max} arguments. */
  static boolean count(LogicalLine directive, int min, int max, Problems problems) {
    int n = directive.args().size();
    if (n < min) {
      problems.error(directive, directive.name() + ": missing argument");
      return false;
    }
    if (n > max) {
      problems.error(
          directive,
          directive.name()
              + ": too many arguments (expected "
              + (min == max ? String.valueOf(max) : "at most " + max)
              + ", got "
              + n
              + ")");
      return false;
    }
    return true;
  }

  /**
   * An integer of at least {@code min}: decimal, {@code 0x...} or octal {@code 0...}, as lloadd
   * reads it.
   *
   * @param shown the value as the operator wrote it, for messages ({@code "abc"} or {@code
   *     numconns=abc})
   */
  static OptionalInt integer(
      LogicalLine directive,
      LogicalLine.Word word,
      String shown,
      String text,
      int min,
      Problems problems) {
    return integer(directive, word, shown, text, min, Integer.MAX_VALUE, problems);
  }

  /** An integer (as lloadd reads it) from {@code min} to {@code max}. */
  static OptionalInt integer(
      LogicalLine directive,
      LogicalLine.Word word,
      String shown,
      String text,
      int min,
      int max,
      Problems problems) {
    String prefix = directive.name() + ": bad value " + shown + ": ";
    Matcher m = INTEGER.matcher(text);
    if (!m.matches()) {
      problems.error(
          directive,
          word,
          prefix
              + (BAD_OCTAL.matcher(text).matches()
                  ? "not a number (a leading 0 makes it octal, as in lloadd)"
                  : "not a whole number"));
      return OptionalInt.empty();
    }
    boolean negative = m.group(1).equals("-");
    long value;
    try {
      long magnitude =
          m.group(2) != null
              ? Long.parseLong(m.group(2), 16)
              : m.group(3) != null ? Long.parseLong(m.group(3), 8) : Long.parseLong(m.group(4));
      value = negative ? -magnitude : magnitude;
    } catch (NumberFormatException e) {
      value = negative ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    if (value < min) {
      problems.error(directive, word, prefix + "must be at least " + min);
      return OptionalInt.empty();
    }
    if (value > max) {
      problems.error(directive, word, prefix + "must be at most " + max);
      return OptionalInt.empty();
    }
    return OptionalInt.of((int) value);
  }

  /** The single argument of a plain numeric directive such as {@code io-threads 4}. */
  static OptionalInt singleInteger(LogicalLine directive, int min, Problems problems) {
    return singleInteger(directive, min, Integer.MAX_VALUE, problems);
  }

  /** Like {@link #singleInteger(LogicalLine, int, Problems)}, at most {@code max}. */
  static OptionalInt singleInteger(LogicalLine directive, int min, int max, Problems problems) {
    if (!count(directive, 1, 1, problems)) {
      return OptionalInt.empty();
    }
    LogicalLine.Word word = directive.args().get(0);
    return integer(directive, word, '"' + word.text() + '"', word.text(), min, max, problems);
  }

  /**
   * Splits a {@code key=value} option; the key is matched case-insensitively, as lloadd does.
   *
   * @param echo whether a malformed word may be repeated in the message; not for {@code bindconf},
   *     where a stray word may well be a password ({@code credentials secret})
   */
  static Optional<KeyValue> keyValue(
      LogicalLine directive, LogicalLine.Word word, boolean echo, Problems problems) {
    int eq = word.text().indexOf('=');
    if (eq <= 0) {
      String got = echo ? ", got \"" + word.text() + '"' : "";
      problems.error(directive, word, directive.name() + ": expected key=value" + got);
      return Optional.empty();
    }
    return Optional.of(
        new KeyValue(word.text().substring(0, eq), word.text().substring(eq + 1), word));
  }

  /**
   * One {@code key=value} option of {@code bindconf} or {@code backend-server}.
   *
   * @param key as written
   * @param value everything after the first {@code =}
   * @param word where it was written
   */
  record KeyValue(String key, String value, LogicalLine.Word word) {
    String lowerKey() {
      return key.toLowerCase(java.util.Locale.ROOT);
    }

    /** The option as written, for messages about its value. */
    String shown() {
      return key + "=" + value;
    }
  }
}
