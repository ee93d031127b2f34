package org.ldapbalancer.config;

import java.util.Locale;
import java.util.Map;

/**
 * The debug and log levels of slapd.conf(5) ({@code loglevel}), which lloadd.conf(5) shares: names
 * or numbers (decimal, or hexadecimal after {@code 0x}), several of them adding up. Each level is a
 * bit; {@code any} is every bit ({@code -1}).
 */
public final class LogLevel {
  public static final int TRACE = 1;
  public static final int PACKETS = 2;
  public static final int ARGS = 4;
  public static final int CONNS = 8;
  public static final int BER = 16;
  public static final int FILTER = 32;
  public static final int CONFIG = 64;
  public static final int ACL = 128;
  /** Connections, operations and their results: the access log. */
  public static final int STATS = 256;
  /** Besides {@link #STATS}: one line per entry a search returns. */
  public static final int STATS2 = 512;
  public static final int SHELL = 1024;
  public static final int PARSE = 2048;
  public static final int SYNC = 16384;
  /** Only messages logged whatever the level: here, none of the optional ones. */
  public static final int NONE = 32768;
  public static final int ANY = -1;

  /** Levels whose lines are this balancer's ordinary debug log (org.ldapbalancer at DEBUG). */
  public static final int DEBUG_LEVELS = TRACE | PACKETS | ARGS | CONNS | BER | FILTER;

  private static final Map<String, Integer> NAMES =
      Map.ofEntries(
          Map.entry("any", ANY),
          Map.entry("trace", TRACE),
          Map.entry("packets", PACKETS),
          Map.entry("args", ARGS),
          Map.entry("conns", CONNS),
          Map.entry("ber", BER),
          Map.entry("filter", FILTER),
          Map.entry("config", CONFIG),
          Map.entry("acl", ACL),
          Map.entry("stats", STATS),
          Map.entry("stats2", STATS2),
          Map.entry("shell", SHELL),
          Map.entry("parse", PARSE),
          Map.entry("sync", SYNC),
          Map.entry("none", NONE));

  /** The names as slapd lists them, in its order, for {@code -d ?}. */
  private static final java.util.List<String> ORDER =
      java.util.List.of(
          "Any", "Trace", "Packets", "Args", "Conns", "BER", "Filter", "Config", "ACL", "Stats",
          "Stats2", "Shell", "Parse", "Sync", "None");

  private LogLevel() {}

  /**
   * The levels as lloadd lists them for {@code -d ?} (slapd's {@code loglevel_print}): one line
   * each, name, decimal and hexadecimal value.
   */
  public static String describe() {
    StringBuilder out = new StringBuilder("Installed log subsystems:\n\n");
    for (String name : ORDER) {
      int mask = NAMES.get(name.toLowerCase(Locale.ROOT));
      out.append(
          mask == ANY
              ? String.format("\t%-30s (-1, 0xffffffff)%n", name)
              : String.format("\t%-30s (%d, 0x%x)%n", name, mask, mask));
    }
    return out.toString();
  }

  /**
   * One level as written: a name (any case), a decimal number ({@code -1} included) or {@code
   * 0x...}.
   *
   * @throws IllegalArgumentException naming what was expected
   */
  public static int parseWord(String word) {
    Integer named = NAMES.get(word.toLowerCase(Locale.ROOT));
    if (named != null) {
      return named;
    }
    try {
      if (word.startsWith("0x") || word.startsWith("0X")) {
        return (int) Long.parseLong(word.substring(2), 16);
      }
      return Integer.parseInt(word);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "unknown level \""
              + word
              + "\" (expected a number, 0x..., or one of any, trace, packets, args, conns, ber,"
              + " filter, config, acl, stats, stats2, shell, parse, sync, none)");
    }
  }

  /**
   * Several levels, each word possibly holding several separated by spaces (a quoted list, or
   * {@code -d "stats conns"}), added up.
   *
   * @throws IllegalArgumentException for the first word that is not a level
   */
  public static int parse(Iterable<String> words) {
    int mask = 0;
    for (String text : words) {
      for (String word : text.trim().split("[\\s,]+")) {
        if (!word.isEmpty()) {
          mask |= parseWord(word);
        }
      }
    }
    return mask;
  }

  /** Whether {@code mask} asks for the access log. */
  public static boolean hasStats(int mask) {
    return (mask & STATS) != 0;
  }

  /** Whether {@code mask} asks for one line per search entry besides the access log. */
  public static boolean hasStats2(int mask) {
    return (mask & STATS2) != 0;
  }

  /** Whether {@code mask} asks for debugging output. */
  public static boolean hasDebug(int mask) {
    return (mask & DEBUG_LEVELS) != 0;
  }
}
