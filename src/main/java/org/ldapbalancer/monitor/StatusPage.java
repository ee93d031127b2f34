package org.ldapbalancer.monitor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The status page: one self-contained HTML document (inline style and script, nothing loaded from
 * elsewhere) that polls {@code /status.json} and updates its tables in place. Values are put in
 * with {@code textContent}, never as markup.
 */
final class StatusPage {
  private static final byte[] HTML = load();

  /**
   * The page's Content-Security-Policy: its one inline script is allowed by its SHA-256 (CSP
   * Level 2 §4.2.4), so no other script can run on it, whatever a value shown might contain; it
   * may fetch from this listener only, and load nothing.
   */
  private static final String POLICY =
      "default-src 'none'; script-src '" + scriptHash(new String(HTML, StandardCharsets.UTF_8))
          + "'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none';"
          + " form-action 'none'; frame-ancestors 'none'";

  private StatusPage() {}

  static byte[] html() {
    return HTML;
  }

  static String securityPolicy() {
    return POLICY;
  }

  /** {@code sha256-<base64>} of the text of the page's single inline script. */
  static String scriptHash(String html) {
    int open = html.indexOf("<script>");
    int close = html.indexOf("</script>");
    if (open < 0 || close < open || html.indexOf("<script", open + 1) >= 0) {
      throw new IllegalStateException("status.html must hold exactly one inline <script>");
    }
    String script = html.substring(open + "<script>".length(), close);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
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
