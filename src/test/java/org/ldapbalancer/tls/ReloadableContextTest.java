package org.ldapbalancer.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a context is rebuilt: a file written while it is read, two threads checking at once. */
class ReloadableContextTest {
  @TempDir Path dir;

  /** A context over one file whose rebuild runs a hook after "reading" it. */
  private static final class Counting extends ReloadableContext {
    final Path file;
    final AtomicInteger rebuilds = new AtomicInteger();
    volatile Runnable duringRebuild = () -> {};

    Counting(Path file) {
      super("test TLS", built(file));
      this.file = file;
    }

    static ContextBuilder.Built built(Path file) {
      return new ContextBuilder.Built(null, null, List.of(file), List.of());
    }

    @Override
    ContextBuilder.Built rebuild() {
      rebuilds.incrementAndGet();
      duringRebuild.run();
      return built(file);
    }
  }

  private Path file(String contents, long mtime) throws Exception {
    Path file = dir.resolve("cert.pem");
    Files.writeString(file, contents);
    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime));
    return file;
  }

  @Test
  void aFileWrittenDuringTheRebuildIsLoadedAtTheNextCheck() throws Exception {
    Path file = file("first", 1_000_000);
    Counting context = new Counting(file);
    assertThat(context.reloadIfChanged()).isFalse();

    Files.writeString(file, "second");
    Files.setLastModifiedTime(file, FileTime.fromMillis(2_000_000));
    // The files were read; the renewal tool now writes the third version.
    context.duringRebuild =
        () -> {
          try {
            Files.writeString(file, "third, longer");
            Files.setLastModifiedTime(file, FileTime.fromMillis(3_000_000));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    assertThat(context.reloadIfChanged()).isTrue();
    context.duringRebuild = () -> {};

    assertThat(context.reloadIfChanged()).as("the third version is read").isTrue();
    assertThat(context.rebuilds).hasValue(2);
    assertThat(context.reloadIfChanged()).isFalse();
  }

  @Test
  void twoThreadsDoNotRebuildAtOnce() throws Exception {
    Path file = file("first", 1_000_000);
    Counting context = new Counting(file);
    Files.writeString(file, "second, longer");
    Files.setLastModifiedTime(file, FileTime.fromMillis(2_000_000));

    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    context.duringRebuild =
        () -> {
          mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
          firstInside.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            inside.decrementAndGet();
          }
        };
    Thread watcher = new Thread(context::reloadIfChanged, "watcher");
    watcher.start();
    assertThat(firstInside.await(10, TimeUnit.SECONDS)).isTrue();

    Thread sighup = new Thread(context::reloadIfChanged, "sighup");
    sighup.start();
    // Either it waits for the watcher (BLOCKED on the lock) or it is rebuilding too.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sighup.getState() != Thread.State.BLOCKED
        && inside.get() < 2
        && sighup.isAlive()
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    release.countDown();
    watcher.join(10_000);
    sighup.join(10_000);

    assertThat(mostInside).as("rebuilds running at once").hasValue(1);
    assertThat(context.rebuilds).as("the second thread finds nothing more to do").hasValue(1);
  }
}
