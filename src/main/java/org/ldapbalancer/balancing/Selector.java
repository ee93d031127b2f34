package org.ldapbalancer.balancing;

import java.util.List;

/**
 * Chooses a connection for an operation: tiers in order, each by its own policy. Not
 * thread-safe: one per event loop.
 */
public final class Selector<E extends Endpoint> {
  private final List<Tier<E>> tiers;
  private final SelectionOutcome outcome = new SelectionOutcome();
  /** The index of the tier the last {@link #select()} chose from, -1 if none. */
  private int chosenTier = -1;

  public Selector(List<Tier<E>> tiers) {
    this.tiers = List.copyOf(tiers);
  }

  /**
   * A connection, or {@code null}; then {@link #refusal()} says why. The next tier is tried only
   * when nothing in this one is usable: servers that are up but at a limit (busy) or backlogged
   * keep the operation in their tier.
   */
  public E select() {
    outcome.reset();
    chosenTier = -1;
    for (int i = 0, n = tiers.size(); i < n; i++) {
      E chosen = tiers.get(i).select(outcome);
      if (chosen != null) {
        chosenTier = i;
        return chosen;
      }
      if (!outcome.refusal().nothingReady()) {
        return null;
      }
    }
    return null;
  }

  /**
   * Like {@link #select()}, passing over connections held by another client's paged search
   * (see {@link Endpoint#pagedHolder()}); when every usable one is held, the refusal is busy.
   */
  public E selectUnheld(long nowNanos) {
    outcome.skipHeld(true, nowNanos);
    try {
      return select();
    } finally {
      outcome.skipHeld(false, 0);
    }
  }

  /**
   * Whether the last {@link #select()} chose from the first tier: a choice from a later one is
   * a fallback, to be left as soon as the first tier can take operations again.
   */
  public boolean choseFromFirstTier() {
    return chosenTier == 0;
  }

  /** A connection of {@code server} only (a pin to that server), or {@code null}. */
  public E selectIn(ServerEndpoints<E> server, boolean skipHeld, long nowNanos) {
    outcome.reset();
    outcome.skipHeld(skipHeld, nowNanos);
    try {
      return ConnectionChoice.leastBusy(server, outcome);
    } finally {
      outcome.skipHeld(false, 0);
    }
  }

  /** {@code e} itself (a pin to that connection), or {@code null}. */
  public E selectExactly(ServerEndpoints<E> server, E e) {
    outcome.reset();
    return ConnectionChoice.exactly(server, e, outcome);
  }

  /** Makes {@link #refusal()} report a refusal decided by affinity. */
  void refuse(Refusal refusal) {
    outcome.reset();
    outcome.refuse(refusal);
  }

  /** Why the last {@link #select()} returned {@code null}. */
  public Refusal refusal() {
    return outcome.refusal();
  }
}
