package org.ldapbalancer.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.monitor.ClientCloser;
import org.ldapbalancer.monitor.LoopSample;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.monitor.MonitorSnapshot;
import org.ldapbalancer.monitor.SnapshotSource;

/**
 * Monitor snapshots taken by a task on each event loop: every loop reads only what it owns, and
 * the parts are summed by whichever thread completes last. Nothing waits: the HTTP listener runs
 * on the same loops and must never block one.
 *
 * <p>Thread-safe.
 */
final class MonitorSnapshots implements SnapshotSource, ClientCloser {
  /** How long a loop may take to answer before the snapshot fails (a loop stuck for that long). */
  static final long DEADLINE_MILLIS = 5_000;

  private final List<LoopShard> shards;
  private final long startedAtMillis = System.currentTimeMillis();

  MonitorSnapshots(List<LoopShard> shards) {
    this.shards = List.copyOf(shards);
  }

  /** Asks every loop to close its client with that number; at most one has it. */
  @Override
  public CompletionStage<Boolean> close(long connectionId, int resultCode, String diagnostic) {
    List<CompletableFuture<Boolean>> parts = new ArrayList<>(shards.size());
    for (LoopShard shard : shards) {
      CompletableFuture<Boolean> part = new CompletableFuture<>();
      try {
        shard.loop().execute(() -> {
          ClientLink found = null;
          for (ClientLink client : shard.router().clients()) {
            if (client.connectionId() == connectionId) {
              found = client;
              break;
            }
          }
          if (found != null) {
            found.disconnect(resultCode, diagnostic); // after the loop: it changes the list
          }
          part.complete(found != null);
        });
      } catch (RejectedExecutionException e) { // shutting down
        part.complete(false);
      }
      parts.add(part);
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .orTimeout(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
        .thenApply(done -> parts.stream().anyMatch(CompletableFuture::join));
  }

  @Override
  public CompletionStage<MonitorSnapshot> snapshot() {
    return snapshot(false);
  }

  @Override
  public CompletionStage<MonitorSnapshot> snapshotWithClients() {
    return snapshot(true);
  }

  private CompletionStage<MonitorSnapshot> snapshot(boolean listClients) {
    List<CompletableFuture<LoopSample>> parts = new ArrayList<>(shards.size());
    for (LoopShard shard : shards) {
      CompletableFuture<LoopSample> part = new CompletableFuture<>();
      try {
        shard.loop().execute(() -> {
          try {
            part.complete(shard.sample(listClients));
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
