package org.ldapbalancer.server;

/**
 * A reload that some event loops applied and another did not (it failed, or did not answer in
 * time): unlike a refused reload, the running configuration did change, on the loops that
 * finished. Sending SIGHUP again applies the file everywhere; a restart certainly does.
 */
public final class ReloadIncompleteException extends RuntimeException {
  public ReloadIncompleteException(String message, Throwable cause) {
    super(message, cause);
  }
}
