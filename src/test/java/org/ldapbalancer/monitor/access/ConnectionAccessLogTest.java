package org.ldapbalancer.monitor.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.AddRequestProtocolOp;
import com.unboundid.ldap.protocol.AddResponseProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.CompareRequestProtocolOp;
import com.unboundid.ldap.protocol.DeleteRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyDNRequestProtocolOp;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.protocol.SearchResultEntryProtocolOp;
import com.unboundid.ldap.protocol.UnbindRequestProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.json.JSONObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.ResultCode;

class ConnectionAccessLogTest {
  private final List<String> lines = new ArrayList<>();
  private final List<ByteBuf> buffers = new ArrayList<>();
  private final EmbeddedChannel channel = new EmbeddedChannel();

  @AfterEach
  void release() {
    buffers.forEach(ByteBuf::release);
    channel.finishAndReleaseAll();
  }

  private LdapMessage message(int id, ProtocolOp op) throws Exception {
    ByteBuf buf = Unpooled.wrappedBuffer(new LDAPMessage(id, op).encode().encode());
    buffers.add(buf);
    return new LdapMessage().parse(buf);
  }

  private ConnectionAccessLog connection(boolean json, boolean entries) {
    ConnectionAccessLog log = AccessLog.to(lines::add, json, entries).connected(channel);
    lines.clear(); // the ACCEPT line; its own test below
    return log;
  }

  /** The lines with their times replaced by T, as they vary. */
  private List<String> normalised() {
    return lines.stream()
        .map(l -> l.replaceAll("qtime=\\d+\\.\\d{6} etime=\\d+\\.\\d{6}", "qtime=T etime=T"))
        .toList();
  }

  @Test
  void theFirstConnectionIs1000AndSaysWhereItCameFrom() {
    AccessLog log = AccessLog.to(lines::add, false, false);
    log.connected(channel);
    log.connected(new EmbeddedChannel());

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("conn=1000 fd=-1 ACCEPT from ");
    assertThat(lines.get(1)).startsWith("conn=1001 fd=-1 ACCEPT from ");
  }

  @Test
  void eachRequestTypeHasSlapdsLineAndOperationsAreCountedFromZero() throws Exception {
    ConnectionAccessLog log = connection(false, false);

    log.request(message(5, new AddRequestProtocolOp("cn=new,dc=example",
        List.of(new Attribute("objectClass", "person"), new Attribute("cn", "new")))));
    log.request(message(6, new DeleteRequestProtocolOp("cn=old,dc=example")));
    log.request(message(7, new ModifyDNRequestProtocolOp("cn=a,dc=example", "cn=b", true, null)));
    log.request(message(8, new CompareRequestProtocolOp("cn=a,dc=example", "sn",
        new ASN1OctetString("x"))));
    log.request(message(9, new ExtendedRequestProtocolOp("1.3.6.1.4.1.4203.1.11.1", null)));
    log.request(message(10, new ExtendedRequestProtocolOp("1.2.3.4", null)));
    log.request(message(11, new AbandonRequestProtocolOp(10)));
    log.request(message(12, new UnbindRequestProtocolOp()));
    log.closed();

    assertThat(lines).containsExactly(
        "conn=1000 op=0 ADD dn=\"cn=new,dc=example\"",
        "conn=1000 op=1 DEL dn=\"cn=old,dc=example\"",
        "conn=1000 op=2 MODRDN dn=\"cn=a,dc=example\"",
        "conn=1000 op=3 CMP dn=\"cn=a,dc=example\" attr=\"sn\"",
        "conn=1000 op=4 EXT oid=1.3.6.1.4.1.4203.1.11.1",
        "conn=1000 op=4 PASSMOD",
        "conn=1000 op=5 EXT oid=1.2.3.4",
        "conn=1000 op=6 ABANDON msg=10",
        "conn=1000 op=7 UNBIND",
        "conn=1000 fd=-1 closed");
  }

  @Test
  void aSearchCountsItsEntriesAndWithStats2ListsThem() throws Exception {
    ConnectionAccessLog log = connection(false, true);
    LdapMessage search = message(3, new SearchRequestProtocolOp("dc=example",
        SearchScope.SUB, DereferencePolicy.ALWAYS, 0, 0, false,
        Filter.create("(|(cn=a*)(sn>=b))"), List.of()));
    Operation op = new Operation(null, 3, search.opTag());

    log.request(search);
    log.routed(op);
    log.response(op, message(3, new SearchResultEntryProtocolOp("cn=a,dc=example", List.of())),
        false);
    log.response(op, message(3, new SearchResultEntryProtocolOp("cn=b,dc=example", List.of())),
        false);
    log.response(op, message(3, new SearchResultDoneProtocolOp(0, null, null, null)), true);

    assertThat(normalised()).containsExactly(
        "conn=1000 op=0 SRCH base=\"dc=example\" scope=2 deref=3 filter=\"(|(cn=a*)(sn>=b))\"",
        "conn=1000 op=0 ENTRY dn=\"cn=a,dc=example\"",
        "conn=1000 op=0 ENTRY dn=\"cn=b,dc=example\"",
        "conn=1000 op=0 SEARCH RESULT tag=101 err=0 qtime=T etime=T nentries=2 text=");
  }

  @Test
  void aResultTheBalancerMakesItselfIsLoggedWithItsText() throws Exception {
    ConnectionAccessLog log = connection(false, false);

    log.request(message(4, new DeleteRequestProtocolOp("cn=x")));
    log.result(4, 0x6b, ResultCode.BUSY, "pending operation limit reached on this connection");

    assertThat(normalised()).containsExactly(
        "conn=1000 op=0 DEL dn=\"cn=x\"",
        "conn=1000 op=0 RESULT tag=107 err=51 qtime=T etime=T"
            + " text=pending operation limit reached on this connection");
  }

  @Test
  void anExtendedResultNamesItsOidAndTheServerTextIsKept() throws Exception {
    ConnectionAccessLog log = connection(false, false);
    LdapMessage request = message(2, new ExtendedRequestProtocolOp("1.2.3.4", null));
    Operation op = new Operation(null, 2, request.opTag());

    log.request(request);
    log.response(op, message(2, new ExtendedResponseProtocolOp(53, null, "not now", null,
        "1.2.3.5", null)), true);

    assertThat(normalised()).containsExactly(
        "conn=1000 op=0 EXT oid=1.2.3.4",
        "conn=1000 op=0 RESULT tag=120 oid=1.2.3.5 err=53 qtime=T etime=T text=not now");
  }

  @Test
  void anAbandonedOperationHasNoResultLine() throws Exception {
    ConnectionAccessLog log = connection(false, false);
    LdapMessage add = message(7, new AddRequestProtocolOp("cn=n", List.of()));
    Operation op = new Operation(null, 7, add.opTag());

    log.request(add);
    log.request(message(8, new AbandonRequestProtocolOp(7)));
    log.response(op, message(7, new AddResponseProtocolOp(0, null, null, null)), true);
    log.closed();

    assertThat(lines).containsExactly(
        "conn=1000 op=0 ADD dn=\"cn=n\"",
        "conn=1000 op=1 ABANDON msg=7",
        "conn=1000 fd=-1 closed (connection lost)");
  }

  @Test
  void theSecurityStrengthIsTheBulkCiphersKeySizeNotTheHashs() {
    assertThat(ConnectionAccessLog.ssfOf("TLS_AES_128_GCM_SHA256")).isEqualTo(128);
    assertThat(ConnectionAccessLog.ssfOf("TLS_AES_256_GCM_SHA384")).isEqualTo(256);
    assertThat(ConnectionAccessLog.ssfOf("TLS_CHACHA20_POLY1305_SHA256")).isEqualTo(256);
    assertThat(ConnectionAccessLog.ssfOf("ECDHE-RSA-AES128-GCM-SHA256")).isEqualTo(128);
    assertThat(ConnectionAccessLog.ssfOf("TLS_NULL_WITH_NULL_NULL")).isZero();
  }

  @Test
  void aConnectionTheBalancerClosesSaysWhy() {
    ConnectionAccessLog log = connection(false, false);

    log.closing("the server is shutting down");
    log.closing("a later reason");
    log.closed();

    assertThat(lines).containsExactly("conn=1000 fd=-1 closed (the server is shutting down)");
  }

  @Test
  void aBindAbandonsWhatIsInFlightButNotABindStillInProgress() throws Exception {
    ConnectionAccessLog log = connection(false, false);
    LdapMessage first = message(1, new BindRequestProtocolOp("cn=a", "pw"));
    Operation bind = new Operation(null, 1, first.opTag());

    log.request(first);
    log.request(message(2, new AbandonRequestProtocolOp(1))); // binds cannot be abandoned
    log.request(message(3, new DeleteRequestProtocolOp("cn=x")));
    log.request(message(4, new BindRequestProtocolOp("cn=b", "pw")));
    log.result(4, 0x61, ResultCode.PROTOCOL_ERROR, "bind in progress");
    log.result(3, 0x6b, ResultCode.SUCCESS, ""); // abandoned by the second bind: no line
    log.response(bind, message(1, new BindResponseProtocolOp(49, null, null, null, null)), true);

    assertThat(normalised()).containsExactly(
        "conn=1000 op=0 BIND dn=\"cn=a\" method=128",
        "conn=1000 op=1 ABANDON msg=1",
        "conn=1000 op=2 DEL dn=\"cn=x\"",
        "conn=1000 op=3 BIND dn=\"cn=b\" method=128",
        "conn=1000 op=3 RESULT tag=97 err=2 qtime=T etime=T text=bind in progress",
        "conn=1000 op=0 RESULT tag=97 err=49 qtime=T etime=T text=");
  }

  @Test
  void controlCharactersInADnStayOnOneLine() throws Exception {
    ConnectionAccessLog log = connection(false, false);

    log.request(message(1, new DeleteRequestProtocolOp("cn=a\nconn=1 op=1 forged")));

    assertThat(lines).containsExactly("conn=1000 op=0 DEL dn=\"cn=a\\0aconn=1 op=1 forged\"");
  }

  @Test
  void jsonLinesAreJsonWhateverTheDnHolds() throws Exception {
    ConnectionAccessLog log = connection(true, false);
    LdapMessage request = message(1, new DeleteRequestProtocolOp("cn=\"q\"\\,\n\u0001é"));
    Operation op = new Operation(null, 1, request.opTag());

    log.request(request);
    log.result(1, 0x6b, ResultCode.UNAVAILABLE, "no \"servers\"");

    assertThat(lines).hasSize(2);
    JSONObject del = new JSONObject(lines.get(0));
    assertThat(del.getFieldAsString("event")).isEqualTo("DEL");
    assertThat(del.getFieldAsString("dn")).isEqualTo("cn=\"q\"\\,\n\u0001é");
    assertThat(del.getFieldAsInteger("conn")).isEqualTo(1000);
    assertThat(del.getFieldAsInteger("op")).isZero();
    JSONObject result = new JSONObject(lines.get(1));
    assertThat(result.getFieldAsInteger("err")).isEqualTo(52);
    assertThat(result.getFieldAsString("text")).isEqualTo("no \"servers\"");
    assertThat(op.clientMessageId()).isEqualTo(1);
  }

  @Test
  void aLongValueIsCut() throws Exception {
    ConnectionAccessLog log = connection(false, false);

    log.request(message(1, new DeleteRequestProtocolOp("cn=" + "x".repeat(5000))));

    assertThat(lines.get(0))
        .hasSize("conn=1000 op=0 DEL dn=\"".length() + AccessLine.MAX_VALUE + "...\"".length())
        .endsWith("x...\"");
  }
}
