package org.ldapbalancer.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * SIGSTOP and SIGCONT, which {@link ProcessHandle} cannot send.
 *
 * <p>kill(2) returns before the target has actually stopped, so each method waits until
 * /proc shows the new state; a test that pauses a server and then expects a timeout must not
 * race the kernel.
 */
final class ProcessSignals {

  private static final Duration DEADLINE = Duration.ofSeconds(5);

  private ProcessSignals() {}

  static void stop(long pid) {
    send("STOP", pid);
    awaitStopped(pid, true);
  }

  static void resume(long pid) {
    send("CONT", pid);
    awaitStopped(pid, false);
  }

  static void send(String signal, long pid) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " did not finish");
      }
      if (kill.exitValue() != 0) {
        String output = new String(kill.getInputStream().readAllBytes());
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + signal + " " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending SIG" + signal, e);
    }
  }

  private static void awaitStopped(long pid, boolean stopped) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return; // Not Linux (or already gone): nothing to observe, kill(2) is all we have.
    }
    Awaitility.await("process " + pid + (stopped ? " stopped" : " running"))
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> isStopped(stat) == stopped);
  }

  /** Field 3 of /proc/PID/stat is the state; 'T' is stopped by a signal. */
  private static boolean isStopped(Path stat) throws IOException {
    String content = Files.readString(stat);
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    int afterName = content.lastIndexOf(')');
    return content.charAt(afterName + 2) == 'T';
  }
}
