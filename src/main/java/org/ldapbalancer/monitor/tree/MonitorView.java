package org.ldapbalancer.monitor.tree;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.ldapbalancer.monitor.ClientCloser;
import org.ldapbalancer.monitor.SnapshotSource;
import org.ldapbalancer.protocol.ResultCode;

/**
 * The cn=Monitor tree as the LDAP listeners serve it: who may read it, and the entries of a fresh
 * snapshot. Immutable and thread-safe.
 *
 * <p>Only the {@code bindconf} identity and the {@code monitor-access} DNs see the tree. For
 * everyone else it does not exist: searches get noSuchObject (32), as slapd answers for a base
 * entry whose ACLs do not even disclose it, so the tree's existence is not revealed.
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

  /** Whether a client with {@code authzId} ({@code dn:...}, {@code dn:} when anonymous) may read. */
  public boolean mayRead(String authzId) {
    if (!authzId.regionMatches(true, 0, "dn:", 0, 3) || authzId.length() == 3) {
      return false; // anonymous, or a SASL identity that is not a DN
    }
    return readers.contains(MonitorDn.normalize(authzId.substring(3)));
  }

  /**
   * The entries a search returns, from a snapshot taken now; the list is null when its base does
   * not exist. Completes on whichever thread finishes the snapshot.
   */
  public CompletionStage<List<MonitorEntry>> search(MonitorSearch search) {
    return snapshots.snapshotWithClients().thenApply(s -> search.select(MonitorTree.entries(s)));
  }

  /** The result code of a compare, against a snapshot taken now. */
  public CompletionStage<Integer> compare(MonitorCompare compare) {
    return snapshots.snapshotWithClients().thenApply(s -> compare.resultIn(MonitorTree.entries(s)));
  }

  /**
   * Closes a client connection (a modify of its {@code olmConnectionState} to {@code closing}):
   * it is sent a Notice of Disconnection, unavailable (52). Completes with whether it was found.
   */
  public CompletionStage<Boolean> closeClient(long connectionId) {
    return closer.close(
        connectionId, ResultCode.UNAVAILABLE, "connection closed by an administrator (cn=Monitor)");
  }
}
