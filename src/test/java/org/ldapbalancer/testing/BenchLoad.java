package org.ldapbalancer.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ldapbalancer.bench.Bench;
import org.ldapbalancer.bench.BenchException;
import org.ldapbalancer.bench.BenchResult;
import org.ldapbalancer.bench.BenchSettings;

/**
 * {@code ldap-balancer bench} run in the background of a fault test, as the load the fault falls
 * on: search mode against the fixture's users, bound as {@code uid=user.0}, so that every request
 * goes through the balancer's shared connections with a proxied identity. Its result carries the
 * answer ledger ({@link BenchResult.Answers}): every request sent and what became of it.
 *
 * <pre>{@code
 * BenchLoad load = BenchLoad.start(BenchLoad.searches(lb.url(), 100).durationSeconds(10));
 * ... the fault ...
 * BenchResult r = load.result();
 * }</pre>
 *
 * <p>Thread-safe: the run is on its own threads; {@link #progress()} may be read meanwhile.
 */
public final class BenchLoad {
  private final StringWriter progress = new StringWriter();
  private final CompletableFuture<BenchResult> run;
  private final double bound;

  private BenchLoad(BenchSettings settings) {
    PrintWriter out = new PrintWriter(progress, true);
    this.bound = settings.durationSeconds() + settings.drainSeconds();
    this.run = Background.supply(() -> {
      try {
        return Bench.run(settings, out);
      } catch (BenchException e) {
        throw new IllegalStateException("the load could not start: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    });
  }

  /**
   * Searches of random users {@code uid=user.0} to {@code uid=user.(users-1)}, bound as user.0,
   * 4 connections with 2 requests in flight each at 400 operations/s, a drain of 15 s.
   */
  public static BenchSettings.Builder searches(String url, int users) {
    return BenchSettings.builder()
        .mode("search")
        .url(url)
        .dnTemplate("uid=user.{0-" + (users - 1) + "}," + DirectoryData.PEOPLE_DN)
        .bindDn(DirectoryData.userDn(0))
        .bindPassword(DirectoryData.USER_PASSWORD)
        .connections(4)
        .inFlight(2)
        .rate(400)
        .threads(1)
        .drainSeconds(15);
  }

  public static BenchLoad start(BenchSettings.Builder settings) {
    return new BenchLoad(settings.build());
  }

  public boolean isDone() {
    return run.isDone();
  }

  /** The progress lines so far: a line a second, with errors. */
  public String progress() {
    return progress.toString();
  }

  /** Waits for the run to end by itself (its duration and drain, and a margin). */
  public BenchResult result() throws InterruptedException {
    Duration deadline = Duration.ofMillis(Math.round(bound * 1000) + 30_000);
    try {
      return run.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the load did not end within " + deadline + ":\n"
          + progress(), e);
    } catch (java.util.concurrent.ExecutionException | CompletionException e) {
      throw new IllegalStateException("the load failed:\n" + progress(), e.getCause());
    }
  }
}
