package org.ldapbalancer.client;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.ldapbalancer.balancing.Paging;
import org.ldapbalancer.balancing.Pin;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.protocol.Controls;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.ProtocolOp;

/**
 * What one request asks of routing: whether it is rejected, the pin it asks for, whether it is a
 * page of a paged search, or a persistent search (see Affinity and
 * docs/architecture.md "Operations that span requests").
 *
 * <p>The pin follows {@code restrict_exop}, {@code restrict_control} and {@code write_coherence}
 * as lloadd decides it (its client.c and extended.c): the extended operation's action
 * (else the {@code 1.1} default), raised to the highest action of any control it carries, raised
 * to {@link RestrictAction#WRITE} for anything but a search or a compare when {@code
 * write_coherence} is set.
 *
 * <p>Unlike lloadd, controls on extended operations are checked too, so that a {@code reject}
 * cannot be slipped past on one. Binds are not checked (they go to bind connections, which
 * nothing pins).
 *
 * <p>Immutable and thread-safe. A request without controls, with nothing configured, costs two
 * field checks; the control types are compared in place, without allocating.
 */
final class RequestAffinity {
  static final RequestAffinity NONE = new RequestAffinity(Restrictions.NONE);

  private final Map<String, RestrictAction> exops;
  private final RestrictAction exopDefault;
  private final byte[][] controlOids;
  private final RestrictAction[] controlActions;
  private final boolean writesPin;
  private final boolean rejectsStartTls;

  RequestAffinity(Restrictions restrictions) {
    this.exops = restrictions.exops();
    this.exopDefault = restrictions.exopDefault();
    this.controlOids = new byte[restrictions.controls().size()][];
    this.controlActions = new RestrictAction[controlOids.length];
    int i = 0;
    for (Map.Entry<String, RestrictAction> e : restrictions.controls().entrySet()) {
      controlOids[i] = e.getKey().getBytes(StandardCharsets.US_ASCII);
      controlActions[i++] = e.getValue();
    }
    this.writesPin = restrictions.writeCoherenceSeconds() != 0;
    this.rejectsStartTls = restrictions.exops().get(Oids.START_TLS) == RestrictAction.REJECT;
  }

  /**
   * Whether StartTLS, which the balancer answers itself, is refused by an explicit {@code
   * restrict_exop 1.3.6.1.4.1.1466.20037 reject} (the {@code 1.1} default does not apply to it,
   * as in lloadd).
   */
  boolean rejectsStartTls() {
    return rejectsStartTls;
  }

  /**
   * The action for a request other than a bind.
   *
   * @param exopName the requestName of an extended operation, else null
   */
  private RestrictAction actionOf(LdapMessage request, String exopName)
      throws MalformedPduException {
    RestrictAction action = RestrictAction.IGNORE;
    if (exopName != null) {
      action = exops.getOrDefault(exopName, exopDefault);
    }
    if (controlOids.length > 0 && request.hasControls()) {
      for (int i = 0; i < controlOids.length; i++) {
        if (controlActions[i].compareTo(action) > 0
            && Controls.find(request, controlOids[i]) != -1) {
          action = controlActions[i];
        }
      }
    }
    if (writesPin && action.compareTo(RestrictAction.WRITE) < 0) {
      int tag = request.opTag();
      if (tag != ProtocolOp.SEARCH_REQUEST && tag != ProtocolOp.COMPARE_REQUEST) {
        action = RestrictAction.WRITE;
      }
    }
    return action;
  }

  /**
   * Marks {@code op} with what {@code request} asks of routing.
   *
   * @param exopName the requestName of an extended operation, else null
   * @return false when the request is to be rejected ({@code restrict_* reject}); {@code op} is
   *     then left as it was
   */
  boolean mark(Operation op, LdapMessage request, String exopName) throws MalformedPduException {
    RestrictAction action = actionOf(request, exopName);
    if (action == RestrictAction.REJECT) {
      return false;
    }
    if (action != RestrictAction.IGNORE) {
      op.pin(pinOf(action));
    }
    if (request.opTag() == ProtocolOp.SEARCH_REQUEST && request.hasControls()) {
      int cookie = Controls.pagedResultsCookieLength(request);
      if (cookie != Controls.NOT_PAGED) {
        op.paging(cookie == 0 ? Paging.FIRST_PAGE : Paging.NEXT_PAGE);
      }
      op.persistent(Controls.asksForPersistence(request));
    }
    return true;
  }

  /** The pin an action asks for; {@link RestrictAction#REJECT} is answered before this. */
  private static Pin pinOf(RestrictAction action) {
    return switch (action) {
      case WRITE -> Pin.WRITE;
      case BACKEND -> Pin.BACKEND;
      case CONNECTION, ISOLATE -> Pin.CONNECTION;
      default -> Pin.NONE;
    };
  }
}
