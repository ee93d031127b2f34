package org.ldapbalancer.monitor.tree;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ldapbalancer.protocol.Ber;
import org.ldapbalancer.protocol.MalformedPduException;

/**
 * A search filter (RFC 4511 §4.5.1.7) decoded from its BER form and evaluated against the
 * generated monitor entries. Every value there is a name or a decimal number, so values compare
 * without regard to case (cn and the olm* attributes are case-ignore or integer), and ordering
 * matches compare numbers when both sides are numbers.
 *
 * <p>Approximate and extensible matches are Undefined (RFC 4511 §4.5.1.7: a filter item that
 * cannot be evaluated), which a NOT keeps Undefined: the entry is not returned.
 *
 * <p>Immutable and thread-safe.
 */
public abstract sealed class MonitorFilter {
  private static final int AND = 0xa0;
  private static final int OR = 0xa1;
  private static final int NOT = 0xa2;
  private static final int EQUALITY = 0xa3;
  private static final int SUBSTRINGS = 0xa4;
  private static final int GREATER_OR_EQUAL = 0xa5;
  private static final int LESS_OR_EQUAL = 0xa6;
  private static final int PRESENT = 0x87;
  private static final int SUB_INITIAL = 0x80;
  private static final int SUB_FINAL = 0x82;

  /**
   * Deeper nesting than any real filter, and the access log's bound too; the request validator
   * bounds nesting before this runs, this only keeps the recursion safe on its own.
   */
  private static final int MAX_DEPTH = 100;

  /** Three-valued logic (RFC 4511 §4.5.1.7): TRUE, FALSE or UNDEFINED. */
  enum Truth {
    TRUE,
    FALSE,
    UNDEFINED
  }

  /** Whether the entry matches; Undefined counts as no. */
  public boolean matches(MonitorEntry entry) {
    return evaluate(entry) == Truth.TRUE;
  }

  abstract Truth evaluate(MonitorEntry entry);

  /** Decodes the filter element at {@code index}. */
  public static MonitorFilter read(ByteBuf buf, int index, int limit)
      throws MalformedPduException {
    return read(buf, index, limit, 0);
  }

  private static MonitorFilter read(ByteBuf buf, int index, int limit, int depth)
      throws MalformedPduException {
    if (depth > MAX_DEPTH) {
      throw new MalformedPduException("filter nested more than " + MAX_DEPTH + " deep");
    }
    long element = Ber.readAnyElement(buf, index, limit);
    int tag = buf.getUnsignedByte(index);
    int start = Ber.start(element);
    int end = Ber.end(element);
    switch (tag) {
      case AND, OR -> {
        List<MonitorFilter> parts = new ArrayList<>();
        for (int i = start; i < end; ) {
          parts.add(read(buf, i, end, depth + 1));
          i = Ber.end(Ber.readAnyElement(buf, i, end));
        }
        return new Junction(tag == AND, parts);
      }
      case NOT -> {
        return new Not(read(buf, start, end, depth + 1));
      }
      case PRESENT -> {
        return new Present(text(buf, start, end - start));
      }
      case EQUALITY, GREATER_OR_EQUAL, LESS_OR_EQUAL -> {
        long type = Ber.readElement(buf, start, end, Ber.OCTET_STRING);
        long value = Ber.readElement(buf, Ber.end(type), end, Ber.OCTET_STRING);
        return new Compare(tag, text(buf, type), text(buf, value));
      }
      case SUBSTRINGS -> {
        long type = Ber.readElement(buf, start, end, Ber.OCTET_STRING);
        long seq = Ber.readElement(buf, Ber.end(type), end, Ber.SEQUENCE);
        String initial = null;
        String last = null;
        List<String> any = new ArrayList<>();
        for (int i = Ber.start(seq); i < Ber.end(seq); ) {
          int subTag = buf.getUnsignedByte(i);
          long sub = Ber.readAnyElement(buf, i, Ber.end(seq));
          String v = text(buf, sub).toLowerCase(Locale.ROOT);
          if (subTag == SUB_INITIAL) {
            initial = v;
          } else if (subTag == SUB_FINAL) {
            last = v;
          } else {
            any.add(v);
          }
          i = Ber.end(sub);
        }
        return new Substrings(text(buf, type), initial, any, last);
      }
      default -> {
        return new Undefined(); // approxMatch, extensibleMatch: not evaluated here
      }
    }
  }

  private static String text(ByteBuf buf, long element) {
    return text(buf, Ber.start(element), Ber.length(element));
  }

  private static String text(ByteBuf buf, int start, int length) {
    return buf.toString(start, length, StandardCharsets.UTF_8);
  }

  static final class Junction extends MonitorFilter {
    private final boolean and;
    private final List<MonitorFilter> parts;

    Junction(boolean and, List<MonitorFilter> parts) {
      this.and = and;
      this.parts = List.copyOf(parts);
    }

    @Override
    Truth evaluate(MonitorEntry entry) {
      Truth decided = and ? Truth.FALSE : Truth.TRUE;
      Truth result = and ? Truth.TRUE : Truth.FALSE; // the empty AND is true, OR false
      for (MonitorFilter p : parts) {
        Truth t = p.evaluate(entry);
        if (t == decided) {
          return decided;
        }
        if (t == Truth.UNDEFINED) {
          result = Truth.UNDEFINED;
        }
      }
      return result;
    }
  }

  static final class Not extends MonitorFilter {
    private final MonitorFilter inner;

    Not(MonitorFilter inner) {
      this.inner = inner;
    }

    @Override
    Truth evaluate(MonitorEntry entry) {
      return switch (inner.evaluate(entry)) {
        case TRUE -> Truth.FALSE;
        case FALSE -> Truth.TRUE;
        case UNDEFINED -> Truth.UNDEFINED;
      };
    }
  }

  static final class Present extends MonitorFilter {
    private final String attribute;

    Present(String attribute) {
      this.attribute = attribute;
    }

    @Override
    Truth evaluate(MonitorEntry entry) {
      return entry.values(attribute).isEmpty() ? Truth.FALSE : Truth.TRUE;
    }
  }

  static final class Compare extends MonitorFilter {
    private final int tag;
    private final String attribute;
    private final String value;

    Compare(int tag, String attribute, String value) {
      this.tag = tag;
      this.attribute = attribute;
      this.value = value;
    }

    @Override
    Truth evaluate(MonitorEntry entry) {
      for (String v : entry.values(attribute)) {
        int c = compare(v, value);
        boolean hit =
            switch (tag) {
              case EQUALITY -> c == 0;
              case GREATER_OR_EQUAL -> c >= 0;
              default -> c <= 0;
            };
        if (hit) {
          return Truth.TRUE;
        }
      }
      return Truth.FALSE;
    }

    /** Numbers as numbers, anything else without regard to case. */
    static int compare(String a, String b) {
      try {
        return Long.compare(Long.parseLong(a), Long.parseLong(b.trim()));
      } catch (NumberFormatException notNumbers) {
        return a.compareToIgnoreCase(b);
      }
    }
  }

  static final class Substrings extends MonitorFilter {
    private final String attribute;
    private final String initial;
    private final List<String> any;
    private final String last;

    Substrings(String attribute, String initial, List<String> any, String last) {
      this.attribute = attribute;
      this.initial = initial;
      this.any = List.copyOf(any);
      this.last = last;
    }

    @Override
    Truth evaluate(MonitorEntry entry) {
      for (String raw : entry.values(attribute)) {
        if (matches(raw.toLowerCase(Locale.ROOT))) {
          return Truth.TRUE;
        }
      }
      return Truth.FALSE;
    }

    private boolean matches(String v) {
      int from = 0;
      int to = v.length();
      if (initial != null) {
        if (!v.startsWith(initial)) {
          return false;
        }
        from = initial.length();
      }
      if (last != null) {
        if (!v.endsWith(last) || v.length() - last.length() < from) {
          return false;
        }
        to = v.length() - last.length();
      }
      for (String part : any) {
        int at = v.indexOf(part, from);
        if (at < 0 || at + part.length() > to) {
          return false;
        }
        from = at + part.length();
      }
      return true;
    }
  }

  static final class Undefined extends MonitorFilter {
    @Override
    Truth evaluate(MonitorEntry entry) {
      return Truth.UNDEFINED;
    }
  }
}
