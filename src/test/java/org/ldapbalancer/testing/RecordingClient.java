package org.ldapbalancer.testing;

import java.util.ArrayList;
import java.util.List;
import org.ldapbalancer.monitor.ClientSnapshot;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.Responses;

/**
 * A client side that records what the upstream side and the router tell it. It keeps the
 * {@link ClientLink} contract as the real client connection does: an operation has one final
 * answer, and whatever comes for it after that is ignored (and counted).
 *
 * <p>Not thread-safe: used on the test's thread, which is every embedded channel's loop.
 */
public final class RecordingClient implements ClientLink {
  /** How an answer came. */
  public enum Kind {
    /** A response from the server relayed (an entry, an intermediate or a final response). */
    RELAYED,
    /** A result the balancer made itself. */
    FAILED,
    /** A BindResponse relayed with the identity it established. */
    BOUND
  }

  /**
   * One answer to the client.
   *
   * @param tag the protocolOp tag of the response
   * @param resultCode of a final response, else -1
   * @param text the diagnostic of a failure, the identity of a bind, else null
   */
  public record Answer(
      Kind kind, Operation op, int tag, boolean isFinal, int resultCode, String text) {}

  private final String name;
  private final List<Answer> answers = new ArrayList<>();
  private final List<UpstreamLink> saslExchangesEnded = new ArrayList<>();
  private int ignored;

  public RecordingClient(String name) {
    this.name = name;
  }

  @Override
  public void relay(Operation op, LdapMessage response, boolean isFinal) {
    if (op.isFinished()) {
      ignored++;
      return;
    }
    if (isFinal) {
      op.finish();
    }
    int code = isFinal ? resultCode(response) : -1;
    answers.add(new Answer(Kind.RELAYED, op, response.opTag(), isFinal, code, null));
  }

  @Override
  public void fail(Operation op, int resultCode, String diagnostic) {
    if (!op.finish()) {
      ignored++;
      return;
    }
    answers.add(new Answer(Kind.FAILED, op, op.responseTag(), true, resultCode, diagnostic));
  }

  @Override
  public void bindCompleted(Operation op, LdapMessage response, int resultCode, String authzId) {
    if (op.isFinished()) {
      ignored++;
      return;
    }
    op.finish();
    if (response.opTag() != ProtocolOp.BIND_RESPONSE || resultCode(response) != resultCode) {
      throw new AssertionError("the bind response relayed does not carry result " + resultCode);
    }
    answers.add(new Answer(Kind.BOUND, op, response.opTag(), true, resultCode, authzId));
  }

  @Override
  public void saslExchangeEnded(UpstreamLink link) {
    saslExchangesEnded.add(link);
  }

  @Override
  public void sentWithAffinity(Operation op, UpstreamLink link) {}

  /** None counted here: the router then chooses by policy alone. */
  @Override
  public int operationsInFlight() {
    return 0;
  }

  @Override
  public long connectionId() {
    return 1;
  }

  @Override
  public ClientSnapshot sample() {
    return new ClientSnapshot(1, "IP=127.0.0.1:1", "IP=127.0.0.1:389", "dn:", "ready", 0, 0, 0, 0);
  }

  /** Records the notice as the answer a real client would be sent. */
  @Override
  public void disconnect(int resultCode, String diagnostic) {
    disconnects.add(resultCode);
  }

  /** The result codes of every Notice of Disconnection, in order. */
  public final List<Integer> disconnects = new ArrayList<>();

  /** Every answer in the order given. */
  public List<Answer> answers() {
    return answers;
  }

  /** The answers to one operation. */
  public List<Answer> answersTo(Operation op) {
    return answers.stream().filter(a -> a.op() == op).toList();
  }

  /** The final answer to {@code op}; fails unless there is exactly one. */
  public Answer finalAnswerTo(Operation op) {
    List<Answer> finals = answersTo(op).stream().filter(Answer::isFinal).toList();
    if (finals.size() != 1) {
      throw new AssertionError(name + ": " + finals.size() + " final answers to " + op
          + " (expected exactly one): " + finals);
    }
    return finals.get(0);
  }

  /** Answers that came for an operation after its final one (and were ignored). */
  public int ignored() {
    return ignored;
  }

  /** The links that said this client's SASL exchange on them is over. */
  public List<UpstreamLink> saslExchangesEnded() {
    return saslExchangesEnded;
  }

  private static int resultCode(LdapMessage response) {
    try {
      return Responses.resultCode(response);
    } catch (MalformedPduException e) {
      throw new AssertionError("a final response without a result code", e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
