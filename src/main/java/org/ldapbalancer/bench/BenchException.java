package org.ldapbalancer.bench;

/** A run that cannot start: nothing to connect to, or the session identity was refused. */
public final class BenchException extends Exception {
  private static final long serialVersionUID = 1L;

  public BenchException(String message) {
    super(message);
  }
}
