package org.ldapbalancer.monitor;

import java.util.concurrent.CompletionStage;

/**
 * Takes a {@link MonitorSnapshot} by asking each event loop for its part. Never blocks the caller
 * (which may itself be an event loop): the stage completes when the last loop has answered, or
 * fails if one does not answer in time.
 */
public interface SnapshotSource {
  CompletionStage<MonitorSnapshot> snapshot();

  /**
   * A snapshot that also lists every client connection ({@link MonitorSnapshot#clients()}).
   * Only cn=Monitor needs them; scrapes do without the per-client cost.
   */
  default CompletionStage<MonitorSnapshot> snapshotWithClients() {
    return snapshot();
  }
}
