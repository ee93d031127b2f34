package org.ldapbalancer.balancing;

/** Where a search stands in a paged-results exchange (RFC 2696 §3). */
public enum Paging {
  /** Not a paged search. */
  NONE,
  /** A paged search with an empty cookie: a new exchange starts. */
  FIRST_PAGE,
  /** A paged search with a cookie: it continues (or, with size 0, ends) an exchange. */
  NEXT_PAGE
}
