package org.ldapbalancer.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The end-of-turn flush: each channel once per turn, nothing flushed before the turn ends, and a
 * flush that makes a channel writable again (whose handler then writes elsewhere) is safe.
 */
class FlushBatchTest {
  /** The loop the batch schedules its flush on: its tasks run only when the test says so. */
  private final EmbeddedChannel turn = new EmbeddedChannel();

  @Test
  void aChannelWrittenManyTimesIsListedOnceAndFlushedOnce() {
    Recorder rec = new Recorder();
    EmbeddedChannel ch = new EmbeddedChannel(rec);
    FlushBatch batch = new FlushBatch(turn.eventLoop());
    FlushBatch.Slot slot = new FlushBatch.Slot(ch);
    for (int i = 0; i < 3; i++) {
      ch.write(Unpooled.wrappedBuffer(new byte[] {(byte) i}));
      batch.add(slot);
    }
    assertThat(batch.listed()).isEqualTo(1);
    assertThat(slot.isListed()).isTrue();
    assertThat(rec.flushes).hasValue(0);

    turn.runPendingTasks(); // the end of the turn

    assertThat(rec.flushes).hasValue(1);
    assertThat(rec.writesAtLastFlush).hasValue(3);
    assertThat(slot.isListed()).isFalse();
    assertThat(batch.listed()).isZero();
  }

  /**
   * The defect this design removes: flushing a backlogged upstream brings it under its low-water
   * mark, and its writability handler releases held requests to other channels (listing them, and
   * listing the upstream again) while the batch is being flushed. They must be flushed in the
   * same pass, without an exception and without losing a listed channel.
   */
  @Test
  void aFlushThatMakesAChannelWritableAndListsOthersIsSafe() {
    Recorder otherRec = new Recorder();
    EmbeddedChannel other = new EmbeddedChannel(otherRec);
    FlushBatch batch = new FlushBatch(turn.eventLoop());
    FlushBatch.Slot otherSlot = new FlushBatch.Slot(other);
    AtomicReference<FlushBatch.Slot> upstreamSlot = new AtomicReference<>();
    AtomicInteger drained = new AtomicInteger();
    EmbeddedChannel upstream =
        new EmbeddedChannel(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                // Only the first time: like the router, which sends what waited only once.
                if (ctx.channel().isWritable() && drained.getAndIncrement() == 0) {
                  other.write(Unpooled.wrappedBuffer(new byte[] {42}));
                  batch.add(otherSlot); // what connectionDrained does
                  ctx.channel().write(Unpooled.wrappedBuffer(new byte[] {7}));
                  batch.add(upstreamSlot.get()); // listed again while being flushed
                }
              }
            });
    upstream.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
    upstreamSlot.set(new FlushBatch.Slot(upstream));
    upstream.write(Unpooled.wrappedBuffer(new byte[64]));
    assertThat(upstream.isWritable()).isFalse();
    batch.add(upstreamSlot.get());

    turn.runPendingTasks();

    assertThat(drained.get()).isPositive();
    assertThat(upstream.outboundMessages()).hasSize(2); // both flushed: the 64 bytes and the 7
    assertThat(otherRec.flushes).hasValue(1);
    assertThat(otherRec.writesAtLastFlush).hasValue(1);
    assertThat(batch.listed()).isZero();
    assertThat(otherSlot.isListed()).isFalse();
    assertThat(upstreamSlot.get().isListed()).isFalse();
    releaseOutbound(upstream);

    // And the batch still schedules and flushes afterwards.
    other.write(Unpooled.wrappedBuffer(new byte[] {1}));
    batch.add(otherSlot);
    turn.runPendingTasks();
    assertThat(otherRec.flushes).hasValue(2);
  }

  @Test
  void onARealEventLoopTheFlushWaitsForTheEndOfTheTurn() throws Exception {
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      EventLoop loop = group.next();
      Recorder rec = new Recorder();
      NioSocketChannel ch = new NioSocketChannel();
      ch.pipeline().addLast(rec);
      loop.register(ch).sync();
      FlushBatch batch = new FlushBatch(loop);
      FlushBatch.Slot slot = new FlushBatch.Slot(ch);
      int seenInsideTheTask =
          loop.submit(
                  () -> {
                    ch.write(Unpooled.wrappedBuffer(new byte[] {1}));
                    batch.add(slot);
                    ch.write(Unpooled.wrappedBuffer(new byte[] {2}));
                    batch.add(slot);
                    return rec.flushes.get();
                  })
              .get(5, TimeUnit.SECONDS);
      assertThat(seenInsideTheTask).isZero();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(rec.flushes).hasValue(1));
      assertThat(rec.writesAtLastFlush).hasValue(2);
      assertThat(loop.submit(batch::listed).get(5, TimeUnit.SECONDS)).isZero();
      ch.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void aChannelWhoseFlushThrowsDoesNotKeepOthersFromBeingFlushed() {
    EmbeddedChannel broken =
        new EmbeddedChannel(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void flush(ChannelHandlerContext ctx) {
                throw new IllegalStateException("broken on purpose");
              }
            });
    Recorder rec = new Recorder();
    EmbeddedChannel fine = new EmbeddedChannel(rec);
    FlushBatch batch = new FlushBatch(turn.eventLoop());
    FlushBatch.Slot brokenSlot = new FlushBatch.Slot(broken);
    FlushBatch.Slot fineSlot = new FlushBatch.Slot(fine);
    batch.add(brokenSlot);
    batch.add(fineSlot);

    turn.runPendingTasks();

    assertThat(rec.flushes).hasValue(1);
    assertThat(batch.listed()).isZero();
    assertThat(brokenSlot.isListed()).isFalse();
  }

  /** Counts flushes and the writes each one carries; swallows (releases) what is written. */
  private static final class Recorder extends ChannelOutboundHandlerAdapter {
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger writesAtLastFlush = new AtomicInteger();
    private int writes;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ReferenceCountUtil.release(msg);
      writes++;
      promise.setSuccess();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes.incrementAndGet();
      writesAtLastFlush.set(writes);
      writes = 0;
    }
  }

  private static void releaseOutbound(EmbeddedChannel ch) {
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      ((ByteBuf) msg).release();
    }
  }
}
