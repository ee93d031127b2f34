package org.ldapbalancer.balancing;

/**
 * What selection saw on its way to a refusal. Reused across selections by one event loop; not
 * thread-safe.
 */
public final class SelectionOutcome {
  private boolean sawBusy;

  void reset() {
    sawBusy = false;
  }

  void busy() {
    sawBusy = true;
  }

  public Refusal refusal() {
    return sawBusy ? Refusal.BUSY : Refusal.UNAVAILABLE;
  }
}
