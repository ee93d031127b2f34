package org.ldapbalancer.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs blocking test work (a tool waiting for its process, a slapd starting) on a thread of its
 * own. {@code CompletableFuture.supplyAsync} without an executor uses the common pool, which has as
 * few threads as the machine has cores less one: tasks meant to run at once, to load the balancer
 * concurrently, would quietly run a few at a time.
 */
public final class Background {

  private static final Executor THREAD_PER_TASK =
      task -> {
        Thread thread = new Thread(task, "test-background");
        thread.setDaemon(true);
        thread.start();
      };

  private Background() {}

  public static <T> CompletableFuture<T> supply(Supplier<T> task) {
    return CompletableFuture.supplyAsync(task, THREAD_PER_TASK);
  }
}
