package org.ldapbalancer.config;

/** The {@code bindmethod} values of {@code bindconf}. */
public enum BindMethod {
  NONE,
  SIMPLE
}
