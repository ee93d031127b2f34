package org.ldapbalancer.monitor.tree;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.AddRequestProtocolOp;
import com.unboundid.ldap.protocol.DeleteRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.ResultCode;

class MonitorModifyTest {
  private static final String CLIENT =
      "cn=Connection 12,cn=Incoming Connections,cn=Load Balancer,cn=Backends,cn=Monitor";

  private static LdapMessage message(ProtocolOp op) throws Exception {
    byte[] bytes = new LDAPMessage(3, op).encode().encode();
    return new LdapMessage().parse(Unpooled.wrappedBuffer(bytes));
  }

  private static LdapMessage modify(String dn, Modification... mods) throws Exception {
    return message(new ModifyRequestProtocolOp(dn, List.of(mods)));
  }

  private static final Modification CLOSE =
      new Modification(ModificationType.REPLACE, "olmConnectionState", "closing");

  @Test
  void replacingTheStateWithClosingClosesThatClient() throws Exception {
    LdapMessage request = modify(CLIENT.toUpperCase(), CLOSE);
    assertThat(MonitorModify.targetsMonitor(request)).isTrue();
    MonitorModify.Decision d = MonitorModify.decide(request);
    assertThat(d.closes()).isTrue();
    assertThat(d.connectionId()).isEqualTo(12);
  }

  @Test
  void anyOtherChangeIsAConstraintViolation() throws Exception {
    assertThat(MonitorModify.decide(modify(CLIENT,
            new Modification(ModificationType.REPLACE, "olmConnectionState", "ready")))
        .resultCode()).isEqualTo(ResultCode.CONSTRAINT_VIOLATION);
    assertThat(MonitorModify.decide(modify(CLIENT,
            new Modification(ModificationType.ADD, "olmConnectionState", "closing")))
        .resultCode()).isEqualTo(ResultCode.CONSTRAINT_VIOLATION);
    assertThat(MonitorModify.decide(modify(CLIENT, CLOSE,
            new Modification(ModificationType.REPLACE, "olmPendingOps", "0")))
        .resultCode()).isEqualTo(ResultCode.CONSTRAINT_VIOLATION);
  }

  @Test
  void otherEntriesAndOtherWritesAreRefused() throws Exception {
    LdapMessage server =
        modify("cn=server 1,cn=tier 1,cn=Backend Tiers,cn=Load Balancer,cn=Backends,cn=Monitor",
            CLOSE);
    assertThat(MonitorModify.decide(server).resultCode()).isEqualTo(ResultCode.UNWILLING_TO_PERFORM);
    LdapMessage delete = message(new DeleteRequestProtocolOp(CLIENT));
    assertThat(MonitorModify.targetsMonitor(delete)).isTrue();
    assertThat(MonitorModify.decide(delete).resultCode()).isEqualTo(ResultCode.UNWILLING_TO_PERFORM);
    LdapMessage add =
        message(new AddRequestProtocolOp("cn=x,cn=Monitor", List.of(new Attribute("cn", "x"))));
    assertThat(MonitorModify.targetsMonitor(add)).isTrue();
  }

  @Test
  void writesElsewhereAreNotTaken() throws Exception {
    assertThat(MonitorModify.targetsMonitor(modify("uid=monitor,dc=example,dc=com", CLOSE)))
        .isFalse();
    assertThat(MonitorModify.targetsMonitor(message(new DeleteRequestProtocolOp("cn=monitor,dc=x"))))
        .isFalse();
  }
}
