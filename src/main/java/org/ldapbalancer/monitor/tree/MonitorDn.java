package org.ldapbalancer.monitor.tree;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * DN comparison for the cn=Monitor tree: every RDN there is {@code cn=} with a plain value, so
 * case and the spaces around separators are all that can differ (RFC 4514 §2, cn matches
 * case-insensitively).
 */
public final class MonitorDn {
  /** The base of the tree, normalised. */
  public static final String BASE = "cn=monitor";

  private static final Pattern SPACE_AROUND_SEPARATORS = Pattern.compile("\\s*([,=+])\\s*");

  private MonitorDn() {}

  public static String normalize(String dn) {
    return SPACE_AROUND_SEPARATORS.matcher(dn.toLowerCase(Locale.ROOT)).replaceAll("$1").trim();
  }

  /** Whether a normalised DN is cn=Monitor or under it. */
  public static boolean isInTree(String normalizedDn) {
    return normalizedDn.equals(BASE) || normalizedDn.endsWith("," + BASE);
  }

  /** Whether {@code dn} is {@code base} itself or below it (both normalised). */
  static boolean isAtOrBelow(String dn, String base) {
    return dn.equals(base) || dn.endsWith("," + base);
  }

  /** Whether {@code dn} is an immediate child of {@code base} (both normalised). */
  static boolean isChild(String dn, String base) {
    if (!dn.endsWith("," + base)) {
      return false;
    }
    String rdn = dn.substring(0, dn.length() - base.length() - 1);
    return rdn.indexOf(',') < 0;
  }
}
