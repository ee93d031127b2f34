package org.ldapbalancer.config;

/** {@code backend-server starttls=}: whether connections to the server start TLS. */
public enum StartTls {
  NO,
  /** When the server accepts the StartTLS request; in clear text when it refuses it. */
  YES,
  /** Always: a server that refuses StartTLS is not used, and no bind is sent in clear text. */
  CRITICAL
}
