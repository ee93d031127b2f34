package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Accepting pauses at the limit minus the reserve and resumes a little below it. */
class DescriptorBudgetTest {
  private final AtomicLong open = new AtomicLong(40); // the JVM, listeners, upstreams
  private final DescriptorBudget budget = new DescriptorBudget(100, 20, open::get);
  private final EmbeddedChannel listener = new EmbeddedChannel();
  private final List<EmbeddedChannel> clients = new ArrayList<>();

  private void accept(int n) {
    for (int i = 0; i < n; i++) {
      EmbeddedChannel c = new EmbeddedChannel();
      clients.add(c);
      open.incrementAndGet();
      budget.accepted(c);
    }
  }

  private void close(int n) {
    for (int i = 0; i < n; i++) {
      clients.remove(clients.size() - 1).close();
      open.decrementAndGet();
    }
  }

  @Test
  void acceptingPausesAtTheLimitMinusTheReserveAndResumesBelowIt() {
    budget.addListener(listener);
    accept(39); // 79 in use: below 80
    assertThat(budget.isPaused()).isFalse();
    assertThat(listener.config().isAutoRead()).isTrue();

    accept(1); // 80: the reserve starts here
    assertThat(budget.isPaused()).isTrue();
    assertThat(listener.config().isAutoRead()).isFalse();

    close(DescriptorBudget.HYSTERESIS); // 72: not yet
    assertThat(budget.isPaused()).isTrue();
    close(1); // 71: below the pause point by more than the hysteresis
    assertThat(budget.isPaused()).isFalse();
    assertThat(listener.config().isAutoRead()).isTrue();
    assertThat(budget.clients()).isEqualTo(31);
  }

  @Test
  void recalibrationCountsDescriptorsThatAreNotClients() {
    budget.addListener(listener);
    accept(30); // 70
    assertThat(budget.isPaused()).isFalse();
    open.addAndGet(15); // upstream connections reopened, a log file: 85
    budget.recalibrate();
    assertThat(budget.isPaused()).isTrue();

    open.addAndGet(-15);
    budget.recalibrate();
    assertThat(budget.isPaused()).isFalse();
  }

  @Test
  void aPauseHoldsAgainstSomeoneElseTurningReadingBackOn() {
    budget.addListener(listener);
    accept(40);
    assertThat(listener.config().isAutoRead()).isFalse();
    listener.config().setAutoRead(true); // as Netty's acceptor does a second after an accept error
    budget.recalibrate();
    assertThat(listener.config().isAutoRead()).isFalse();
  }

  @Test
  void anUnknownLimitNeverPauses() {
    DescriptorBudget unknown = new DescriptorBudget(-1, 20, open::get);
    unknown.addListener(listener);
    for (int i = 0; i < 200; i++) {
      unknown.accepted(new EmbeddedChannel());
    }
    unknown.recalibrate();
    assertThat(unknown.isPaused()).isFalse();
    assertThat(listener.config().isAutoRead()).isTrue();
  }
}
