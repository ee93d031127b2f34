package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedResult;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SessionTracking;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * {@code feature session-tracking} against real servers: slapd parses the Session Tracking control
 * (a malformed one, even non-critical, is refused with protocolError, as shown first), and the
 * balancer's is accepted on every kind of operation, anonymous and bound. A recording server shows
 * what the control carries for a client that connected to the balancer from 127.0.0.1.
 */
final class SessionTrackingWithSlapdIT {
  private static SlapdGroup slapds;
  private static RunningBalancer balancer;

  @BeforeAll
  static void start() throws Exception {
    slapds = SlapdGroup.start(1, 3);
    balancer = slapds.balancer(Duration.ZERO).sessionTracking(true).start();
    balancer.awaitReady(slapds.urls());
  }

  @AfterAll
  static void stop() {
    try {
      if (balancer != null) {
        balancer.close();
      }
    } finally {
      if (slapds != null) {
        slapds.close();
      }
    }
  }

  @Test
  void slapdRefusesAMalformedSessionTrackingControlSoAcceptingOneMeansItParsedIt()
      throws Exception {
    var slapd = slapds.server(0);
    try (LDAPConnection direct = new LDAPConnection(slapd.host(), slapd.port())) {
      SearchRequest search =
          new SearchRequest(userDn(0), SearchScope.BASE, "(objectClass=*)", "1.1");
      search.addControl(
          new Control(SessionTracking.OID, false, new ASN1OctetString("not a sequence")));
      LDAPSearchException refused = null;
      try {
        direct.search(search);
      } catch (LDAPSearchException e) {
        refused = e;
      }
      assertThat(refused).as("slapd checks the control").isNotNull();
      assertThat(refused.getResultCode()).isEqualTo(ResultCode.PROTOCOL_ERROR);
    }
  }

  @Test
  void slapdAcceptsTheBalancersControlAnonymousAndBound() throws Exception {
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", balancer.port())) {
      assertThat(c.search(userDn(0), SearchScope.BASE, "(objectClass=*)", "uid").getEntryCount())
          .isEqualTo(1);

      c.bind(userDn(1), USER_PASSWORD);
      assertThat(c.search(userDn(1), SearchScope.BASE, "(objectClass=*)", "uid").getEntryCount())
          .isEqualTo(1);
      assertThat(c.compare(userDn(1), "uid", "user.1").compareMatched()).isTrue();
      WhoAmIExtendedResult whoAmI =
          (WhoAmIExtendedResult) c.processExtendedOperation(new WhoAmIExtendedRequest());
      assertThat(whoAmI.getResultCode()).isEqualTo(ResultCode.SUCCESS);
      assertThat(whoAmI.getAuthorizationID()).isEqualToIgnoringCase("dn:" + userDn(1));
    }
  }

  @Test
  void theControlNamesTheClientsAddressTheBalancersHostAndTheIdentity() throws Exception {
    try (RecordingDirectory server = RecordingDirectory.start("tracked", 3);
        RunningBalancer lb =
            RunningBalancer.builder()
                .server(server.url(), 1, 1)
                .sessionTracking(true)
                .start()
                .awaitReady(server.url());
        LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      c.search("dc=example,dc=com", SearchScope.BASE, "(description=anonymous)", "1.1");
      c.bind(SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD);
      c.search("dc=example,dc=com", SearchScope.BASE, "(description=bound)", "1.1");

      SessionTracking anonymous = trackingOf(server, "(description=anonymous)");
      SessionTracking bound = trackingOf(server, "(description=bound)");
      assertThat(anonymous.sourceIp()).isEqualTo("127.0.0.1");
      assertThat(anonymous.sourceName()).isNotBlank().isEqualTo(HostName.get());
      assertThat(anonymous.identifier()).isEqualTo("dn:");
      assertThat(bound.identifier())
          .isEqualTo("dn:" + SampleDirectory.userDn(1));
      assertThat(bound.critical()).isFalse();
    }
  }

  private static SessionTracking trackingOf(RecordingDirectory server, String filter) {
    var requests = server.requests(r -> r.filter().equals(filter));
    assertThat(requests).hasSize(1);
    SessionTracking tracking = SessionTracking.in(requests.get(0).controls());
    assertThat(tracking).isNotNull();
    return tracking;
  }
}
