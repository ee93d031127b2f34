package org.ldapbalancer.balancing;

/** One upstream connection as selection sees it. */
public interface Endpoint {
  /** Connected, bound and not closing. */
  boolean isReady();

  /** Nothing half-written: its outbound buffer is below the high-water mark. */
  boolean isWritable();

  /** Operations forwarded on it that have not had their final response yet. */
  int pendingOps();
}
