package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.ldapbalancer.testing.Messages.search;
import static org.ldapbalancer.testing.Messages.searchDone;

import com.unboundid.ldap.protocol.LDAPMessage;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.upstream.EmbeddedUpstreams;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/**
 * Writability changing in the middle of the end-of-turn flush, end to end: clients' requests are
 * held back because the only upstream connection is over its high-water mark; flushing it drains
 * it, which (from inside the flush) sends the first held request, which fills it again, and so
 * on. Every held request must leave in that same pass, in the order the requests came, and each
 * must be answered exactly once.
 */
class HeldRequestsLeaveInTheFlushThatDrainsTheUpstreamTest {
  private static final int UPSTREAM_IDS = 500;
  private static final ClientSettings SETTINGS =
      new ClientSettings(0, true, "dn:cn=balancer,dc=example,dc=com", 0);

  private final EmbeddedUpstreams ups = EmbeddedUpstreams.create();

  @Test
  void requestsHeldForABackloggedUpstreamAllLeaveInTheFlushThatDrainsItAndAreAnsweredOnce() {
    Upstream upstream = ups.regular(UPSTREAM_IDS);
    // Any one request takes the channel over its high-water mark until it is flushed.
    upstream.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
    EmbeddedChannel first = connect();
    EmbeddedChannel second = connect();
    EmbeddedChannel third = connect();

    first.writeInbound(Pdus.frame(1, search()));
    assertThat(upstream.channel().isWritable()).isFalse();
    first.writeInbound(Pdus.frame(2, search()));
    second.writeInbound(Pdus.frame(1, search()));
    third.writeInbound(Pdus.frame(7, search()));

    assertThat(ups.router().waitingOperations()).isEqualTo(3);
    assertThat(upstream.channel().outboundMessages()).as("nothing flushed before the turn ends")
        .isEmpty();

    ups.endTurn(); // one pass of the flush batch

    List<LDAPMessage> sent = Pdus.written(upstream.channel());
    assertThat(sent).extracting(LDAPMessage::getMessageID)
        .as("all four, first come first served, in the one pass")
        .containsExactly(UPSTREAM_IDS, UPSTREAM_IDS + 1, UPSTREAM_IDS + 2, UPSTREAM_IDS + 3);
    assertThat(ups.router().waitingOperations()).isZero();
    assertThat(ups.flushes().listed()).isZero();

    for (int i = 0; i < 4; i++) {
      upstream.answer(UPSTREAM_IDS + i, searchDone(ResultCode.SUCCESS + i));
    }
    ups.endTurn();

    assertThat(Pdus.written(first))
        .extracting(LDAPMessage::getMessageID, Pdus::resultCode)
        .containsExactly(tuple(1, 0), tuple(2, 1));
    assertThat(Pdus.written(second)).extracting(LDAPMessage::getMessageID, Pdus::resultCode)
        .containsExactly(tuple(1, 2));
    assertThat(Pdus.written(third)).extracting(LDAPMessage::getMessageID, Pdus::resultCode)
        .containsExactly(tuple(7, 3));
    ups.endTurn();
    assertThat(Pdus.written(first)).isEmpty();
    assertThat(Pdus.written(second)).isEmpty();
    assertThat(Pdus.written(third)).isEmpty();
    ups.releaseUnread();
  }

  private EmbeddedChannel connect() {
    LdapFrameDecoder framer = new LdapFrameDecoder(EmbeddedUpstreams.MAX_PDU);
    return new EmbeddedChannel(framer, new ClientConnection(ups.router(), SETTINGS, framer));
  }
}
