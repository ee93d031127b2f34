package org.ldapbalancer.operation;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channels of one event loop written to during the current turn of the loop, flushed once
 * when the turn ends (after the loop has handled every ready channel and task): requests from
 * several clients to one upstream connection leave in one {@code writev}, and the responses of an
 * upstream read batch cost one write per client, instead of a system call per PDU.
 *
 * <p>Each connection has one {@link Slot} with a "listed" mark, so a channel is listed at most
 * once per turn whatever the number of writes, and nothing is cleared under an iterating caller:
 * the flush walks the list by index and re-reads its length, so a flush that makes another
 * channel writable (and thereby writes to it, listing it) is followed in the same pass.
 *
 * <p>Owned by one event loop; every method runs on it.
 */
public final class FlushBatch implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(FlushBatch.class);

  /** One channel's place in the batch, made once per connection. Owned by the loop. */
  public static final class Slot {
    private final Channel channel;
    private boolean listed;

    public Slot(Channel channel) {
      this.channel = channel;
    }

    /** Whether the channel has writes waiting for this turn's flush. */
    public boolean isListed() {
      return listed;
    }
  }

  private final EventLoop loop;
  private final boolean afterTurn;
  private Slot[] slots = new Slot[64];
  private int size;
  /** A flush is scheduled for the end of this turn, or running. */
  private boolean scheduled;

  public FlushBatch(EventLoop loop) {
    this.loop = loop;
    // Netty's own loops run "tail tasks" after each iteration; any other executor (an embedded
    // channel's, in tests) gets an ordinary task, which still runs after the current one.
    this.afterTurn = loop instanceof SingleThreadEventLoop;
  }

  /** Lists the slot's channel for the flush at the end of this turn (once per turn). */
  public void add(Slot slot) {
    if (slot.listed) {
      return;
    }
    slot.listed = true;
    if (size == slots.length) {
      slots = Arrays.copyOf(slots, size * 2);
    }
    slots[size++] = slot;
    if (!scheduled) {
      scheduled = true;
      if (afterTurn) {
        ((SingleThreadEventLoop) loop).executeAfterEventLoopIteration(this);
      } else {
        loop.execute(this);
      }
    }
  }

  /** Channels listed and not yet flushed. */
  public int listed() {
    return size;
  }

  /** The flush at the end of the turn; never call it from within a flush. */
  @Override
  public void run() {
    // size is re-read on every step: a flush may list further channels (a channel that becomes
    // writable releases requests held for it), and they are flushed in this same pass.
    int i = 0;
    try {
      for (; i < size; i++) {
        Slot slot = slots[i];
        slots[i] = null;
        slot.listed = false;
        try {
          slot.channel.flush();
        } catch (RuntimeException e) {
          // Netty reports write failures through the pipeline; anything that escapes must not
          // leave the other channels unflushed.
          log.warn("flushing {} failed", slot.channel, e);
        }
      }
    } finally {
      for (; i < size; i++) { // only after an Error: unlist what is left so it can be listed again
        slots[i].listed = false;
        slots[i] = null;
      }
      size = 0;
      scheduled = false;
    }
  }
}
