package org.ldapbalancer.testing;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.asn1.ASN1Exception;
import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.asn1.ASN1Sequence;
import com.unboundid.ldap.sdk.Control;
import java.util.List;

/**
 * A Session Tracking control (draft-wahl-ldap-session-03 §2) as a server reads it, decoded with
 * UnboundID's ASN.1 reader: an independent check of what the balancer encodes.
 */
public record SessionTracking(
    boolean critical, String sourceIp, String sourceName, String formatOid, String identifier) {
  public static final String OID = "1.3.6.1.4.1.21008.108.63.1";
  public static final String USERNAME_FORMAT = "1.3.6.1.4.1.21008.108.63.1.3";

  /** Decodes the control; fails if it is not a well-formed Session Tracking control. */
  public static SessionTracking of(Control control) {
    if (!OID.equals(control.getOID()) || !control.hasValue()) {
      throw new IllegalArgumentException("not a session tracking control: " + control);
    }
    try {
      ASN1Element[] fields =
          ASN1Sequence.decodeAsSequence(control.getValue().getValue()).elements();
      if (fields.length != 4) {
        throw new IllegalArgumentException("expected 4 fields, got " + fields.length);
      }
      String[] text = new String[4];
      for (int i = 0; i < 4; i++) {
        text[i] = ASN1OctetString.decodeAsOctetString(fields[i]).stringValue();
      }
      return new SessionTracking(control.isCritical(), text[0], text[1], text[2], text[3]);
    } catch (ASN1Exception e) {
      throw new IllegalArgumentException("malformed session tracking value", e);
    }
  }

  /** The message's Session Tracking control, decoded, or null if it has none. */
  public static SessionTracking in(List<Control> controls) {
    for (Control c : controls) {
      if (OID.equals(c.getOID())) {
        return of(c);
      }
    }
    return null;
  }
}
