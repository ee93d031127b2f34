package org.ldapbalancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code monitor-access <dn> [<dn> ...]} (ours, repeatable): identities besides the {@code
 * bindconf} one that may read the cn=Monitor tree and close client connections through it. Each
 * DN is checked for RFC 4514 shape ({@code attr=value} RDNs separated by commas), so a typo is
 * an error with its file and line rather than an identity that never matches.
 */
final class MonitorAccessDirective {
  /** One RDN component: a descriptor or numeric OID, '=', and a non-empty value. */
  private static final Pattern ATTRIBUTE_VALUE =
      Pattern.compile(
          "\\s*([A-Za-z][A-Za-z0-9-]*|[0-9]+(\\.[0-9]+)+)\\s*=\\s*(\\\\.|[^\\\\,+=])+\\s*");

  private final List<String> dns = new ArrayList<>();

  void apply(LogicalLine directive, Problems problems) {
    if (!Arguments.count(directive, 1, Integer.MAX_VALUE, problems)) {
      return;
    }
    for (LogicalLine.Word word : directive.args()) {
      if (isDn(word.text())) {
        dns.add(word.text());
      } else {
        problems.error(
            directive, word, directive.name() + ": \"" + word.text() + "\" is not a DN");
      }
    }
  }

  List<String> build() {
    return List.copyOf(dns);
  }

  /** RFC 4514 §3 shape; escaped characters ({@code \,}) may appear in values. */
  static boolean isDn(String text) {
    if (text.isBlank()) {
      return false;
    }
    for (String rdn : text.split("(?<!\\\\),", -1)) {
      for (String ava : rdn.split("(?<!\\\\)\\+", -1)) {
        if (!ATTRIBUTE_VALUE.matcher(ava).matches()) {
          return false;
        }
      }
    }
    return true;
  }
}
