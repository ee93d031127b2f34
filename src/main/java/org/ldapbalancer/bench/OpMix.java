package org.ldapbalancer.bench;

import java.util.random.RandomGenerator;

/**
 * The proportions of searches, binds and modifies, as in {@code --mix 80:10:10}. Weights need
 * not add up to 100; {@code 8:1:1} is the same mix.
 */
public record OpMix(int search, int bind, int modify) {
  public static final OpMix SEARCH_ONLY = new OpMix(1, 0, 0);
  public static final OpMix BIND_ONLY = new OpMix(0, 1, 0);
  public static final OpMix DEFAULT_MIXED = new OpMix(80, 10, 10);

  public OpMix {
    if (search < 0 || bind < 0 || modify < 0) {
      throw new IllegalArgumentException("mix weights must not be negative");
    }
    if ((long) search + bind + modify == 0) {
      throw new IllegalArgumentException("mix weights must not all be zero");
    }
    if ((long) search + bind + modify > 1_000_000) {
      throw new IllegalArgumentException("mix weights must add up to at most 1000000");
    }
  }

  /**
   * Parses {@code SEARCH:BIND:MODIFY}.
   *
   * @throws IllegalArgumentException with a message fit for the command line
   */
  public static OpMix parse(String text) {
    String[] parts = text.trim().split(":", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "bad --mix " + text + ": expected SEARCH:BIND:MODIFY weights, e.g. 80:10:10");
    }
    int[] weights = new int[3];
    for (int i = 0; i < 3; i++) {
      try {
        weights[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "bad --mix " + text + ": '" + parts[i] + "' is not a whole number");
      }
    }
    try {
      return new OpMix(weights[0], weights[1], weights[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad --mix " + text + ": " + e.getMessage());
    }
  }

  /** Draws the kind of the next operation. */
  OpKind draw(RandomGenerator random) {
    int total = search + bind + modify;
    if (total == search) {
      return OpKind.SEARCH;
    }
    if (total == bind) {
      return OpKind.BIND;
    }
    int r = random.nextInt(total);
    if (r < search) {
      return OpKind.SEARCH;
    }
    return r < search + bind ? OpKind.BIND : OpKind.MODIFY;
  }

  boolean includes(OpKind kind) {
    return switch (kind) {
      case SEARCH -> search > 0;
      case BIND -> bind > 0;
      case MODIFY -> modify > 0;
      case CONNECT -> false;
    };
  }

  @Override
  public String toString() {
    return search + ":" + bind + ":" + modify;
  }
}
