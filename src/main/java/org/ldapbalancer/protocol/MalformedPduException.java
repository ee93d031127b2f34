package org.ldapbalancer.protocol;

/**
 * A PDU that is not valid BER or not a valid LDAPMessage. The peer that sent it is not
 * speaking LDAP and its connection is closed.
 */
public class MalformedPduException extends Exception {
  public MalformedPduException(String message) {
    super(message, null, false, false);
  }
}
