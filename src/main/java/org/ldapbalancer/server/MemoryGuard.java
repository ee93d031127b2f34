package org.ldapbalancer.server;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.ldapbalancer.log.RateLimitedLog;
import org.ldapbalancer.operation.Backlogs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process-wide bound on buffered bytes. Upstream connections are shared and always read, so
 * responses for clients that do not take them pile up in the balancer; each client is bounded on
 * its own, but many together could still exhaust memory. When the buffer memory actually in use
 * (pinned by live buffers, whatever slices keep alive included) passes the limit, the client
 * holding most is cut off, and so on at each check while the limit is passed.
 *
 * <p>Runs on one executor (the acceptor loop); asks each event loop for its largest backlogged
 * client, which is the only cross-loop work it does.
 */
final class MemoryGuard {
  private static final Logger log = LoggerFactory.getLogger(MemoryGuard.class);

  /** One loop's candidate: the client holding most there. */
  private record Candidate(Backlogs.Backlogged client, long bytes, EventLoop loop) {}

  private final long limit;
  private final LongSupplier inUse;
  private final List<LoopShard> shards;
  private final EventLoop home;
  /** A round of asking the loops is under way; only touched on {@link #home}. */
  private boolean asking;

  MemoryGuard(long limit, LongSupplier inUse, List<LoopShard> shards, EventLoop home) {
    this.limit = limit;
    this.inUse = inUse;
    this.shards = shards;
    this.home = home;
  }

  long limit() {
    return limit;
  }

  /** Checks the bound; on {@link #home}. */
  void check() {
    if (asking) {
      return;
    }
    long used = inUse.getAsLong();
    if (used <= limit) {
      return;
    }
    asking = true;
    List<CompletableFuture<Candidate>> asked = new ArrayList<>();
    for (LoopShard shard : shards) {
      asked.add(
          CompletableFuture.supplyAsync(
              () -> {
                Backlogs.Backlogged b = shard.router().backlogs().largest();
                return b == null ? null : new Candidate(b, b.bufferedBytes(), shard.loop());
              },
              shard.loop()));
    }
    CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
        .whenCompleteAsync(
            (ignored, failure) -> {
              asking = false;
              Candidate most = null;
              for (CompletableFuture<Candidate> f : asked) {
                Candidate c = f.isCompletedExceptionally() ? null : f.join();
                if (c != null && (most == null || c.bytes() > most.bytes())) {
                  most = c;
                }
              }
              if (most == null) {
                RateLimitedLog.DEFAULT.warn(
                    log,
                    "{} bytes of buffers in use, over the limit of {}, but no client has"
                        + " responses piling up",
                    used,
                    limit);
                return;
              }
              Candidate shed = most;
              shed.loop()
                  .execute(
                      () ->
                          shed.client()
                              .shed(
                                  "the process holds "
                                      + used
                                      + " bytes of buffers, over its limit of "
                                      + limit
                                      + ", and this client's "
                                      + shed.bytes()
                                      + " unread bytes are the most"));
            },
            home);
  }
}
