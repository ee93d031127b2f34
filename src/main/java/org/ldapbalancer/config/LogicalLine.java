package org.ldapbalancer.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One directive as written in a file: its words after quote and escape removal.
 *
 * <p>A directive may span several physical lines (continuation lines), so every word keeps the line
 * it started on; a message about {@code numconns=0} then points at the line the operator has to
 * edit, not at the {@code backend-server} line above it.
 *
 * @param file the file the directive was read from, as messages should name it
 * @param words the directive name followed by its arguments; never empty
 */
record LogicalLine(Path file, List<Word> words) {

  /** A word and the physical line it starts on. */
  record Word(String text, int line) {}

  LogicalLine {
    words = List.copyOf(words);
    if (words.isEmpty()) {
      throw new IllegalArgumentException("a directive has at least one word");
    }
  }

  /** The line the directive starts on. */
  int line() {
    return words.get(0).line();
  }

  /** The directive name as written, for messages. */
  String name() {
    return words.get(0).text();
  }

  /** The directive name in lower case: lloadd matches directive names case-insensitively. */
  String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The arguments, without the directive name. */
  List<Word> args() {
    return words.subList(1, words.size());
  }
}
