package org.ldapbalancer.config;

/** {@code TLSCRLCheck} and {@code tls_crlcheck}: which certificates revocation lists apply to. */
public enum CrlCheck {
  NONE,
  /** The peer's own certificate. */
  PEER,
  /** Every certificate of the chain below the trusted CA. */
  ALL
}
