package org.ldapbalancer.config;

/** The {@code tier} strategies. Only round robin is implemented so far. */
public enum TierPolicy {
  ROUNDROBIN
}
