package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.ExtendedRequest;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.balancing.Pin;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.testing.Pdus;

/** The pin {@code restrict_exop} and {@code restrict_control} put on an operation. */
class RequestAffinityTest {
  private static final String TXN_START = "1.3.6.1.1.21.1";
  private static final String VLV = "2.16.840.1.113730.3.4.9";

  private static Pin pinOf(RequestAffinity affinity, int tag, com.unboundid.ldap.protocol.ProtocolOp request,
      String exopName, Control... controls) throws Exception {
    Operation op = new Operation(null, 2, tag);
    ByteBuf frame = Pdus.frame(2, request, controls);
    try {
      assertThat(affinity.mark(op, new LdapMessage().parse(frame), exopName)).isTrue();
    } finally {
      frame.release();
    }
    return op.pin();
  }

  @Test
  void isolatePinsTheConnectionAsConnectionDoes() throws Exception {
    RequestAffinity affinity =
        new RequestAffinity(
            new Restrictions(
                Map.of(TXN_START, RestrictAction.ISOLATE),
                RestrictAction.IGNORE,
                Map.of(VLV, RestrictAction.ISOLATE),
                0));

    Pin exop =
        pinOf(
            affinity,
            ProtocolOp.EXTENDED_REQUEST,
            new ExtendedRequestProtocolOp(new ExtendedRequest(TXN_START)),
            TXN_START);
    Pin control =
        pinOf(
            affinity,
            ProtocolOp.SEARCH_REQUEST,
            new SearchRequestProtocolOp(
                "dc=example", SearchScope.SUB, DereferencePolicy.NEVER, 0, 0, false,
                Filter.createPresenceFilter("objectClass"), List.of()),
            null,
            new Control(VLV, false));

    assertThat(exop).isEqualTo(Pin.CONNECTION);
    assertThat(control).isEqualTo(Pin.CONNECTION);
  }
}
