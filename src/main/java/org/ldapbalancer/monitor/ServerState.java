package org.ldapbalancer.monitor;

import java.util.Locale;

/** Whether a server can take operations, as the status page and {@code state} label show it. */
public enum ServerState {
  /** At least one regular connection is ready for operations. */
  UP,
  /** No ready connection yet, and no attempt has failed since the last one was ready. */
  CONNECTING,
  /** No ready connection, and attempts fail (the reason is kept). */
  DOWN,
  /**
   * Connected, but taken out of selection: it left operations or a health probe unanswered
   * for {@code health-check-timeout} (docs/reliability.md, "Hung servers").
   */
  UNRESPONSIVE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
