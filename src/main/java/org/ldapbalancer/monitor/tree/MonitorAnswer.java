package org.ldapbalancer.monitor.tree;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.ldapbalancer.protocol.ResultCode;

/**
 * The balancer's own answer to a request of the cn=Monitor tree: the entries of a search (none
 * for other requests) and the one final result. Immutable.
 */
public final class MonitorAnswer {
  private final int resultCode;
  private final String diagnostic;
  private final List<MonitorEntry> entries;
  /** The search the entries answer, which says which attributes to send; null without entries. */
  private final MonitorSearch search;

  private MonitorAnswer(
      int resultCode, String diagnostic, List<MonitorEntry> entries, MonitorSearch search) {
    this.resultCode = resultCode;
    this.diagnostic = diagnostic;
    this.entries = List.copyOf(entries);
    this.search = search;
  }

  static MonitorAnswer result(int resultCode, String diagnostic) {
    return new MonitorAnswer(resultCode, diagnostic, List.of(), null);
  }

  /** The answer when no snapshot could be taken (an event loop did not answer in time). */
  public static MonitorAnswer unavailable() {
    return result(ResultCode.UNAVAILABLE, "monitor snapshot not available");
  }

  static MonitorAnswer entries(int resultCode, List<MonitorEntry> entries, MonitorSearch search) {
    return new MonitorAnswer(resultCode, "", entries, search);
  }

  public int resultCode() {
    return resultCode;
  }

  public String diagnostic() {
    return diagnostic;
  }

  /** How many SearchResultEntry messages come before the result. */
  public int entryCount() {
    return entries.size();
  }

  /** Entry {@code index} as a SearchResultEntry message under {@code messageId}. */
  public ByteBuf entry(ByteBufAllocator alloc, int messageId, int index) {
    return EntryEncoder.encode(alloc, messageId, entries.get(index), search);
  }
}
