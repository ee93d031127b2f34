package org.ldapbalancer.config;

/** The {@code bindmethod} values of {@code bindconf}. */
public enum BindMethod {
  NONE,
  SIMPLE,
  /** A SASL bind ({@code saslmech}, {@code authcid}, {@code authzid}, {@code credentials}). */
  SASL
}
