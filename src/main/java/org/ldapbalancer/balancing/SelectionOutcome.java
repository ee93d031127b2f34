package org.ldapbalancer.balancing;

/**
 * What selection saw on its way to a refusal. Reused across selections by one event loop; not
 * thread-safe.
 */
public final class SelectionOutcome {
  private boolean sawBusy;
  private boolean sawBacklog;
  private boolean sawStarting;
  /** Set while choosing for a first page: connections held by a paged search are passed over. */
  private boolean skipHeld;
  private long nowNanos;
  /** A refusal decided by affinity rather than by the connections seen, or null. */
  private Refusal pinRefusal;

  void reset() {
    sawBusy = false;
    sawBacklog = false;
    sawStarting = false;
    pinRefusal = null;
  }

  void skipHeld(boolean skip, long now) {
    skipHeld = skip;
    nowNanos = now;
  }

  /** Whether {@code e} is held by a live paged-results hold and must be passed over now. */
  boolean passesOver(Endpoint e) {
    return skipHeld && e.pagedHolder() != null && e.pagedHoldUntilNanos() - nowNanos > 0;
  }

  void refuse(Refusal refusal) {
    pinRefusal = refusal;
  }

  void busy() {
    sawBusy = true;
  }

  void backlogged() {
    sawBacklog = true;
  }

  /** A server whose first connections are still being set up (ServerEndpoints#isStarting). */
  void starting() {
    sawStarting = true;
  }

  /**
   * A connection held back only by its write backlog is worth waiting for; one at a limit is
   * busy; nothing ready, but a server's first connections on their way, is worth waiting for
   * too; nothing ready at all is unavailable.
   */
  public Refusal refusal() {
    if (pinRefusal != null) {
      return pinRefusal;
    }
    if (sawBacklog) {
      return Refusal.BACKLOGGED;
    }
    if (sawBusy) {
      return Refusal.BUSY;
    }
    return sawStarting ? Refusal.STARTING : Refusal.UNAVAILABLE;
  }
}
