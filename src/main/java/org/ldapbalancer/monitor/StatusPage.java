package org.ldapbalancer.monitor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The status page: one self-contained HTML document (inline style and script, nothing loaded from
 * elsewhere) that polls {@code /status.json} and updates its tables in place. Values are put in
 * with {@code textContent}, never as markup.
 */
final class StatusPage {
  private static final byte[] HTML = load();

  private StatusPage() {}

  static byte[] html() {
    return HTML;
  }

  private static byte[] load() {
    try (InputStream in = StatusPage.class.getResourceAsStream("status.html")) {
      if (in == null) {
        throw new IllegalStateException("status.html missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
