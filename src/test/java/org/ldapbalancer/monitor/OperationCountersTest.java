package org.ldapbalancer.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.ProtocolOp;

class OperationCountersTest {

  @Test
  void eachOutcomeIsCountedByTypeAndResult() {
    OperationCounters c = new OperationCounters();
    c.received(ProtocolOp.SEARCH_REQUEST);
    c.received(ProtocolOp.SEARCH_REQUEST);
    c.received(ProtocolOp.BIND_REQUEST);
    c.forwarded(ProtocolOp.SEARCH_REQUEST);
    c.completed(ProtocolOp.SEARCH_REQUEST, 0);
    c.completed(ProtocolOp.SEARCH_REQUEST, 32);
    c.rejected(ProtocolOp.BIND_REQUEST, 52);
    c.rejectedWith(ProtocolOp.MODIFY_RESPONSE, 51);
    c.failed(ProtocolOp.MODIFY_REQUEST, 80);
    c.abandoned(ProtocolOp.COMPARE_REQUEST);

    assertThat(c.receivedOf(OpType.SEARCH)).isEqualTo(2);
    assertThat(c.receivedOf(OpType.BIND)).isEqualTo(1);
    assertThat(c.forwardedOf(OpType.SEARCH)).isEqualTo(1);
    assertThat(c.completedOf(OpType.SEARCH, 0)).isEqualTo(1);
    assertThat(c.completedOf(OpType.SEARCH, 32)).isEqualTo(1);
    assertThat(c.completedOf(OpType.SEARCH)).isEqualTo(2);
    assertThat(c.rejectedOf(OpType.BIND, 52)).isEqualTo(1);
    assertThat(c.failedOf(OpType.MODIFY, 80)).isEqualTo(1);
    assertThat(c.rejectedOf(OpType.MODIFY, 51)).isEqualTo(1);
    assertThat(c.abandonedOf(OpType.COMPARE)).isEqualTo(1);
    assertThat(c.rejectedOf(OpType.SEARCH)).isZero();
  }

  @Test
  void requestsWithoutAnswerAndUnknownTagsAreNotCounted() {
    OperationCounters c = new OperationCounters();
    c.received(ProtocolOp.UNBIND_REQUEST);
    c.received(ProtocolOp.ABANDON_REQUEST);
    c.received(0x7f);
    c.completed(0x7f, 0);
    for (int t = 0; t < OpType.COUNT; t++) {
      assertThat(c.receivedOf(t)).isZero();
      assertThat(c.completedOf(t)).isZero();
    }
  }

  @Test
  void codesBeyondTheTableShareOneSlot() {
    OperationCounters c = new OperationCounters();
    c.completed(ProtocolOp.EXTENDED_REQUEST, 4096);
    c.completed(ProtocolOp.EXTENDED_REQUEST, -1);
    c.completed(ProtocolOp.EXTENDED_REQUEST, 126);
    int last = OperationCounters.RESULT_SLOTS - 1;
    assertThat(c.completedOf(OpType.EXTENDED, last)).isEqualTo(2);
    assertThat(c.completedOf(OpType.EXTENDED, 126)).isEqualTo(1);
    assertThat(OperationCounters.resultLabel(last)).isEqualTo("above126");
    assertThat(OperationCounters.resultLabel(0)).isEqualTo("success");
    assertThat(OperationCounters.resultLabel(126)).isEqualTo("126");
  }

  @Test
  void aCopyIsIndependentAndCopiesAddUp() {
    OperationCounters loop1 = new OperationCounters();
    OperationCounters loop2 = new OperationCounters();
    loop1.received(ProtocolOp.ADD_REQUEST);
    loop1.clientAccepted();
    loop1.clientAccepted();
    loop1.clientClosed();
    loop2.received(ProtocolOp.ADD_REQUEST);
    loop2.clientAccepted();
    loop2.clientTlsHandshake(true);
    loop2.clientTlsHandshake(false);

    OperationCounters copy = loop1.copy();
    loop1.received(ProtocolOp.ADD_REQUEST);
    assertThat(copy.receivedOf(OpType.ADD)).isEqualTo(1);

    OperationCounters sum = new OperationCounters();
    sum.add(copy);
    sum.add(loop2.copy());
    assertThat(sum.receivedOf(OpType.ADD)).isEqualTo(2);
    assertThat(sum.clientsAccepted()).isEqualTo(3);
    assertThat(sum.clientsOpen()).isEqualTo(2);
    assertThat(sum.tlsHandshakes()).isEqualTo(1);
    assertThat(sum.tlsHandshakeFailures()).isEqualTo(1);
  }

  @Test
  void requestAndResponseTagsNameTheSameTypes() {
    int[][] pairs = {
      {ProtocolOp.BIND_REQUEST, ProtocolOp.BIND_RESPONSE},
      {ProtocolOp.SEARCH_REQUEST, ProtocolOp.SEARCH_RESULT_DONE},
      {ProtocolOp.MODIFY_REQUEST, ProtocolOp.MODIFY_RESPONSE},
      {ProtocolOp.ADD_REQUEST, ProtocolOp.ADD_RESPONSE},
      {ProtocolOp.DEL_REQUEST, ProtocolOp.DEL_RESPONSE},
      {ProtocolOp.MODIFY_DN_REQUEST, ProtocolOp.MODIFY_DN_RESPONSE},
      {ProtocolOp.COMPARE_REQUEST, ProtocolOp.COMPARE_RESPONSE},
      {ProtocolOp.EXTENDED_REQUEST, ProtocolOp.EXTENDED_RESPONSE},
    };
    for (int[] p : pairs) {
      assertThat(OpType.ofRequest(p[0])).isEqualTo(OpType.ofResponse(p[1])).isNotNegative();
    }
    assertThat(OpType.label(OpType.MODRDN)).isEqualTo("modrdn");
  }
}
