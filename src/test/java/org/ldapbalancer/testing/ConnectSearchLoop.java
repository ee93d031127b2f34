package org.ldapbalancer.testing;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.UnbindRequestProtocolOp;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that connects, searches one entry and unbinds, over and over on a thread of its own,
 * counting what happens: for tests that change the process behind a port (a hand-over) while
 * clients keep coming. Bounded by {@code maxRounds} and {@code maxMillis}, and stopped by
 * {@link #stop()}.
 *
 * <p>Outcomes: answered; refused (the connection could not be made); told to go (a Notice of
 * Disconnection, or {@code unavailable}, from a balancer that is shutting down: the round is tried
 * once more on a new connection, as a client that honours the notice does); failed (anything
 * else: reset, closed without a word, a wrong answer, or a second notice in a row).
 *
 * <p>Thread-safe counters; one loop thread.
 */
public final class ConnectSearchLoop {
  private static final String NOTICE_OF_DISCONNECTION = "1.3.6.1.4.1.1466.20036";

  private final int port;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong toldToGo = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private CompletableFuture<Void> running;

  private ConnectSearchLoop(int port) {
    this.port = port;
  }

  /** Starts the loop against a loopback port. */
  public static ConnectSearchLoop start(int port, int maxRounds, long maxMillis) {
    ConnectSearchLoop loop = new ConnectSearchLoop(port);
    loop.running = Background.supply(() -> {
      long end = System.currentTimeMillis() + maxMillis;
      for (int i = 0; i < maxRounds && !loop.stopped.get() && System.currentTimeMillis() < end;
          i++) {
        loop.round();
      }
      return null;
    });
    return loop;
  }

  private enum Outcome { ANSWERED, REFUSED, TOLD_TO_GO, FAILED }

  private void round() {
    Outcome first = once();
    Outcome outcome = first == Outcome.TOLD_TO_GO ? once() : first;
    if (first == Outcome.TOLD_TO_GO) {
      toldToGo.incrementAndGet();
    }
    switch (outcome) {
      case ANSWERED -> answered.incrementAndGet();
      case REFUSED -> refused.incrementAndGet();
      default -> failed.incrementAndGet();
    }
  }

  private Outcome once() {
    MessageClient client;
    try {
      client = MessageClient.connect(port);
    } catch (IOException e) {
      problem("connect: " + e);
      return Outcome.REFUSED;
    }
    try (client) {
      client.send(new LDAPMessage(1, new SearchRequestProtocolOp(DirectoryData.userDn(0),
          SearchScope.BASE, DereferencePolicy.NEVER, 0, 0, false,
          Filter.createPresenceFilter("objectClass"), List.of("1.1"))));
      List<LDAPMessage> messages = new ArrayList<>();
      LDAPMessage m;
      do {
        m = client.read();
        if (m.getMessageID() == 0
            && m.getProtocolOpType() == LDAPMessage.PROTOCOL_OP_TYPE_EXTENDED_RESPONSE
            && NOTICE_OF_DISCONNECTION.equals(m.getExtendedResponseProtocolOp().getResponseOID())) {
          return Outcome.TOLD_TO_GO;
        }
        messages.add(m);
      } while (m.getMessageID() != 1 || !MessageClient.isFinal(m));
      int code = m.getSearchResultDoneProtocolOp().getResultCode();
      if (code == ResultCode.UNAVAILABLE_INT_VALUE) {
        return Outcome.TOLD_TO_GO;
      }
      if (code != ResultCode.SUCCESS_INT_VALUE || messages.size() != 2) {
        problem("answer: " + messages);
        return Outcome.FAILED;
      }
      client.send(new LDAPMessage(2, new UnbindRequestProtocolOp()));
      return Outcome.ANSWERED;
    } catch (IOException e) {
      problem("exchange: " + e);
      return Outcome.FAILED;
    }
  }

  private void problem(String text) {
    if (problems.size() < 20) {
      problems.add(text);
    }
  }

  public long answered() {
    return answered.get();
  }

  public long refused() {
    return refused.get();
  }

  public long toldToGo() {
    return toldToGo.get();
  }

  public long failed() {
    return failed.get();
  }

  /** The first problems seen, for failure messages. */
  public List<String> problems() {
    synchronized (problems) {
      return List.copyOf(problems);
    }
  }

  /** Stops the loop and waits for its last round. */
  public ConnectSearchLoop stop() throws Exception {
    stopped.set(true);
    running.get();
    return this;
  }

  @Override
  public String toString() {
    return "answered " + answered + ", refused " + refused + ", told to go " + toldToGo
        + ", failed " + failed + ", first problems " + problems();
  }
}
