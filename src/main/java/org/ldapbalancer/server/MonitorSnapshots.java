package org.ldapbalancer.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.monitor.LoopSample;
import org.ldapbalancer.monitor.MonitorSnapshot;
import org.ldapbalancer.monitor.SnapshotSource;

/**
 * Monitor snapshots taken by a task on each event loop: every loop reads only what it owns, and
 * the parts are summed by whichever thread completes last. Nothing waits: the HTTP listener runs
 * on the same loops and must never block one.
 *
 * <p>Thread-safe.
 */
final class MonitorSnapshots implements SnapshotSource {
  /** How long a loop may take to answer before the snapshot fails (a loop stuck for that long). */
  static final long DEADLINE_MILLIS = 5_000;

  private final List<LoopShard> shards;
  private final long startedAtMillis = System.currentTimeMillis();

  MonitorSnapshots(List<LoopShard> shards) {
    this.shards = List.copyOf(shards);
  }

  @Override
  public CompletionStage<MonitorSnapshot> snapshot() {
    List<CompletableFuture<LoopSample>> parts = new ArrayList<>(shards.size());
    for (LoopShard shard : shards) {
      CompletableFuture<LoopSample> part = new CompletableFuture<>();
      try {
        shard.loop().execute(() -> {
          try {
            part.complete(shard.sample());
          } catch (RuntimeException e) {
            part.completeExceptionally(e);
          }
        });
      } catch (RejectedExecutionException e) { // shutting down
        part.completeExceptionally(e);
      }
      parts.add(part);
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .orTimeout(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
        .thenApply(
            done ->
                MonitorSnapshot.merge(
                    startedAtMillis,
                    System.currentTimeMillis(),
                    parts.stream().map(CompletableFuture::join).toList()));
  }
}
