package org.ldapbalancer.monitor.tree;

import java.util.List;

/**
 * The attributes a search asks for (RFC 4511 §4.5.1.8): none listed or {@code *} means every
 * user attribute, {@code 1.1} alone means none, otherwise the names listed (case-insensitive). The
 * monitor entries have no operational attributes, so {@code +} adds nothing. Immutable.
 */
public final class AttributeSelection {
  private final List<String> names;
  private final boolean all;

  AttributeSelection(List<String> names) {
    this.names = List.copyOf(names);
    this.all = names.isEmpty() || names.contains("*");
  }

  boolean includes(String attribute) {
    if (all) {
      return true;
    }
    for (String n : names) {
      if (n.equalsIgnoreCase(attribute)) {
        return true;
      }
    }
    return false;
  }
}
