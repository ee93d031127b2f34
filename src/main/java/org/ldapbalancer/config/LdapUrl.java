package org.ldapbalancer.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
      // "ldap://:1389" (every address, one port) and names java.net.URI does not take for a
      // host, such as Docker's "openldap_1": no host from it, the authority read here instead.
      String authority = uri.getRawAuthority();
      Matcher m = AUTHORITY.matcher(authority == null ? "" : authority);
      if (!m.matches()) {
        throw new IllegalArgumentException("bad host in URL " + text);
      }
      host = m.group(1);
      port = m.group(2) == null || m.group(2).isEmpty() ? -1 : Integer.parseInt(m.group(2));
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

  /**
   * A host as libldap's URL parser takes it: a bracketed IPv6 literal or any run of characters
   * other than {@code :@[]/} (so {@code _}, which RFC 3986 host names lack but Docker's service
   * names have), then an optional port.
   */
  private static final Pattern AUTHORITY =
      Pattern.compile("(\\[[^\\]/@]*\\]|[^:@\\[\\]/]*)(?::([0-9]{0,5}))?");

  private static int defaultPort(String scheme) {
    return switch (scheme) {
      case "ldaps" -> 636;
      case "http" -> 80;
      default -> 389;
    };
  }

  /**
   * Parses a listener URL ({@code listen} in the file, {@code -h} on the command line): {@code
   * ldap://[host][:port]}, {@code ldaps://[host][:port]}, or their PROXY protocol forms {@code
   * pldap://} and {@code pldaps://} (default ports 389 and 636, as slapd), {@code
   * ldapi://%2Fpath%2Fto%2Fsocket} (a Unix domain socket; the path percent-encoded, as slapd
   * writes it), or {@code http://[host][:port]/} for monitoring (default port 80).
   *
   * @throws IllegalArgumentException with a message fit for an operator
   */
  public static LdapUrl parseListener(String text) {
    int end = text.indexOf("://");
    String scheme = end < 0 ? "" : text.substring(0, end).toLowerCase(Locale.ROOT);
    if (scheme.equals("https")) {
      throw new IllegalArgumentException(text + ": https:// is not supported yet (the monitoring"
          + " listener speaks plain http:// only; keep it on loopback or a private address)");
    }
    if (scheme.equals("ldapi")) {
      return new LdapUrl("ldapi", socketPath(text, text.substring(end + 3)), 0);
    }
    if (scheme.equals("pldap") || scheme.equals("pldaps")) {
      // The same address syntax as ldap:// and ldaps://; only the first bytes differ.
      LdapUrl plain;
      try {
        plain = parse(text.substring(1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage().replace(text.substring(1), text), e);
      }
      return new LdapUrl(scheme, plain.host(), plain.port());
    }
    return parse(text, true);
  }

  /**
   * The socket path of an {@code ldapi://} URL: percent-decoded, absolute, without the optional
   * trailing {@code /}. slapd falls back to a path compiled into it; there is no such path here.
   */
  private static String socketPath(String text, String rest) {
    String encoded = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
    if (encoded.isEmpty()) {
      throw new IllegalArgumentException(
          text + ": ldapi:// needs the socket's path, e.g. ldapi://%2Frun%2Fldap-balancer%2Fldapi");
    }
    if (encoded.contains("/") || encoded.contains("?")) {
      throw new IllegalArgumentException(
          text + ": the socket path must be percent-encoded (%2F for /), as in"
              + " ldapi://%2Frun%2Fldap-balancer%2Fldapi");
    }
    String path;
    try {
      path = URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(text + ": bad percent-encoding in the socket path");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(text + ": the socket path must be absolute");
    }
    return path;
  }

  /** Whether this names a Unix domain socket ({@code ldapi://}); {@link #host()} is its path. */
  public boolean isDomainSocket() {
    return scheme.equals("ldapi");
  }

  /** Whether connections on this URL use TLS from their first byte ({@code ldaps://}). */
  public boolean isTls() {
    return scheme.equals("ldaps") || scheme.equals("pldaps");
  }

  /**
   * Whether every connection on this listener starts with a PROXY protocol header ({@code
   * pldap://}, {@code pldaps://}) naming the client's real address.
   */
  public boolean isProxyProtocol() {
    return scheme.equals("pldap") || scheme.equals("pldaps");
  }

  /** Whether this is the monitoring listener ({@code http://}: metrics, health, status page). */
  public boolean isHttp() {
    return scheme.equals("http");
  }

  @Override
  public String toString() {
    if (isDomainSocket()) {
      return "ldapi://" + URLEncoder.encode(host, StandardCharsets.UTF_8);
    }
    String h = host.contains(":") ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port;
  }
}
