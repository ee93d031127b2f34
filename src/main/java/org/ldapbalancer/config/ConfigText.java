package org.ldapbalancer.config;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * A configuration file's text, decoded as UTF-8 one line at a time.
 *
 * <p>lloadd reads bytes and never decodes them, so a Latin-1 {@code é} in a comment is harmless to
 * it. Refusing the whole file for that, with no line to look at, turned away files lloadd runs.
 * Here a line that is not valid UTF-8 is decoded with replacement characters and its number kept:
 * the tokenizer ignores it inside a comment and reports it, with file and line, anywhere else (a
 * mangled password would otherwise fail later, far from its cause).
 *
 * @param text the decoded text, lines separated as in the file
 * @param invalidLines the numbers (from 1) of the lines that are not valid UTF-8
 */
record ConfigText(String text, Set<Integer> invalidLines) {

  ConfigText {
    invalidLines = Set.copyOf(invalidLines);
  }

  /** Text that was never bytes ({@code ConfigParser.parse(String, Path)}): every line valid. */
  static ConfigText of(String text) {
    return new ConfigText(text, Set.of());
  }

  static ConfigText decode(byte[] bytes) {
    CharsetDecoder strict =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    StringBuilder text = new StringBuilder(bytes.length);
    Set<Integer> invalid = new TreeSet<>();
    int start = 0;
    int line = 1;
    while (start <= bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      ByteBuffer chunk = ByteBuffer.wrap(bytes, start, end - start);
      try {
        text.append(strict.decode(chunk));
      } catch (CharacterCodingException e) {
        invalid.add(line);
        text.append(new String(bytes, start, end - start, StandardCharsets.UTF_8));
      }
      if (end < bytes.length) {
        text.append('\n');
      }
      start = end + 1;
      line++;
    }
    return new ConfigText(text.toString(), invalid);
  }
}
