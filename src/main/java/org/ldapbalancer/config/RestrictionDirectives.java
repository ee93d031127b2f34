package org.ldapbalancer.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code restrict_exop <OID> <action>}, {@code restrict_control <OID> <action>} and {@code
 * write_coherence <seconds>}, read as lloadd reads them (lloadd.conf(5), lloadd's config.c): one
 * line per OID, the same OID twice is an error, and OID {@code 1.1} of {@code restrict_exop} sets
 * the action of every extended operation not named. Not thread-safe: one parse, one thread.
 */
final class RestrictionDirectives {
  /** A numeric OID (RFC 4512 §1.4); lloadd also takes names of OID macros, which we have not. */
  private static final Pattern NUMERIC_OID =
      Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))+");

  /** The OID that stands for "every extended operation not named otherwise". */
  static final String DEFAULT_OID = "1.1";

  private final Map<String, RestrictAction> exops = new LinkedHashMap<>();
  private final Map<String, RestrictAction> controls = new LinkedHashMap<>();
  private RestrictAction exopDefault = RestrictAction.IGNORE;
  private boolean exopDefaultSet;
  private int writeCoherence;

  /** Applies the directive if it is one of these; false if it is not. */
  boolean apply(LogicalLine directive, Problems problems) {
    switch (directive.keyword()) {
      case "restrict_exop" -> restrict(directive, exops, true, problems);
      case "restrict_control" -> restrict(directive, controls, false, problems);
      case "write_coherence" -> writeCoherence(directive, problems);
      default -> {
        return false;
      }
    }
    return true;
  }

  private void writeCoherence(LogicalLine directive, Problems problems) {
    Arguments.singleInteger(directive, Integer.MIN_VALUE, problems)
        .ifPresent(n -> writeCoherence = n);
  }

  private void restrict(
      LogicalLine directive,
      Map<String, RestrictAction> table,
      boolean exop,
      Problems problems) {
    if (!Arguments.count(directive, 2, 2, problems)) {
      return;
    }
    LogicalLine.Word oidWord = directive.args().get(0);
    LogicalLine.Word actionWord = directive.args().get(1);
    String oid = oidWord.text();
    boolean ok = true;
    if (!NUMERIC_OID.matcher(oid).matches()) {
      problems.error(
          directive,
          oidWord,
          directive.name() + ": bad OID \"" + oid + "\" (expected a numeric OID such as "
              + (exop ? "1.3.6.1.1.8" : "1.2.840.113556.1.4.319") + ")");
      ok = false;
    }
    RestrictAction action = action(actionWord.text());
    if (action == null) {
      problems.error(
          directive,
          actionWord,
          directive.name() + ": unknown action \"" + actionWord.text()
              + "\" (expected reject, isolate, connection, backend, write or ignore)");
      ok = false;
    }
    if (!ok) {
      return;
    }
    if (exop && oid.equals(DEFAULT_OID)) {
      if (exopDefaultSet) {
        problems.error(directive, oidWord, directive.name() + ": default (1.1) already set");
        return;
      }
      exopDefaultSet = true;
      exopDefault = action;
      return;
    }
    if (table.putIfAbsent(oid, action) != null) {
      problems.error(
          directive,
          oidWord,
          directive.name() + ": " + (exop ? "extended operation" : "control") + " " + oid
              + " already restricted");
    }
  }

  private static RestrictAction action(String word) {
    return switch (word.toLowerCase(Locale.ROOT)) {
      case "ignore" -> RestrictAction.IGNORE;
      case "write" -> RestrictAction.WRITE;
      case "backend" -> RestrictAction.BACKEND;
      case "connection" -> RestrictAction.CONNECTION;
      case "isolate" -> RestrictAction.ISOLATE;
      case "reject" -> RestrictAction.REJECT;
      default -> null;
    };
  }

  Restrictions build() {
    return new Restrictions(exops, exopDefault, controls, writeCoherence);
  }
}
