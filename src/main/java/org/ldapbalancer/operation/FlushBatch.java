package org.ldapbalancer.operation;

import io.netty.channel.Channel;
import java.util.ArrayList;

/**
 * Channels written to during one read batch, flushed together when the batch ends: a client's
 * burst of requests costs one flush per upstream connection, and an upstream's burst of
 * responses one flush per client, instead of a system call per PDU.
 *
 * <p>Owned by one event loop.
 */
public final class FlushBatch {
  private final ArrayList<Channel> channels = new ArrayList<>();

  /** Adds a channel unless it is the one most recently added (the common case in a burst). */
  public void add(Channel channel) {
    int n = channels.size();
    if (n == 0 || channels.get(n - 1) != channel) {
      channels.add(channel);
    }
  }

  public void flush() {
    int n = channels.size();
    if (n == 0) {
      return;
    }
    for (int i = 0; i < n; i++) {
      channels.get(i).flush(); // a channel listed twice flushes nothing the second time
    }
    channels.clear();
  }
}
