package org.ldapbalancer.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A context rebuilt when its files change: connections made afterwards get the new certificate,
 * those already open keep the session they have. A change that cannot be used (a half-written
 * file, a key that no longer matches) is logged and the previous context stays in force.
 *
 * <p>Thread-safe: the context is replaced whole through a volatile field, read by any thread;
 * {@link #reloadIfChanged()} is called both by the watcher and by a configuration reload (SIGHUP),
 * so it is synchronized: one check and rebuild at a time.
 */
abstract class ReloadableContext {
  private static final Logger log = LoggerFactory.getLogger(ReloadableContext.class);

  private final String what;
  private volatile ContextBuilder.Built current;
  /**
   * Modification times and sizes of the files {@link #current} was built from, as taken before they
   * were read: a file written while they were being read then looks changed at the next check.
   */
  private String stamp;
  /** The stamp last found unusable, so that a broken file is reported once, not every check. */
  private String failedStamp;

  ReloadableContext(String what, ContextBuilder.Built first) {
    this.what = what;
    this.current = first;
    this.stamp = stamp(first.files());
    first.notes().forEach(n -> log.warn("{}: {}", what, n));
  }

  abstract ContextBuilder.Built rebuild() throws TlsConfigException;

  final ContextBuilder.Built current() {
    return current;
  }

  /** Rebuilds if a file changed; true if the new context is now in force. */
  final synchronized boolean reloadIfChanged() {
    String now = stamp(current.files());
    if (now.equals(stamp) || now.equals(failedStamp)) {
      return false;
    }
    try {
      ContextBuilder.Built next = rebuild();
      current = next;
      // The stamp taken before reading: one taken now would hide a write made during the rebuild.
      stamp = now;
      failedStamp = null;
      log.info("{}: certificate files changed; new connections use them", what);
      return true;
    } catch (TlsConfigException | RuntimeException e) {
      failedStamp = now;
      log.error(
          "{}: changed certificate files cannot be used, the previous ones stay in force: {}",
          what,
          e.getMessage());
      return false;
    }
  }

  private static String stamp(List<Path> files) {
    StringJoiner joiner = new StringJoiner(";");
    for (Path file : files) {
      try {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        joiner.add(file + "@" + a.lastModifiedTime().toMillis() + "/" + a.size());
      } catch (IOException e) {
        joiner.add(file + "@missing");
      }
    }
    return joiner.toString();
  }
}
