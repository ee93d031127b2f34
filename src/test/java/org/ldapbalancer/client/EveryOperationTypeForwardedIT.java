package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.ServerSideSortRequestControl;
import com.unboundid.ldap.sdk.controls.ServerSideSortResponseControl;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import com.unboundid.ldap.sdk.controls.SortKey;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * Every request type a client may send travels through the balancer and its answers come back
 * to the client under the client's message ID, with the client's own controls intact.
 */
@Timeout(120)
class EveryOperationTypeForwardedIT {
  private static final int USERS = 20;
  private RecordingDirectory dir;
  private RunningBalancer lb;
  private LDAPConnection client;

  @BeforeEach
  void start() throws Exception {
    dir = RecordingDirectory.start("a", USERS);
    // One server, so that writes are seen by later reads and paging cookies stay valid.
    lb = RunningBalancer.builder().server(dir.url(), 2, 1).start().awaitReady(dir.url());
    client = new LDAPConnection("127.0.0.1", lb.port());
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (lb != null) {
      lb.close();
    }
    if (dir != null) {
      dir.close();
    }
  }

  @Test
  void searchReturnsTheMatchingEntriesAndReferences() throws Exception {
    SearchResult one =
        client.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.7)", "cn", "mail");
    assertThat(one.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(one.getSearchEntries()).singleElement().satisfies(e -> {
      assertThat(e.getDN()).isEqualTo(SampleDirectory.userDn(7));
      assertThat(e.getAttributeValue("mail")).isEqualTo("user.7@example.com");
    });

    SearchResult all =
        client.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(objectClass=person)");
    assertThat(all.getEntryCount()).isEqualTo(USERS);

    client.add(new Entry("ou=elsewhere," + SampleDirectory.BASE_DN,
        new Attribute("objectClass", "top", "referral", "extensibleObject"),
        new Attribute("ou", "elsewhere"),
        new Attribute("ref", "ldap://other.example.com/ou=elsewhere,dc=example,dc=com")));
    SearchResult withReference =
        client.search(SampleDirectory.BASE_DN, SearchScope.ONE, "(objectClass=*)");
    assertThat(withReference.getReferenceCount()).isEqualTo(1);
    assertThat(withReference.getSearchReferences().get(0).getReferralURLs())
        .containsExactly("ldap://other.example.com/ou=elsewhere,dc=example,dc=com");
    assertThat(withReference.getEntryCount()).isEqualTo(2); // people and the balancer's account
  }

  @Test
  void compareAnswersTrueAndFalse() throws Exception {
    assertThat(client.compare(SampleDirectory.userDn(4), "cn", "User 4").compareMatched()).isTrue();
    assertThat(client.compare(SampleDirectory.userDn(4), "cn", "User 5").compareMatched())
        .isFalse();
  }

  @Test
  void addModifyRenameDeleteChangeTheUpstreamDirectory() throws Exception {
    String dn = "uid=new.1," + SampleDirectory.PEOPLE_DN;
    LDAPResult added = client.add(new Entry(dn,
        new Attribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson"),
        new Attribute("uid", "new.1"), new Attribute("cn", "New One"),
        new Attribute("sn", "One")));
    assertThat(added.getResultCode()).isEqualTo(ResultCode.SUCCESS);

    LDAPResult modified = client.modify(dn,
        new Modification(ModificationType.REPLACE, "description", "changed"));
    assertThat(modified.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(client.getEntry(dn, "description").getAttributeValue("description"))
        .isEqualTo("changed");

    LDAPResult renamed = client.modifyDN(dn, "uid=new.2", true);
    assertThat(renamed.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    String newDn = "uid=new.2," + SampleDirectory.PEOPLE_DN;
    assertThat(client.getEntry(dn)).isNull();
    assertThat(client.getEntry(newDn)).isNotNull();

    LDAPResult deleted = client.delete(newDn);
    assertThat(deleted.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(client.getEntry(newDn)).isNull();

    // A failure is relayed as it is, matched DN and all.
    try {
      client.delete(newDn);
    } catch (com.unboundid.ldap.sdk.LDAPException e) {
      assertThat(e.getResultCode()).isEqualTo(ResultCode.NO_SUCH_OBJECT);
      assertThat(e.getMatchedDN()).isEqualTo(SampleDirectory.PEOPLE_DN);
      return;
    }
    throw new AssertionError("deleting a missing entry succeeded");
  }

  @Test
  void extendedRequestIsAnsweredByTheUpstream() throws Exception {
    // Bound as the balancer's own account, the client's requests carry no added control, so
    // the in-memory server answers Who Am I? (it refuses a critical Proxied Authorization).
    client.bind(SampleDirectory.BALANCER_DN, SampleDirectory.BALANCER_PASSWORD);
    ExtendedResult r = client.processExtendedOperation(new WhoAmIExtendedRequest());
    assertThat(r.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(((WhoAmIExtendedResult) r).getAuthorizationID())
        .isEqualToIgnoringCase("dn:" + SampleDirectory.BALANCER_DN);
    assertThat(dir.requests(q -> q.op() instanceof com.unboundid.ldap.protocol.ExtendedRequestProtocolOp))
        .isNotEmpty();
  }

  @Test
  void serverSideSortControlPassesThroughBothWays() throws Exception {
    SearchRequest request = new SearchRequest(SampleDirectory.PEOPLE_DN, SearchScope.ONE,
        "(objectClass=person)", "sn");
    request.addControl(new ServerSideSortRequestControl(true, new SortKey("cn", true)));
    SearchResult result = client.search(request);
    assertThat(result.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    List<String> sns = result.getSearchEntries().stream()
        .map(e -> e.getAttributeValue("sn")).toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      expected.add(Integer.toString(i));
    }
    // cn is "User N": reverse string order of cn is reverse string order of N.
    expected.sort((x, y) -> ("User " + y).compareTo("User " + x));
    assertThat(sns).containsExactlyElementsOf(expected);
    assertThat(ServerSideSortResponseControl.get(result)).isNotNull();
    RecordingDirectory.Request seen = dir.requests(RecordingDirectory.Request::isSearch).get(0);
    assertThat(seen.control(ServerSideSortRequestControl.SERVER_SIDE_SORT_REQUEST_OID))
        .isNotNull()
        .satisfies(c -> assertThat(c.isCritical()).isTrue());
    assertThat(seen.proxiedAuthz()).isEqualTo("dn:");
  }

  @Test
  void pagedResultsControlPagesThroughTheBalancer() throws Exception {
    List<String> dns = new ArrayList<>();
    ASN1OctetString cookie = null;
    int pages = 0;
    do {
      SearchRequest request = new SearchRequest(SampleDirectory.PEOPLE_DN, SearchScope.ONE,
          "(objectClass=person)", "1.1");
      request.addControl(new SimplePagedResultsControl(6, cookie));
      SearchResult page = client.search(request);
      assertThat(page.getEntryCount()).isLessThanOrEqualTo(6);
      page.getSearchEntries().stream().map(SearchResultEntry::getDN).forEach(dns::add);
      SimplePagedResultsControl response = SimplePagedResultsControl.get(page);
      assertThat(response).isNotNull();
      cookie = response.moreResultsToReturn() ? response.getCookie() : null;
      pages++;
    } while (cookie != null && pages < 10);
    assertThat(pages).isEqualTo(4);
    assertThat(dns).hasSize(USERS).doesNotHaveDuplicates();
  }
}
