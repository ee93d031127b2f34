package org.ldapbalancer.protocol;

/** Object identifiers of the extended operations and controls the balancer handles. */
public final class Oids {
  /** RFC 4511 §4.4.1. */
  public static final String NOTICE_OF_DISCONNECTION = "1.3.6.1.4.1.1466.20036";
  /** RFC 4511 §4.14. */
  public static final String START_TLS = "1.3.6.1.4.1.1466.20037";
  /** RFC 4532. */
  public static final String WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3";
  /** RFC 3909: Cancel. */
  public static final String CANCEL = "1.3.6.1.1.8";
  /** RFC 2696: the paged results control. */
  public static final String PAGED_RESULTS = "1.2.840.113556.1.4.319";
  /** RFC 4533: the Sync Request control of syncrepl. */
  public static final String SYNC_REQUEST = "1.3.6.1.4.1.4203.1.9.1.1";
  /** draft-ietf-ldapext-psearch: the Persistent Search control. */
  public static final String PERSISTENT_SEARCH = "2.16.840.1.113730.3.4.3";
  /** RFC 4370. */
  public static final String PROXIED_AUTHORIZATION = "2.16.840.1.113730.3.4.18";
  /**
   * The Proxied Authorization control's first form (draft-weltman-ldapv3-proxy-04), still
   * honoured by 389 Directory Server and Red Hat's: a client's would assert an identity too.
   */
  public static final String PROXIED_AUTHORIZATION_V1 = "2.16.840.1.113730.3.4.12";
  /** Session Tracking control, draft-wahl-ldap-session-03 §2. */
  public static final String SESSION_TRACKING = "1.3.6.1.4.1.21008.108.63.1";
  /**
   * The draft's identifier format for a user name (§2, "LDAP-Session-Username"): the balancer
   * puts the client's authorization identity there ({@code dn:...}, {@code dn:} when anonymous).
   */
  public static final String SESSION_TRACKING_USERNAME = "1.3.6.1.4.1.21008.108.63.1.3";

  /**
   * OpenLDAP's Verify Credentials extended operation (experimental arc, {@code
   * LDAP_EXOP_VERIFY_CREDENTIALS} in OpenLDAP's ldap.h): a bind checked without binding.
   */
  public static final String VERIFY_CREDENTIALS = "1.3.6.1.4.1.4203.666.6.5";

  /** RFC 3829: the Authorization Identity Request control, asked with a bind. */
  public static final String AUTHORIZATION_IDENTITY_REQUEST = "2.16.840.1.113730.3.4.16";

  /** RFC 3829: the Authorization Identity Response control, the identity a bind established. */
  public static final String AUTHORIZATION_IDENTITY_RESPONSE = "2.16.840.1.113730.3.4.15";

  private Oids() {}
}
