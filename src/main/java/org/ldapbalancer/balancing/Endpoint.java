package org.ldapbalancer.balancing;

/** One upstream connection as selection sees it. */
public interface Endpoint {
  /** Connected, bound and not closing. */
  boolean isReady();

  /** Nothing half-written: its outbound buffer is below the high-water mark. */
  boolean isWritable();

  /** Operations forwarded on it that have not had their final response yet. */
  int pendingOps();

  /**
   * Whether something was written to it in this turn of the event loop and waits for the flush
   * at the turn's end: among equally busy connections such a one is preferred, so that requests
   * share a system call.
   */
  default boolean hasUnflushedWrites() {
    return false;
  }
}
