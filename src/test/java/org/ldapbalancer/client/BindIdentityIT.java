package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.ProxiedAuthorizationV2RequestControl;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RecordingDirectory.Request;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * Simple binds travel over bind connections and set the identity that every later operation
 * carries upstream in a critical Proxied Authorization control (RFC 4370).
 */
@Timeout(120)
class BindIdentityIT {
  private RecordingDirectory dir;
  private RunningBalancer lb;

  private LDAPConnection start(boolean proxyAuthz) throws Exception {
    dir = RecordingDirectory.start("a", 10);
    lb = RunningBalancer.builder().server(dir.url(), 2, 1).proxyAuthz(proxyAuthz).start()
        .awaitReady(dir.url());
    return new LDAPConnection("127.0.0.1", lb.port());
  }

  @AfterEach
  void stop() {
    if (lb != null) {
      lb.close();
    }
    if (dir != null) {
      dir.close();
    }
  }

  /** Searches with a filter no other step uses and returns the request the server saw. */
  private Request searchSeenUpstream(LDAPConnection c, String marker) throws LDAPException {
    c.search(SampleDirectory.BASE_DN, SearchScope.SUB, "(uid=" + marker + ")");
    List<Request> seen = dir.requests(r -> r.filter().equals("(uid=" + marker + ")"));
    assertThat(seen).hasSize(1);
    return seen.get(0);
  }

  @Test
  void everyOperationCarriesTheBoundIdentity() throws Exception {
    try (LDAPConnection c = start(true)) {
      Request anonymous = searchSeenUpstream(c, "step1");
      assertThat(anonymous.proxiedAuthz()).isEqualTo("dn:");
      assertThat(anonymous.control(RecordingDirectory.PROXIED_AUTHZ_OID).isCritical()).isTrue();

      BindResult bound = c.bind(SampleDirectory.userDn(3), SampleDirectory.USER_PASSWORD);
      assertThat(bound.getResultCode()).isEqualTo(ResultCode.SUCCESS);
      Request asUser = searchSeenUpstream(c, "step2");
      assertThat(asUser.proxiedAuthz()).isEqualTo("dn:" + SampleDirectory.userDn(3));
      assertThat(c.compare(SampleDirectory.userDn(3), "cn", "User 3").compareMatched()).isTrue();
      assertThat(dir.requests(r -> r.op() instanceof com.unboundid.ldap.protocol.CompareRequestProtocolOp))
          .singleElement()
          .satisfies(r -> assertThat(r.proxiedAuthz()).isEqualTo("dn:" + SampleDirectory.userDn(3)));

      // The user's bind went over a connection other than the one the search used.
      Request bind = dir.requests(r -> r.op() instanceof BindRequestProtocolOp b
          && b.getBindDN().equals(SampleDirectory.userDn(3))).get(0);
      assertThat(bind.connection()).isNotEqualTo(asUser.connection());
      assertThat(bind.controls()).isEmpty();

      // An anonymous bind makes the client anonymous again; it uses the bind connection too.
      c.bind("", "");
      assertThat(searchSeenUpstream(c, "step3").proxiedAuthz()).isEqualTo("dn:");
      assertThat(dir.requests(r -> r.op() instanceof BindRequestProtocolOp b
          && b.getBindDN().isEmpty())).singleElement()
          .satisfies(r -> assertThat(r.connection()).isEqualTo(bind.connection()));

      c.bind(SampleDirectory.userDn(4), SampleDirectory.USER_PASSWORD);
      assertThat(searchSeenUpstream(c, "step4").proxiedAuthz())
          .isEqualTo("dn:" + SampleDirectory.userDn(4));
    }
  }

  @Test
  void failedBindIsRelayedAndLeavesTheClientAnonymous() throws Exception {
    try (LDAPConnection c = start(true)) {
      c.bind(SampleDirectory.userDn(2), SampleDirectory.USER_PASSWORD);
      assertThatThrownBy(() -> c.bind(SampleDirectory.userDn(2), "wrong"))
          .isInstanceOfSatisfying(LDAPException.class,
              e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS));
      assertThat(searchSeenUpstream(c, "afterfailure").proxiedAuthz()).isEqualTo("dn:");
    }
  }

  @Test
  void clientBoundAsTheBalancersOwnAccountGetsNoControlAndKeepsItsOwn() throws Exception {
    try (LDAPConnection c = start(true)) {
      c.bind(SampleDirectory.BALANCER_DN, SampleDirectory.BALANCER_PASSWORD);
      assertThat(searchSeenUpstream(c, "own1").controls()).isEmpty();

      SearchRequest request =
          new SearchRequest(SampleDirectory.BASE_DN, SearchScope.SUB, "(uid=own2)");
      request.addControl(
          new ProxiedAuthorizationV2RequestControl("dn:" + SampleDirectory.userDn(5)));
      c.search(request);
      Request seen = dir.requests(r -> r.filter().equals("(uid=own2)")).get(0);
      assertThat(seen.controls()).hasSize(1);
      assertThat(seen.proxiedAuthz()).isEqualTo("dn:" + SampleDirectory.userDn(5));
    }
  }

  @Test
  void anotherClientsOwnProxiedAuthorizationControlIsRefusedClearly() throws Exception {
    try (LDAPConnection c = start(true)) {
      c.bind(SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD);
      SearchRequest request =
          new SearchRequest(SampleDirectory.BASE_DN, SearchScope.SUB, "(uid=notmine)");
      request.addControl(
          new ProxiedAuthorizationV2RequestControl("dn:" + SampleDirectory.userDn(5)));
      assertThatThrownBy(() -> c.search(request))
          .isInstanceOfSatisfying(LDAPException.class, e -> {
            assertThat(e.getResultCode()).isEqualTo(ResultCode.UNWILLING_TO_PERFORM);
            assertThat(e.getDiagnosticMessage()).contains("Proxied Authorization");
          });
      assertThat(dir.requests(r -> r.filter().equals("(uid=notmine)"))).isEmpty();
      // Other controls still pass, and the connection goes on.
      assertThat(searchSeenUpstream(c, "stillfine").proxiedAuthz())
          .isEqualTo("dn:" + SampleDirectory.userDn(1));
    }
  }

  @Test
  void withProxyAuthzOffNoControlIsAdded() throws Exception {
    try (LDAPConnection c = start(false)) {
      assertThat(searchSeenUpstream(c, "off1").controls()).isEmpty();
      c.bind(SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD);
      assertThat(searchSeenUpstream(c, "off2").controls()).isEmpty();
    }
  }
}
