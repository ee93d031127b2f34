package org.ldapbalancer.monitor.access;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * One access log line, built field by field in either layout: slapd's ({@code conn=1000 op=1 SRCH
 * base="dc=example,dc=com" scope=2}) or a JSON object with the same fields ({@code {"conn":1000,
 * "op":1,"event":"SRCH","base":"dc=example,dc=com","scope":2}}).
 *
 * <p>slapd truncates a log line at a few kilobytes; so that one client cannot make lines of the
 * size of its requests, every value is cut at {@link #MAX_VALUE} characters, marked by {@code ...}.
 *
 * <p>Not thread-safe; one line, built and written on one event loop.
 */
final class AccessLine {
  /** The most characters of one value written; the rest is replaced by {@code ...}. */
  static final int MAX_VALUE = 1024;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final StringBuilder out = new StringBuilder(160);
  private final boolean json;

  private AccessLine(boolean json) {
    this.json = json;
    if (json) {
      out.append("{\"time\":\"");
      DateTimeFormatter.ISO_INSTANT.formatTo(Instant.now().truncatedTo(ChronoUnit.MICROS), out);
      out.append('"');
    }
  }

  /** A line about connection {@code conn}. */
  static AccessLine of(boolean json, long conn) {
    AccessLine line = new AccessLine(json);
    if (json) {
      line.out.append(",\"conn\":").append(conn);
    } else {
      line.out.append("conn=").append(conn);
    }
    return line;
  }

  AccessLine number(String name, long value) {
    name(name);
    out.append(value);
    return this;
  }

  /** What happened: {@code ACCEPT}, {@code SRCH}, {@code RESULT}, ... (a bare word in text). */
  AccessLine event(String event) {
    if (json) {
      out.append(",\"event\":\"").append(event).append('"');
    } else {
      out.append(' ').append(event);
    }
    return this;
  }

  /** A value slapd writes in double quotes ({@code dn="..."}). */
  AccessLine quoted(String name, CharSequence value) {
    name(name);
    if (json) {
      jsonString(value);
    } else {
      out.append('"');
      plainText(value);
      out.append('"');
    }
    return this;
  }

  /** A value slapd writes without quotes ({@code oid=1.2.3}, {@code text=...}). */
  AccessLine plain(String name, CharSequence value) {
    name(name);
    if (json) {
      jsonString(value);
    } else {
      plainText(value);
    }
    return this;
  }

  /** A list slapd writes separated by spaces ({@code attr=cn sn}); a JSON array. */
  AccessLine list(String name, List<? extends CharSequence> values) {
    name(name);
    if (json) {
      out.append('[');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        jsonString(values.get(i));
      }
      out.append(']');
    } else {
      int start = out.length();
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          out.append(' ');
        }
        plainText(values.get(i));
        if (out.length() - start > MAX_VALUE) {
          out.setLength(start + MAX_VALUE);
          out.append("...");
          break;
        }
      }
    }
    return this;
  }

  /** A duration in seconds with microseconds, as slapd's {@code qtime} and {@code etime}. */
  AccessLine seconds(String name, long nanos) {
    name(name);
    long micros = Math.max(0, nanos) / 1000;
    out.append(micros / 1_000_000).append('.');
    long fraction = micros % 1_000_000;
    for (long scale = 100_000; scale > 1 && fraction < scale; scale /= 10) {
      out.append('0');
    }
    out.append(fraction);
    return this;
  }

  /**
   * Free text after the fields, as slapd writes {@code from IP=... (IP=...)} or {@code (connection
   * lost)}; in JSON the named value alone.
   */
  AccessLine trailer(String text, String name, CharSequence value) {
    if (json) {
      name(name);
      jsonString(value);
    } else {
      out.append(text);
    }
    return this;
  }

  /** The finished line. */
  String text() {
    return json ? out + "}" : out.toString();
  }

  private void name(String name) {
    if (json) {
      out.append(",\"").append(name).append("\":");
    } else {
      out.append(' ').append(name).append('=');
    }
  }

  /** As the client sent it, but control characters as {@code \xx}: one line stays one line. */
  private void plainText(CharSequence value) {
    int n = Math.min(value.length(), MAX_VALUE);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append('\\').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      } else {
        out.append(c);
      }
    }
    if (value.length() > MAX_VALUE) {
      out.append("...");
    }
  }

  private void jsonString(CharSequence value) {
    out.append('"');
    int n = Math.min(value.length(), MAX_VALUE);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isSurrogate(c) && !validSurrogate(value, i)) {
            out.append("\\ufffd"); // half a pair: not text, and not valid in UTF-8 output
          } else if (c < 0x20 || c == 0x7f) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    if (value.length() > MAX_VALUE) {
      out.append("...");
    }
    out.append('"');
  }

  /** A surrogate that is half of a pair (so valid in JSON's UTF-8 output). */
  private static boolean validSurrogate(CharSequence s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
