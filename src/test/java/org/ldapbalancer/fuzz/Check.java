package org.ldapbalancer.fuzz;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Assertions for the fuzz targets' inner loops. AssertJ builds an assertion object and a
 * description per call, which costs a measurable share of a fuzzer's executions per second; these
 * build their message only when they fail.
 */
final class Check {
  private static final HexFormat HEX = HexFormat.of();

  private Check() {}

  static void that(boolean condition, Supplier<String> message) {
    if (!condition) {
      throw new AssertionError(message.get());
    }
  }

  static void equal(long actual, long expected, String what) {
    if (actual != expected) {
      throw new AssertionError(what + ": expected " + expected + " but was " + actual);
    }
  }

  static void equal(Object actual, Object expected, String what) {
    if (!java.util.Objects.equals(actual, expected)) {
      throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
    }
  }

  static void sameBytes(byte[] actual, byte[] expected, String what) {
    if (!Arrays.equals(actual, expected)) {
      throw new AssertionError(
          what
              + ":\n  expected "
              + HEX.formatHex(expected)
              + "\n  but was  "
              + HEX.formatHex(actual));
    }
  }

  static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }
}
