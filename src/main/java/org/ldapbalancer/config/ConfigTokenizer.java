package org.ldapbalancer.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits the text of an lloadd.conf file into directives the way lloadd (and slapd) do, so that a
 * file lloadd accepts reads the same here:
 *
 * <ul>
 *   <li>a line that begins with white space continues the previous line; an empty line ends a
 *       directive;
 *   <li>a single backslash at the end of the text read so far is dropped and the next line is
 *       appended as it is, indented or not (slapd's and lloadd's {@code fp_getline}); a doubled
 *       {@code \\} at the end is an ordinary escaped backslash and continues nothing;
 *   <li>continuation lines are joined <em>before</em> comments are recognised, so the lines
 *       indented under a {@code #} line are part of the comment;
 *   <li>words are separated by white space; double quotes group words and may appear inside a word
 *       ({@code binddn="cn=a b"}); a backslash makes the next character literal, even a quote or a
 *       backslash.
 * </ul>
 */
final class ConfigTokenizer {
  private ConfigTokenizer() {}

  static List<LogicalLine> split(String text, Path file, Problems problems) {
    return split(ConfigText.of(text), file, problems);
  }

  /**
   * As {@link #split(String, Path, Problems)}; a line that is not valid UTF-8 is ignored in a
   * comment and an error anywhere else (the directive holding it is dropped).
   */
  static List<LogicalLine> split(ConfigText decoded, Path file, Problems problems) {
    String text = decoded.text();
    Set<Integer> invalid = decoded.invalidLines();
    List<LogicalLine> directives = new ArrayList<>();
    String[] physical = text.split("\r?\n", -1);
    // The newline ending the last line starts no line: a final backslash continues nothing.
    int count = physical.length > 1 && physical[physical.length - 1].isEmpty()
        ? physical.length - 1
        : physical.length;
    StringBuilder joined = new StringBuilder();
    List<int[]> segments = new ArrayList<>(); // {offset in joined, physical line number}
    for (int i = 0; i < count; i++) {
      String line = physical[i];
      boolean afterBackslash = !segments.isEmpty() && endsInContinuation(joined);
      boolean continues =
          afterBackslash || (!line.isEmpty() && isBlank(line.charAt(0)) && !segments.isEmpty());
      if (afterBackslash) {
        joined.setLength(joined.length() - 1);
      } else if (!continues) {
        tokenize(joined, segments, invalid, file, problems, directives);
        joined.setLength(0);
        segments.clear();
      }
      segments.add(new int[] {joined.length(), i + 1});
      if (afterBackslash) {
        joined.append(line);
      } else if (continues) {
        // As slapd does: the first white space character becomes a plain space.
        joined.append(' ').append(line, 1, line.length());
      } else {
        joined.append(line);
      }
    }
    tokenize(joined, segments, invalid, file, problems, directives);
    return directives;
  }

  private static void tokenize(
      CharSequence text,
      List<int[]> segments,
      Set<Integer> invalid,
      Path file,
      Problems problems,
      List<LogicalLine> out) {
    int n = text.length();
    int i = 0;
    while (i < n && isBlank(text.charAt(i))) {
      i++;
    }
    if (i == n || text.charAt(i) == '#') {
      return;
    }
    boolean valid = true;
    for (int[] segment : segments) {
      if (invalid.contains(segment[1])) {
        problems.error(file, segment[1], "not valid UTF-8 (the file must be UTF-8)");
        valid = false;
      }
    }
    if (!valid) {
      return;
    }
    List<LogicalLine.Word> words = new ArrayList<>();
    while (i < n) {
      if (isBlank(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      StringBuilder word = new StringBuilder();
      boolean inQuote = false;
      while (i < n) {
        char c = text.charAt(i);
        if (c == '"') {
          inQuote = !inQuote;
          i++;
        } else if (c == '\\' && i + 1 < n) {
          word.append(text.charAt(i + 1));
          i += 2;
        } else if (!inQuote && isBlank(c)) {
          break;
        } else {
          word.append(c);
          i++;
        }
      }
      int line = lineAt(segments, start);
      if (inQuote) {
        // The text is not echoed: it may be a password.
        problems.error(file, line, "unbalanced double quote");
      }
      words.add(new LogicalLine.Word(word.toString(), line));
    }
    out.add(new LogicalLine(file, words));
  }

  /**
   * Whether the text ends in one backslash not preceded by another, as fp_getline tests it: it
   * looks at the last two characters only, so three backslashes at the end continue nothing
   * either.
   */
  private static boolean endsInContinuation(CharSequence text) {
    int n = text.length();
    return n > 0 && text.charAt(n - 1) == '\\' && (n == 1 || text.charAt(n - 2) != '\\');
  }

  private static int lineAt(List<int[]> segments, int offset) {
    int line = segments.get(0)[1];
    for (int[] segment : segments) {
      if (segment[0] > offset) {
        break;
      }
      line = segment[1];
    }
    return line;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\f' || c == '\u000B' || c == '\r';
  }
}
