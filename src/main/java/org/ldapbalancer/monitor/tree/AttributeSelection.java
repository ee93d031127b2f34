package org.ldapbalancer.monitor.tree;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The attributes a search asks for (RFC 4511 §4.5.1.8): none listed or {@code *} means every
 * user attribute, {@code 1.1} alone means none, otherwise the names listed (case-insensitive). The
 * monitor entries have no operational attributes, so {@code +} adds nothing.
 *
 * <p>An object class name in the list ({@code olmBalancer}, or {@code @olmBalancer} as RFC 4529
 * writes it) stands for the attributes that class allows, as slapd reads it: lloadd's own tests
 * ask for {@code olmBalancer olmBalancerServer olmBalancerOperation olmBalancerConnection}, and
 * get {@code objectClass} (which every class requires, through {@code top}) and the olm
 * attributes, but not {@code cn}. Immutable.
 */
public final class AttributeSelection {
  /** The attributes each class of lloadd's monitor schema allows ({@code monitor.c}). */
  private static final Map<String, List<String>> CLASSES =
      Map.of(
          "olmbalancer", List.of("olmIncomingConnections", "olmOutgoingConnections"),
          "olmbalancerserver",
              List.of("olmServerURI", "olmActiveConnections", "olmPendingConnections",
                  "olmPendingOps", "olmReceivedOps", "olmCompletedOps", "olmFailedOps"),
          "olmbalanceroperation",
              List.of("olmReceivedOps", "olmForwardedOps", "olmRejectedOps", "olmCompletedOps",
                  "olmFailedOps"),
          "olmbalancerconnection",
              List.of("olmConnectionType", "olmConnectionState", "olmConnectionLocalAddress",
                  "olmConnectionPeerAddress", "olmConnectionAuthzDN", "olmPendingOps",
                  "olmReceivedOps", "olmCompletedOps", "olmFailedOps"),
          "monitorcontainer", List.of(),
          "monitorserver", List.of());

  private final boolean all;
  /** Lower-case attribute names asked for, directly or through their class. */
  private final Set<String> names = new HashSet<>();

  AttributeSelection(List<String> requested) {
    this.all = requested.isEmpty() || requested.contains("*");
    for (String r : requested) {
      String name = r.toLowerCase(Locale.ROOT);
      List<String> allowed = CLASSES.get(name.startsWith("@") ? name.substring(1) : name);
      if (allowed == null) {
        names.add(name);
        continue;
      }
      names.add("objectclass");
      for (String a : allowed) {
        names.add(a.toLowerCase(Locale.ROOT));
      }
    }
  }

  boolean includes(String attribute) {
    return all || names.contains(attribute.toLowerCase(Locale.ROOT));
  }
}
