package org.ldapbalancer.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.ldapbalancer.config.LdapUrl;

/**
 * lloadd's {@code -4} and {@code -6}: listen on IPv4 or IPv6 addresses only.
 *
 * <p>A listener binds one address, so a named host is resolved here and replaced by its first
 * address of the family asked for; the wildcard becomes {@code 0.0.0.0} under {@code -4}. Under
 * {@code -6} the wildcard stays {@code ::}, which the JVM opens dual-stack (it cannot set {@code
 * IPV6_V6ONLY}): {@link #acceptsBothFamilies} says when to warn that IPv4 clients still get in.
 */
enum AddressFamily {
  ANY,
  IPV4,
  IPV6;

  /** The flag's name, for messages. */
  private String flag() {
    return this == IPV4 ? "-4" : "-6";
  }

  /**
   * The listener as it will be opened under this restriction.
   *
   * @throws IllegalArgumentException when the host cannot be resolved or has no address of the
   *     family
   */
  LdapUrl restrict(LdapUrl url) {
    if (this == ANY || url.isDomainSocket()) {
      return url;
    }
    if (url.host().isEmpty()) {
      return this == IPV4 ? new LdapUrl(url.scheme(), "0.0.0.0", url.port()) : url;
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(url.host());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(flag() + ": cannot resolve host " + url.host());
    }
    for (InetAddress address : addresses) {
      if (this == IPV4 ? address instanceof Inet4Address : address instanceof Inet6Address) {
        return new LdapUrl(url.scheme(), address.getHostAddress(), url.port());
      }
    }
    throw new IllegalArgumentException(
        flag() + ": " + url + " has no " + (this == IPV4 ? "IPv4" : "IPv6") + " address");
  }

  /** Whether {@code url}, opened under this restriction, still takes clients of both families. */
  boolean acceptsBothFamilies(LdapUrl url) {
    return this == IPV6 && !url.isDomainSocket() && url.host().isEmpty();
  }
}
