package org.ldapbalancer.config;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Checks on a directive's arguments. Every failure is reported to {@link Problems} with the
 * directive's name and the offending value, and parsing goes on, so one run shows every mistake.
 */
final class Arguments {
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

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
   * A decimal integer of at least {@code min}.
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

  /** A decimal integer from {@code min} to {@code max}. */
  static OptionalInt integer(
      LogicalLine directive,
      LogicalLine.Word word,
      String shown,
      String text,
      int min,
      int max,
      Problems problems) {
    String prefix = directive.name() + ": bad value " + shown + ": ";
    if (!INTEGER.matcher(text).matches()) {
      problems.error(directive, word, prefix + "not a whole number");
      return OptionalInt.empty();
    }
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      value = text.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
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
