package org.ldapbalancer.config;

/** The {@code tier} strategies of lloadd.conf(5). */
public enum TierPolicy {
  /** Each operation to the next server in turn. */
  ROUNDROBIN,
  /** Each operation to a server drawn at random in proportion to its {@code weight=}. */
  WEIGHTED,
  /** Each operation to the faster (recent latency) of two servers drawn at random. */
  BESTOF
}
