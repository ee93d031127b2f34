package org.ldapbalancer.balancing;

/**
 * What selection saw on its way to a refusal. Reused across selections by one event loop; not
 * thread-safe.
 */
public final class SelectionOutcome {
  private boolean sawBusy;
  private boolean sawBacklog;

  void reset() {
    sawBusy = false;
    sawBacklog = false;
  }

  void busy() {
    sawBusy = true;
  }

  void backlogged() {
    sawBacklog = true;
  }

  /**
   * A connection held back only by its write backlog is worth waiting for; one at a limit is
   * busy; nothing ready at all is unavailable.
   */
  public Refusal refusal() {
    if (sawBacklog) {
      return Refusal.BACKLOGGED;
    }
    return sawBusy ? Refusal.BUSY : Refusal.UNAVAILABLE;
  }
}
