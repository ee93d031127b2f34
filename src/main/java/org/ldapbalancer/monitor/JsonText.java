package org.ldapbalancer.monitor;

/**
 * A minimal JSON writer (RFC 8259) for the status document: objects, arrays, strings, numbers.
 * Strings are escaped in full, so text from the configuration or from a server's error (a host
 * name, a refusal message) cannot break out of its string.
 *
 * <p>Not thread-safe; one per document.
 */
final class JsonText {
  private final StringBuilder out = new StringBuilder(4096);
  /** Whether the next value in the current object or array needs a comma before it. */
  private boolean comma;

  JsonText beginObject() {
    separate();
    out.append('{');
    comma = false;
    return this;
  }

  JsonText endObject() {
    out.append('}');
    comma = true;
    return this;
  }

  JsonText beginArray() {
    separate();
    out.append('[');
    comma = false;
    return this;
  }

  JsonText endArray() {
    out.append(']');
    comma = true;
    return this;
  }

  /** The name of the next member of an object. */
  JsonText name(String name) {
    separate();
    string(name);
    out.append(':');
    comma = false;
    return this;
  }

  JsonText value(String s) {
    separate();
    if (s == null) {
      out.append("null");
    } else {
      string(s);
    }
    comma = true;
    return this;
  }

  JsonText value(long n) {
    separate();
    out.append(n);
    comma = true;
    return this;
  }

  JsonText value(boolean b) {
    separate();
    out.append(b);
    comma = true;
    return this;
  }

  JsonText value(double d) {
    separate();
    // JSON has no NaN or infinity.
    out.append(Double.isFinite(d) ? Double.toString(d) : "null");
    comma = true;
    return this;
  }

  JsonText member(String name, String s) {
    return name(name).value(s);
  }

  JsonText member(String name, boolean b) {
    return name(name).value(b);
  }

  JsonText member(String name, long n) {
    return name(name).value(n);
  }

  JsonText member(String name, double d) {
    return name(name).value(d);
  }

  private void separate() {
    if (comma) {
      out.append(',');
    }
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          // Control characters, and <, > and & so that the document is inert even if a browser
          // were tricked into reading it as HTML; U+2028/9 for old JavaScript parsers.
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
