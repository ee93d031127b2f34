package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.userId;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.ServerSideSortRequestControl;
import com.unboundid.ldap.sdk.controls.SortKey;
import com.unboundid.ldap.sdk.controls.VirtualListViewRequestControl;
import com.unboundid.ldap.sdk.controls.VirtualListViewResponseControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * VLV (draft-ietf-ldapext-ldapv3-vlv) with server-side sorting (RFC 2891) through two servers
 * with sssvlv that hold different numbers of entries: with {@code restrict_control
 * 2.16.840.1.113730.3.4.9 connection}, every window of the list goes to the connection holding
 * its context, so the client walks one server's whole sorted list window by window (round robin
 * would alternate between lists of different lengths).
 */
final class VirtualListViewOnAPinnedConnectionIT {
  private static final int USERS = 50;
  private static final int WINDOW = 10;
  private static final String VLV = "2.16.840.1.113730.3.4.9";

  @Test
  void windowsOfASortedListFollowTheirContext() throws Exception {
    try (SlapdGroup slapds =
            SlapdGroup.start(
                List.of(
                    SlapdServer.builder().users(USERS).overlay("sssvlv"),
                    SlapdServer.builder().users(USERS + 2 * WINDOW).overlay("sssvlv")));
        RunningBalancer balancer =
            slapds
                .balancer(Duration.ZERO)
                .ioThreads(1)
                .restrictions(
                    new Restrictions(
                        Map.of(), RestrictAction.IGNORE, Map.of(VLV, RestrictAction.CONNECTION), 0))
                .start()
                .awaitReady(slapds.urls());
        LDAPConnection c = new LDAPConnection("127.0.0.1", balancer.port())) {
      List<String> seen = new ArrayList<>();
      ASN1OctetString context = null;
      int count = 0;
      for (int offset = 1; offset == 1 || offset <= count; offset += WINDOW) {
        SearchRequest window =
            new SearchRequest(PEOPLE_DN, SearchScope.ONE, "(objectClass=inetOrgPerson)", "uid");
        // uid has no ordering rule of its own in the schema.
        window.addControl(
            new ServerSideSortRequestControl(new SortKey("uid", "caseIgnoreOrderingMatch", false)));
        window.addControl(
            new VirtualListViewRequestControl(offset, 0, WINDOW - 1, count, context, true));
        // slapd's sssvlv now and then answers busy ("Other sort requests already in progress")
        // to a window that follows the previous one at once on the same connection (seen once
        // in about a dozen runs: a race in its per-connection sort state, which slapd's clients
        // work around by asking again). The window is then asked for again.
        SearchResult result =
            await("window at " + offset + " answered other than busy")
                .atMost(Duration.ofSeconds(10))
                .ignoreExceptionsMatching(
                    e -> e instanceof LDAPSearchException s && s.getResultCode() == ResultCode.BUSY)
                .until(() -> c.search(window), r -> true);
        assertThat(result.getResultCode()).isEqualTo(ResultCode.SUCCESS);
        VirtualListViewResponseControl vlv = VirtualListViewResponseControl.get(result);
        if (offset == 1) {
          count = vlv.getContentCount();
          assertThat(count).isIn(USERS, USERS + 2 * WINDOW);
        }
        assertThat(vlv.getContentCount()).as("the list of one server").isEqualTo(count);
        context = vlv.getContextID();
        for (SearchResultEntry e : result.getSearchEntries()) {
          seen.add(e.getAttributeValue("uid"));
        }
      }
      assertThat(seen)
          .isEqualTo(IntStream.range(0, count).mapToObj(i -> userId(i)).sorted().toList());
    }
  }
}
