package org.ldapbalancer.upstream;

import java.util.function.IntPredicate;

/**
 * Hands out upstream message IDs: 1 up to 2³¹−1 (RFC 4511 §4.1.1), then round again from 1,
 * skipping any ID still in use. Owned by one connection's event loop.
 */
final class MessageIds {
  private int next;

  MessageIds(int first) {
    if (first < 1) {
      throw new IllegalArgumentException("message IDs start at 1");
    }
    this.next = first;
  }

  /** The next ID not in use; the caller keeps fewer than 2³¹−1 IDs in use. */
  int next(IntPredicate inUse) {
    int id;
    do {
      id = next;
      next = id == Integer.MAX_VALUE ? 1 : id + 1;
    } while (inUse.test(id));
    return id;
  }
}
