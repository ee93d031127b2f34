package org.ldapbalancer.testing;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyResponseProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.protocol.SearchResultEntryProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import java.util.List;
import org.ldapbalancer.protocol.Oids;

/** The requests and responses the connection tests exchange, built with UnboundID's classes. */
public final class Messages {
  public static final String BASE = "dc=example,dc=com";

  private Messages() {}

  public static SearchRequestProtocolOp search() {
    return new SearchRequestProtocolOp(
        BASE, SearchScope.SUB, DereferencePolicy.NEVER, 0, 0, false,
        Filter.createPresenceFilter("objectClass"), List.of());
  }

  public static ModifyRequestProtocolOp modify() {
    return new ModifyRequestProtocolOp(
        "cn=a," + BASE,
        List.of(new Modification(ModificationType.REPLACE, "description", "x")));
  }

  public static SearchResultDoneProtocolOp searchDone(int resultCode) {
    return new SearchResultDoneProtocolOp(resultCode, null, null, null);
  }

  public static ModifyResponseProtocolOp modifyDone(int resultCode) {
    return new ModifyResponseProtocolOp(resultCode, null, null, null);
  }

  public static BindRequestProtocolOp simpleBind(String dn, String password) {
    return new BindRequestProtocolOp(dn, password);
  }

  public static BindRequestProtocolOp saslBind(String mechanism, String credentials) {
    return new BindRequestProtocolOp("", mechanism, new ASN1OctetString(credentials));
  }

  public static BindResponseProtocolOp bindDone(int resultCode) {
    return new BindResponseProtocolOp(resultCode, null, null, null, null);
  }

  public static ExtendedResponseProtocolOp whoAmIAnswer(int resultCode, String authzId) {
    return new ExtendedResponseProtocolOp(
        resultCode, null, null, null, null, authzId == null ? null : new ASN1OctetString(authzId));
  }

  public static ExtendedResponseProtocolOp noticeOfDisconnection(
      int resultCode, String diagnostic) {
    return new ExtendedResponseProtocolOp(
        resultCode, null, diagnostic, null, Oids.NOTICE_OF_DISCONNECTION, null);
  }

  public static SearchResultEntryProtocolOp entry(String rdn) {
    return new SearchResultEntryProtocolOp(
        rdn + "," + BASE, List.of(new Attribute("cn", rdn.substring(rdn.indexOf('=') + 1))));
  }
}
