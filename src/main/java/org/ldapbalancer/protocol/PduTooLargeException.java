package org.ldapbalancer.protocol;

/** A PDU whose announced length exceeds the configured maximum. */
public final class PduTooLargeException extends MalformedPduException {
  public PduTooLargeException(long length, int maximum) {
    super("PDU of " + length + " bytes exceeds the maximum of " + maximum);
  }
}
