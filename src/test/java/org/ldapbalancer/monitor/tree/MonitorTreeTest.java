package org.ldapbalancer.monitor.tree;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.asn1.ASN1StreamReader;
import com.unboundid.ldap.protocol.CompareRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.monitor.ClientSnapshot;
import org.ldapbalancer.monitor.LoopSample;
import org.ldapbalancer.monitor.MonitorSnapshot;
import org.ldapbalancer.monitor.OperationCounters;
import org.ldapbalancer.monitor.ServerCounters;
import org.ldapbalancer.monitor.ServerSnapshot;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.ResultCode;

class MonitorTreeTest {
  private static final String LB = "cn=Load Balancer,cn=Backends,cn=Monitor";

  /** Two tiers: two servers in the first, one in the second; traffic counted on two loops. */
  private static MonitorSnapshot snapshot() {
    OperationCounters loop1 = new OperationCounters();
    loop1.clientAccepted();
    loop1.received(ProtocolOp.BIND_REQUEST);
    loop1.forwarded(ProtocolOp.BIND_REQUEST);
    loop1.completed(ProtocolOp.BIND_REQUEST, ResultCode.SUCCESS);
    loop1.received(ProtocolOp.SEARCH_REQUEST);
    loop1.rejected(ProtocolOp.SEARCH_REQUEST, ResultCode.BUSY);
    OperationCounters loop2 = new OperationCounters();
    loop2.clientAccepted();
    loop2.received(ProtocolOp.MODIFY_REQUEST);
    loop2.forwarded(ProtocolOp.MODIFY_REQUEST);
    loop2.failed(ProtocolOp.MODIFY_REQUEST, ResultCode.OTHER);
    return MonitorSnapshot.merge(0, 1, List.of(sample(loop1), sample(loop2)));
  }

  private static LoopSample sample(OperationCounters ops) {
    ServerCounters busy = new ServerCounters();
    busy.forwarded();
    busy.answered(1000);
    ServerSnapshot a = new ServerSnapshot("ldap://a:389", 0, "roundrobin", 1, busy, null);
    a.connection(0, 0, 2); // regular, ready, 2 pending
    a.connection(1, 1, 0); // bind, setting up
    a.load(1, 1, 2);
    ServerSnapshot b = new ServerSnapshot("ldap://b:389", 0, "roundrobin", 1, new ServerCounters(), null);
    ServerSnapshot c = new ServerSnapshot("ldap://c:389", 1, "roundrobin", 1, new ServerCounters(), null);
    c.connection(0, 2, 0); // regular, closing
    return new LoopSample(ops, 0, 0, 0, List.of(a, b, c));
  }

  private static MonitorEntry entry(List<MonitorEntry> tree, String dn) {
    return tree.stream().filter(e -> e.dn().equals(dn)).findFirst().orElseThrow();
  }

  @Test
  void treeHasLloaddsNamesParentsFirst() {
    List<MonitorEntry> tree = MonitorTree.entries(snapshot());

    assertThat(tree.stream().map(MonitorEntry::dn))
        .containsExactly(
            "cn=Monitor",
            "cn=Backends,cn=Monitor",
            LB,
            "cn=Incoming Connections," + LB,
            "cn=Operations," + LB,
            "cn=Bind,cn=Operations," + LB,
            "cn=Other,cn=Operations," + LB,
            "cn=Backend Tiers," + LB,
            "cn=tier 1,cn=Backend Tiers," + LB,
            "cn=server 1,cn=tier 1,cn=Backend Tiers," + LB,
            "cn=Connection 1,cn=server 1,cn=tier 1,cn=Backend Tiers," + LB,
            "cn=Connection 2,cn=server 1,cn=tier 1,cn=Backend Tiers," + LB,
            "cn=Connection 3,cn=server 1,cn=tier 1,cn=Backend Tiers," + LB,
            "cn=Connection 4,cn=server 1,cn=tier 1,cn=Backend Tiers," + LB,
            "cn=server 2,cn=tier 1,cn=Backend Tiers," + LB,
            "cn=tier 2,cn=Backend Tiers," + LB,
            "cn=server 1,cn=tier 2,cn=Backend Tiers," + LB,
            "cn=Connection 5,cn=server 1,cn=tier 2,cn=Backend Tiers," + LB,
            "cn=Connection 6,cn=server 1,cn=tier 2,cn=Backend Tiers," + LB);
  }

  @Test
  void countersAreSummedOverLoopsIntoBindAndOther() {
    List<MonitorEntry> tree = MonitorTree.entries(snapshot());

    MonitorEntry lb = entry(tree, LB);
    assertThat(lb.values("objectClass")).containsExactly("olmBalancer");
    assertThat(lb.values("olmIncomingConnections")).containsExactly("2");
    assertThat(lb.values("olmOutgoingConnections")).containsExactly("6");
    MonitorEntry bind = entry(tree, "cn=Bind,cn=Operations," + LB);
    assertThat(bind.values("olmReceivedOps")).containsExactly("1");
    assertThat(bind.values("olmForwardedOps")).containsExactly("1");
    assertThat(bind.values("olmCompletedOps")).containsExactly("1");
    MonitorEntry other = entry(tree, "cn=Other,cn=Operations," + LB);
    assertThat(other.values("olmReceivedOps")).containsExactly("2");
    assertThat(other.values("olmForwardedOps")).containsExactly("1");
    assertThat(other.values("olmRejectedOps")).containsExactly("1");
    assertThat(other.values("olmFailedOps")).containsExactly("1");
    assertThat(other.values("olmCompletedOps")).containsExactly("0");
    MonitorEntry server = entry(tree, "cn=server 1,cn=tier 1,cn=Backend Tiers," + LB);
    assertThat(server.values("objectClass")).containsExactly("olmBalancerServer");
    assertThat(server.values("olmServerURI")).containsExactly("ldap://a:389");
    assertThat(server.values("olmActiveConnections")).containsExactly("2");
    assertThat(server.values("olmPendingConnections")).containsExactly("2");
    assertThat(server.values("olmPendingOps")).containsExactly("4");
    assertThat(server.values("olmReceivedOps")).containsExactly("2");
    assertThat(server.values("olmCompletedOps")).containsExactly("2");
    MonitorEntry preparing =
        entry(tree, "cn=Connection 2,cn=server 1,cn=tier 1,cn=Backend Tiers," + LB);
    assertThat(preparing.values("olmConnectionType")).containsExactly("preparing");
    assertThat(preparing.values("olmConnectionState")).containsExactly("binding");
    MonitorEntry closing =
        entry(tree, "cn=Connection 5,cn=server 1,cn=tier 2,cn=Backend Tiers," + LB);
    assertThat(closing.values("olmConnectionType")).containsExactly("regular");
    assertThat(closing.values("olmConnectionState")).containsExactly("closing");
  }

  private static LdapMessage request(String base, SearchScope scope, String filter, String... attrs)
      throws Exception {
    byte[] bytes =
        new LDAPMessage(
                7,
                new SearchRequestProtocolOp(
                    base, scope, DereferencePolicy.NEVER, 0, 0, false, Filter.create(filter),
                    List.of(attrs)))
            .encode()
            .encode();
    return new LdapMessage().parse(Unpooled.wrappedBuffer(bytes));
  }

  private static List<String> dns(String base, SearchScope scope, String filter) throws Exception {
    List<MonitorEntry> found =
        MonitorSearch.read(request(base, scope, filter)).select(MonitorTree.entries(snapshot()));
    return found == null ? null : found.stream().map(MonitorEntry::dn).toList();
  }

  @Test
  void onlySearchesOfTheMonitorTreeAreTaken() throws Exception {
    assertThat(MonitorSearch.targetsMonitor(request("cn=Monitor", SearchScope.BASE, "(cn=*)")))
        .isTrue();
    assertThat(MonitorSearch.targetsMonitor(request("CN = monitor ", SearchScope.SUB, "(cn=*)")))
        .isTrue();
    assertThat(MonitorSearch.targetsMonitor(request(LB, SearchScope.SUB, "(cn=*)"))).isTrue();
    assertThat(MonitorSearch.targetsMonitor(request("", SearchScope.BASE, "(cn=*)"))).isFalse();
    assertThat(MonitorSearch.targetsMonitor(request("ou=cn=monitor", SearchScope.SUB, "(cn=*)")))
        .isFalse();
    assertThat(MonitorSearch.targetsMonitor(request("dc=example,dc=com", SearchScope.SUB, "(cn=*)")))
        .isFalse();
    assertThat(MonitorSearch.targetsMonitor(request("cn=xmonitor", SearchScope.SUB, "(cn=*)")))
        .isFalse();
  }

  @Test
  void scopesAndFilters() throws Exception {
    assertThat(dns("cn=monitor", SearchScope.BASE, "(objectClass=*)"))
        .containsExactly("cn=Monitor");
    assertThat(dns("cn=operations,cn=load balancer,cn=backends,cn=monitor", SearchScope.ONE,
            "(objectClass=*)"))
        .containsExactly("cn=Bind,cn=Operations," + LB, "cn=Other,cn=Operations," + LB);
    assertThat(dns("cn=Monitor", SearchScope.SUB, "(objectClass=olmBalancerServer)"))
        .hasSize(3);
    assertThat(dns("cn=Monitor", SearchScope.SUB, "(&(objectClass=olmBalancerOperation)(olmRejectedOps>=1))"))
        .containsExactly("cn=Other,cn=Operations," + LB);
    assertThat(dns("cn=Monitor", SearchScope.SUB, "(|(cn=bind)(olmConnectionState=closing))"))
        .containsExactly(
            "cn=Bind,cn=Operations," + LB,
            "cn=Connection 5,cn=server 1,cn=tier 2,cn=Backend Tiers," + LB,
            "cn=Connection 6,cn=server 1,cn=tier 2,cn=Backend Tiers," + LB);
    assertThat(dns(LB, SearchScope.SUB, "(!(objectClass=olmBalancerConnection))")).hasSize(11);
    assertThat(dns(LB, SearchScope.SUB, "(olmServerURI=*//b*)"))
        .containsExactly("cn=server 2,cn=tier 1,cn=Backend Tiers," + LB);
    assertThat(dns(LB, SearchScope.SUB, "(olmPendingOps<=0)")).hasSize(6);
    // approximate match is not evaluated: undefined, and NOT keeps it undefined
    assertThat(dns(LB, SearchScope.SUB, "(!(cn~=bind))")).isEmpty();
    assertThat(dns("cn=nothing,cn=Monitor", SearchScope.SUB, "(objectClass=*)")).isNull();
  }

  @Test
  void entriesCarryOnlyTheAttributesAskedFor() throws Exception {
    MonitorSearch search =
        MonitorSearch.read(request(LB, SearchScope.BASE, "(objectClass=*)", "OLMINCOMINGCONNECTIONS"));
    MonitorEntry lb = search.select(MonitorTree.entries(snapshot())).get(0);
    ByteBuf buf = EntryEncoder.encode(UnpooledByteBufAllocator.DEFAULT, 9, lb, search);
    byte[] encoded = new byte[buf.readableBytes()];
    buf.readBytes(encoded);
    LDAPMessage decoded =
        LDAPMessage.readFrom(new ASN1StreamReader(new ByteArrayInputStream(encoded)), false);
    assertThat(decoded.getMessageID()).isEqualTo(9);
    var entry = decoded.getSearchResultEntryProtocolOp();
    assertThat(entry.getDN()).isEqualTo(LB);
    assertThat(entry.getAttributes()).hasSize(1);
    assertThat(entry.getAttributes().get(0).getName()).isEqualTo("olmIncomingConnections");
    assertThat(entry.getAttributes().get(0).getValue()).isEqualTo("2");
  }

  @Test
  void clientsAreListedInAcceptOrderWithLloaddsAttributes() {
    OperationCounters ops = new OperationCounters();
    ServerSnapshot none = new ServerSnapshot("ldap://a:389", 0, "roundrobin", 1, new ServerCounters(), null);
    LoopSample loop1 =
        new LoopSample(ops, 0, 0, 0, List.of(none),
            List.of(new ClientSnapshot(7, "IP=127.0.0.1:5000", "IP=127.0.0.1:389",
                "dn:uid=a,dc=x", "binding", 1, 3, 1, 1)));
    ServerSnapshot none2 = new ServerSnapshot("ldap://a:389", 0, "roundrobin", 1, new ServerCounters(), null);
    LoopSample loop2 =
        new LoopSample(ops, 0, 0, 0, List.of(none2),
            List.of(new ClientSnapshot(3, "IP=[::1]:6000", "PATH=/run/ldapi", "dn:", "ready", 0, 0, 0, 0)));
    List<MonitorEntry> tree =
        MonitorTree.entries(MonitorSnapshot.merge(0, 1, List.of(loop1, loop2)));

    String incoming = "cn=Incoming Connections," + LB;
    assertThat(tree.stream().map(MonitorEntry::dn).filter(dn -> dn.endsWith("," + incoming)))
        .containsExactly("cn=Connection 3," + incoming, "cn=Connection 7," + incoming);
    MonitorEntry anonymous = entry(tree, "cn=Connection 3," + incoming);
    assertThat(anonymous.values("olmConnectionAuthzDN")).isEmpty();
    assertThat(anonymous.values("olmConnectionPeerAddress")).containsExactly("IP=[::1]:6000");
    MonitorEntry bound = entry(tree, "cn=Connection 7," + incoming);
    assertThat(bound.values("objectClass")).containsExactly("olmBalancerConnection");
    assertThat(bound.values("olmConnectionType")).containsExactly("regular");
    assertThat(bound.values("olmConnectionState")).containsExactly("binding");
    assertThat(bound.values("olmConnectionAuthzDN")).containsExactly("uid=a,dc=x");
    assertThat(bound.values("olmConnectionLocalAddress")).containsExactly("IP=127.0.0.1:389");
    assertThat(bound.values("olmPendingOps")).containsExactly("1");
    assertThat(bound.values("olmReceivedOps")).containsExactly("3");
    assertThat(bound.values("olmCompletedOps")).containsExactly("1");
    assertThat(bound.values("olmFailedOps")).containsExactly("1");
  }

  @Test
  void objectClassNamesAskForTheirAttributesAsInLloaddsTests() throws Exception {
    MonitorSearch search =
        MonitorSearch.read(
            request(LB, SearchScope.SUB, "(objectClass=*)", "olmBalancer", "@olmBalancerServer"));
    AttributeSelection selection = search.attributes();

    assertThat(selection.includes("objectClass")).isTrue();
    assertThat(selection.includes("olmOutgoingConnections")).isTrue();
    assertThat(selection.includes("OLMSERVERURI")).isTrue();
    assertThat(selection.includes("cn")).isFalse();
    assertThat(selection.includes("olmForwardedOps")).as("olmBalancerOperation's").isFalse();
  }

  private static int compare(String dn, String attribute, String value) throws Exception {
    byte[] bytes =
        new LDAPMessage(5, new CompareRequestProtocolOp(dn, attribute, new ASN1OctetString(value)))
            .encode()
            .encode();
    return MonitorCompare.read(new LdapMessage().parse(Unpooled.wrappedBuffer(bytes)))
        .resultIn(MonitorTree.entries(snapshot()));
  }

  @Test
  void comparesAnswerFromTheTree() throws Exception {
    assertThat(compare(LB, "olmOutgoingConnections", "6")).isEqualTo(MonitorCompare.COMPARE_TRUE);
    assertThat(compare(LB.toLowerCase(), "OLMOUTGOINGCONNECTIONS", "06"))
        .isEqualTo(MonitorCompare.COMPARE_TRUE);
    assertThat(compare(LB, "olmOutgoingConnections", "5")).isEqualTo(MonitorCompare.COMPARE_FALSE);
    assertThat(compare(LB, "olmServerURI", "x")).isEqualTo(MonitorCompare.NO_SUCH_ATTRIBUTE);
    assertThat(compare("cn=x,cn=Monitor", "cn", "x")).isEqualTo(MonitorCompare.NO_SUCH_OBJECT);
  }

  @Test
  void onlyConfiguredIdentitiesMayRead() {
    MonitorView view =
        new MonitorView(() -> null, (id, code, text) -> null, List.of("cn=Balancer, dc=example,dc=com", "uid=ops,dc=x"));
    assertThat(view.mayRead("dn:cn=balancer,dc=example,dc=com")).isTrue();
    assertThat(view.mayRead("dn:UID=ops, DC=x")).isTrue();
    assertThat(view.mayRead("dn:uid=other,dc=x")).isFalse();
    assertThat(view.mayRead("dn:")).isFalse();
    assertThat(view.mayRead("u:ops")).isFalse();
  }
}
