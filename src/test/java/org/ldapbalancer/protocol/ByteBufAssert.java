package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Small helpers for looking at buffers in assertions. */
final class ByteBufAssert {
  private ByteBufAssert() {}

  /** The readable bytes as lower-case hex, without moving the reader index. */
  static String hex(ByteBuf buf) {
    return ByteBufUtil.hexDump(buf);
  }

  /** A copy of the readable bytes, without moving the reader index. */
  static byte[] bytes(ByteBuf buf) {
    return ByteBufUtil.getBytes(buf);
  }
}
