package org.ldapbalancer.config;

import java.util.Map;

/**
 * How requests restrict the choice of upstream ({@code restrict_exop}, {@code restrict_control},
 * {@code write_coherence}; lloadd.conf(5)). Immutable.
 *
 * @param exops the action for each extended operation named by its OID
 * @param exopDefault the action for extended operations not in {@code exops} ({@code
 *     restrict_exop 1.1 <action>}); {@link RestrictAction#IGNORE} unless set
 * @param controls the action for requests carrying each control, by its OID
 * @param writeCoherenceSeconds after a write, how long the client's operations stay on the server
 *     that took it: 0 not at all, negative until the client's next bind
 */
public record Restrictions(
    Map<String, RestrictAction> exops,
    RestrictAction exopDefault,
    Map<String, RestrictAction> controls,
    int writeCoherenceSeconds) {

  /** No restriction: lloadd's defaults. */
  public static final Restrictions NONE =
      new Restrictions(Map.of(), RestrictAction.IGNORE, Map.of(), 0);

  public Restrictions {
    exops = Map.copyOf(exops);
    controls = Map.copyOf(controls);
  }
}
