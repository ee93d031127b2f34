package org.ldapbalancer.monitor.tree;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.ldapbalancer.monitor.ClientCloser;
import org.ldapbalancer.monitor.MonitorSnapshot;
import org.ldapbalancer.monitor.SnapshotSource;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.ResultCode;

/**
 * The cn=Monitor tree as the LDAP listeners serve it: which requests are its, who may read it,
 * and the answers, made from a fresh snapshot. Immutable and thread-safe.
 *
 * <p>Only the {@code bindconf} identity and the {@code monitor-access} DNs see the tree. For
 * everyone else it does not exist: searches and compares get noSuchObject (32), as slapd answers
 * for a base entry whose ACLs do not even disclose it, so the tree's existence is not revealed;
 * writes get insufficientAccessRights (50).
 */
public final class MonitorView {
  private final SnapshotSource snapshots;
  private final ClientCloser closer;
  /** Normalised DNs (without {@code dn:}) allowed to read. */
  private final Set<String> readers = new HashSet<>();

  /**
   * @param readerDns DNs that may read the tree, as written in the configuration
   */
  public MonitorView(SnapshotSource snapshots, ClientCloser closer, Collection<String> readerDns) {
    this.snapshots = snapshots;
    this.closer = closer;
    for (String dn : readerDns) {
      readers.add(MonitorDn.normalize(dn));
    }
  }

  /**
   * Whether a request names the tree (a search's base, another request's entry) and is to be
   * answered here rather than forwarded. Cheap for every other request: see {@link
   * MonitorSearch#targetsMonitor}.
   */
  public static boolean targets(LdapMessage request) throws MalformedPduException {
    return request.opTag() == ProtocolOp.SEARCH_REQUEST
        ? MonitorSearch.targetsMonitor(request)
        : MonitorModify.targetsMonitor(request);
  }

  /** Whether a client with {@code authzId} ({@code dn:...}, {@code dn:} when anonymous) may read. */
  public boolean mayRead(String authzId) {
    if (!authzId.regionMatches(true, 0, "dn:", 0, 3) || authzId.length() == 3) {
      return false; // anonymous, or a SASL identity that is not a DN
    }
    return readers.contains(MonitorDn.normalize(authzId.substring(3)));
  }

  /**
   * The answer to a request {@link #targets} accepted, from a client with {@code authzId}. Never
   * completes exceptionally: a snapshot that fails is answered unavailable (52). Completes on
   * whichever thread finishes the snapshot.
   */
  public CompletionStage<MonitorAnswer> answer(LdapMessage request, String authzId)
      throws MalformedPduException {
    boolean allowed = mayRead(authzId);
    CompletionStage<MonitorAnswer> answer;
    switch (request.opTag()) {
      case ProtocolOp.SEARCH_REQUEST -> {
        if (!allowed) {
          return now(ResultCode.NO_SUCH_OBJECT, "");
        }
        MonitorSearch search = MonitorSearch.read(request);
        answer = snapshots.snapshotWithClients().thenApply(s -> searched(search, s));
      }
      case ProtocolOp.COMPARE_REQUEST -> {
        if (!allowed) {
          return now(ResultCode.NO_SUCH_OBJECT, "");
        }
        MonitorCompare compare = MonitorCompare.read(request);
        answer =
            snapshots
                .snapshotWithClients()
                .thenApply(s -> MonitorAnswer.result(compare.resultIn(MonitorTree.entries(s)), ""));
      }
      default -> {
        if (!allowed) {
          return now(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, "");
        }
        MonitorModify.Decision decision = MonitorModify.decide(request);
        if (!decision.closes()) {
          return now(decision.resultCode(), decision.diagnostic());
        }
        answer =
            closer
                .close(
                    decision.connectionId(),
                    ResultCode.UNAVAILABLE,
                    "connection closed by an administrator (cn=Monitor)")
                .thenApply(
                    found ->
                        MonitorAnswer.result(
                            found ? ResultCode.SUCCESS : ResultCode.NO_SUCH_OBJECT, ""));
      }
    }
    return answer.exceptionally(e -> MonitorAnswer.unavailable());
  }

  private static MonitorAnswer searched(
      MonitorSearch search, MonitorSnapshot snapshot) {
    List<MonitorEntry> found = search.select(MonitorTree.entries(snapshot));
    if (found == null) {
      return MonitorAnswer.result(ResultCode.NO_SUCH_OBJECT, "");
    }
    int limit = search.sizeLimit();
    if (limit > 0 && found.size() > limit) { // RFC 4511 §4.5.1.4
      return MonitorAnswer.entries(ResultCode.SIZE_LIMIT_EXCEEDED, found.subList(0, limit), search);
    }
    return MonitorAnswer.entries(ResultCode.SUCCESS, found, search);
  }

  private static CompletionStage<MonitorAnswer> now(int resultCode, String diagnostic) {
    return CompletableFuture.completedFuture(MonitorAnswer.result(resultCode, diagnostic));
  }
}
