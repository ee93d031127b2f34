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

  /**
   * The holder of this connection's paged-results state, or null. slapd keeps one paged search
   * per connection (RFC 2696 leaves it to the server), so a second client's first page must not
   * go where another client's search is being paged.
   */
  default Object pagedHolder() {
    return null;
  }

  /** Until when ({@link System#nanoTime()}) the hold of {@link #pagedHolder()} is honoured. */
  default long pagedHoldUntilNanos() {
    return 0;
  }

  /** Records (or, with a null holder, clears) the paged-results hold. */
  default void holdForPaging(Object holder, long untilNanos) {
    throw new UnsupportedOperationException("this endpoint cannot hold paged results");
  }
}
