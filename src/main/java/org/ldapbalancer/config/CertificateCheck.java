package org.ldapbalancer.config;

/**
 * How a peer's certificate is checked: {@code TLSVerifyClient} for clients of the listeners,
 * {@code tls_reqcert} for the servers (slapd.conf(5), ldap.conf(5)).
 */
public enum CertificateCheck {
  /** Not asked for (clients) or not checked (servers). */
  NEVER,
  /** Asked for; a missing or bad certificate is ignored. */
  ALLOW,
  /** Asked for; none is fine, a bad one ends the session. */
  TRY,
  /** Required and checked: none or a bad one ends the session. */
  DEMAND
}
