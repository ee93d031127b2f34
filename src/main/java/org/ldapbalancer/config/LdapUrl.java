package org.ldapbalancer.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An {@code ldap://host:port} URL naming a listener or an upstream server. Only the scheme,
 * host and port are meaningful here.
 */
public record LdapUrl(String scheme, String host, int port) {

  /**
   * Parses {@code ldap://host[:port]} or {@code ldaps://host[:port]} (default ports 389 and 636);
   * an empty host means every address (listeners only).
   *
   * @throws IllegalArgumentException with a message fit for an operator
   */
  public static LdapUrl parse(String text) {
    return parse(text, false);
  }

  private static LdapUrl parse(String text, boolean httpAllowed) {
    URI uri;
    try {
      // java.net.URI wants an authority after "//"; "ldap://" means every address.
      uri = new URI(text.endsWith("://") ? text + "/" : text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + text);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean http = httpAllowed && scheme.equals("http");
    if (!scheme.equals("ldap") && !scheme.equals("ldaps") && !http) {
      throw new IllegalArgumentException(
          "unsupported URL scheme in " + text + " (only ldap:// and ldaps:// are supported so far)");
    }
    String host = uri.getHost();
    int port = uri.getPort();
    if (host == null) {
      String authority = uri.getRawAuthority();
      if (authority != null && authority.matches(":[0-9]{1,5}")) {
        // "ldap://:1389" (every address, one port): java.net.URI finds no host here at all.
        port = Integer.parseInt(authority.substring(1));
      } else if (authority != null && !authority.isEmpty()) {
        throw new IllegalArgumentException("bad host in URL " + text);
      }
      host = "";
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    port = port < 0 ? defaultPort(scheme) : port;
    if (port > 65535) {
      throw new IllegalArgumentException("bad port in URL " + text);
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      throw new IllegalArgumentException(
          "URL " + text + (http ? " must not name a path" : " must not name a DN"));
    }
    return new LdapUrl(scheme, host, port);
  }

  private static int defaultPort(String scheme) {
    return switch (scheme) {
      case "ldaps" -> 636;
      case "http" -> 80;
      default -> 389;
    };
  }

  /**
   * Parses a listener URL ({@code listen} in the file, {@code -h} on the command line): {@code
   * ldap://[host][:port]}, {@code ldaps://[host][:port]}, or {@code http://[host][:port]/} for
   * monitoring (default port 80). The other schemes lloadd listens on are
   * refused with the reason, since
   * the listener could not be opened as named.
   *
   * @throws IllegalArgumentException with a message fit for an operator
   */
  public static LdapUrl parseListener(String text) {
    int end = text.indexOf("://");
    String scheme = end < 0 ? "" : text.substring(0, end).toLowerCase(Locale.ROOT);
    String missing =
        switch (scheme) {
          case "ldapi" -> "Unix domain sockets are not implemented";
          case "pldap" -> "the PROXY protocol is not implemented";
          case "pldaps" -> "the PROXY protocol and TLS are not implemented";
          case "https" -> "the monitoring listener speaks plain http:// only; keep it on loopback"
              + " or a private address";
          default -> null;
        };
    if (missing != null) {
      throw new IllegalArgumentException(
          text + ": " + scheme + ":// is not supported yet (" + missing + ")");
    }
    return parse(text, true);
  }

  /** Whether connections on this URL use TLS from their first byte ({@code ldaps://}). */
  public boolean isTls() {
    return scheme.equals("ldaps");
  }

  /** Whether this is the monitoring listener ({@code http://}: metrics, health, status page). */
  public boolean isHttp() {
    return scheme.equals("http");
  }

  @Override
  public String toString() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port;
  }
}
