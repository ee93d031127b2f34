package org.ldapbalancer.bench;

import java.util.Locale;

/** What the generator does per operation. */
public enum BenchMode {
  /** A base-object read of a random entry. */
  SEARCH,
  /** A simple bind as a random user, on persistent connections. */
  BIND,
  /** Searches, binds and modifies in given proportions. */
  MIXED,
  /** A new connection, a bind and an unbind per operation. */
  CONNECT,
  /** No load: connections that each answer one search, then sit open for the duration. */
  IDLE;

  /**
   * The mode named on the command line.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static BenchMode parse(String name) {
    for (BenchMode mode : values()) {
      if (mode.label().equals(name.toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown mode '" + name + "': expected search, bind, mixed, connect or idle");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
