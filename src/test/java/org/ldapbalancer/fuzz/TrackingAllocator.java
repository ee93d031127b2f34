package org.ldapbalancer.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so that a fuzz target can prove that
 * nothing it drove leaked: after the run every one of them must have a reference count of zero.
 *
 * <p>Netty's own leak detector reports only when a leaked buffer happens to be garbage collected,
 * and then only to the log; a fuzzer needs a failure on the very input that leaked. Unpooled, so
 * that a released buffer is really gone and a use after release fails at once.
 *
 * <p>Not thread-safe: one per target invocation, used on the test thread only.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
  private final List<ByteBuf> allocated = new ArrayList<>();

  TrackingAllocator() {
    super(false);
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
  }

  private ByteBuf track(ByteBuf buf) {
    allocated.add(buf);
    return buf;
  }

  /** How many buffers were handed out, for targets that expect some. */
  int allocations() {
    return allocated.size();
  }

  /** Fails if any buffer handed out is still referenced. */
  void assertAllReleased() {
    for (int i = 0; i < allocated.size(); i++) {
      ByteBuf buf = allocated.get(i);
      if (buf.refCnt() != 0) {
        throw new AssertionError(
            "buffer " + i + " of " + allocated.size() + " leaked (refCnt " + buf.refCnt() + ")");
      }
    }
  }
}
