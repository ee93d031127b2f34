package org.ldapbalancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tiers as the file declares them: {@code tier} starts a new one and every {@code
 * backend-server} joins the latest. Servers named before any {@code tier} form an implicit
 * round-robin tier, as every lloadd 2.5 file, which knew no tiers, expects (lloadd 2.6 refuses
 * them: "no tier configured yet").
 */
final class TierList {
  /** A tier being filled; {@code declaredAt} is null for the implicit first tier. */
  private record Draft(TierPolicy policy, LogicalLine declaredAt, List<BackendServer> servers) {}

  private final List<Draft> tiers = new ArrayList<>();

  void startTier(LogicalLine directive, Problems problems) {
    // Even a bad tier line opens a (placeholder) tier, so that the servers after it are not
    // silently counted into the tier before it.
    tiers.add(new Draft(TierPolicy.ROUNDROBIN, directive, new ArrayList<>()));
    if (!Arguments.count(directive, 1, 1, problems)) {
      return;
    }
    String type = directive.args().get(0).text();
    TierPolicy policy =
        switch (type.toLowerCase(Locale.ROOT)) {
          case "roundrobin" -> TierPolicy.ROUNDROBIN;
          case "weighted" -> TierPolicy.WEIGHTED;
          case "bestof" -> TierPolicy.BESTOF;
          default -> null;
        };
    if (policy == null) {
      problems.error(
          directive,
          directive.name()
              + ": unknown tier type \""
              + type
              + "\" (lloadd knows roundrobin, weighted and bestof)");
      return;
    }
    tiers.set(tiers.size() - 1, new Draft(policy, directive, new ArrayList<>()));
  }

  void add(BackendServer server) {
    if (tiers.isEmpty()) {
      tiers.add(new Draft(TierPolicy.ROUNDROBIN, null, new ArrayList<>()));
    }
    tiers.get(tiers.size() - 1).servers().add(server);
  }

  /** The non-empty tiers in file order; an empty tier is dropped with a warning. */
  List<Tier> build(Problems problems) {
    List<Tier> result = new ArrayList<>();
    for (Draft draft : tiers) {
      if (draft.servers().isEmpty()) {
        problems.warn(draft.declaredAt(), "tier has no backend-server; ignored");
      } else {
        result.add(new Tier(draft.policy(), draft.servers()));
      }
    }
    return result;
  }
}
