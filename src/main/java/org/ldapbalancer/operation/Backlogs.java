package org.ldapbalancer.operation;

import java.util.ArrayList;

/**
 * The clients of one event loop whose responses are piling up (their channel is over its
 * high-water mark), so that when the process holds too much memory the one holding most can be
 * found without walking every client. Owned by one event loop.
 */
public final class Backlogs {
  /** A connection that holds buffered responses and can be cut off to free them. */
  public interface Backlogged {
    /** Bytes of responses written and not yet taken by the peer. */
    long bufferedBytes();

    /** Closes the connection to free what it holds; its operations are abandoned. */
    void shed(String reason);
  }

  private final ArrayList<Backlogged> members = new ArrayList<>();

  public void add(Backlogged b) {
    if (!members.contains(b)) {
      members.add(b);
    }
  }

  public void remove(Backlogged b) {
    members.remove(b);
  }

  public int size() {
    return members.size();
  }

  /** The member holding most, or null when there is none. */
  public Backlogged largest() {
    Backlogged best = null;
    long most = -1;
    for (int i = 0, n = members.size(); i < n; i++) {
      Backlogged b = members.get(i);
      long bytes = b.bufferedBytes();
      if (bytes > most) {
        most = bytes;
        best = b;
      }
    }
    return best;
  }
}
