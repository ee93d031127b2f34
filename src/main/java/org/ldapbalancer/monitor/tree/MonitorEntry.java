package org.ldapbalancer.monitor.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One entry of the cn=Monitor tree: its DN as lloadd writes it, and its attributes in the order
 * lloadd lists them. Immutable once built.
 */
public final class MonitorEntry {
  /** One attribute and its values, in order. */
  public record Attribute(String name, List<String> values) {
    public Attribute {
      values = List.copyOf(values);
    }
  }

  private final String dn;
  private final String normalizedDn;
  private final List<Attribute> attributes;

  private MonitorEntry(String dn, List<Attribute> attributes) {
    this.dn = dn;
    this.normalizedDn = MonitorDn.normalize(dn);
    this.attributes = List.copyOf(attributes);
  }

  public String dn() {
    return dn;
  }

  String normalizedDn() {
    return normalizedDn;
  }

  public List<Attribute> attributes() {
    return attributes;
  }

  /** The values of {@code name} (matched without regard to case), or an empty list. */
  public List<String> values(String name) {
    for (Attribute a : attributes) {
      if (a.name().equalsIgnoreCase(name)) {
        return a.values();
      }
    }
    return List.of();
  }

  /** Builds an entry; the naming attribute ({@code cn}) comes from the RDN. */
  static Builder under(String parentDn, String cn, String objectClass) {
    return new Builder(parentDn.isEmpty() ? "cn=" + cn : "cn=" + cn + "," + parentDn)
        .add("objectClass", objectClass)
        .add("cn", cn);
  }

  static final class Builder {
    private final String dn;
    private final List<Attribute> attributes = new ArrayList<>();

    private Builder(String dn) {
      this.dn = dn;
    }

    String dn() {
      return dn;
    }

    Builder add(String name, String value) {
      attributes.add(new Attribute(name, List.of(value)));
      return this;
    }

    Builder add(String name, long value) {
      return add(name, Long.toString(value));
    }

    MonitorEntry build() {
      return new MonitorEntry(dn, attributes);
    }
  }

  @Override
  public String toString() {
    return "dn: " + dn + " " + attributes.toString().toLowerCase(Locale.ROOT);
  }
}
