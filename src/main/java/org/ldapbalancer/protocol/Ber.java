package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The few BER primitives LDAP needs (RFC 4511 §5.1: definite lengths only), reading and
 * writing in place on a {@link ByteBuf} without copying.
 *
 * <p>Readers take an absolute index and never move the buffer's reader index, so one frame can
 * be examined by several parties. A read that runs past {@code limit} throws {@link
 * MalformedPduException}.
 */
public final class Ber {
  public static final int BOOLEAN = 0x01;
  public static final int INTEGER = 0x02;
  public static final int OCTET_STRING = 0x04;
  public static final int ENUMERATED = 0x0a;
  public static final int SEQUENCE = 0x30;
  public static final int SET = 0x31;
  public static final int CONTEXT_0_CONSTRUCTED = 0xa0;

  private Ber() {}

  /**
   * Reads the length octets that start at {@code index}.
   *
   * @return the content length in the low 32 bits and the number of length octets in the high
   *     32 bits
   */
  public static long readLength(ByteBuf buf, int index, int limit) throws MalformedPduException {
    if (index >= limit) {
      throw new MalformedPduException("truncated length");
    }
    int first = buf.getUnsignedByte(index);
    if (first < 0x80) {
      return (1L << 32) | first;
    }
    if (first == 0x80) {
      throw new MalformedPduException("indefinite length is not allowed in LDAP");
    }
    int count = first & 0x7f;
    if (count > 4) {
      throw new MalformedPduException("length of " + count + " octets is too large");
    }
    if (index + 1 + count > limit) {
      throw new MalformedPduException("truncated length");
    }
    long length = 0;
    for (int i = 1; i <= count; i++) {
      length = (length << 8) | buf.getUnsignedByte(index + i);
    }
    if (length > Integer.MAX_VALUE) {
      throw new MalformedPduException("length " + length + " is too large");
    }
    return ((long) (count + 1) << 32) | length;
  }

  /**
   * Reads the element at {@code index} whose tag must be {@code tag}.
   *
   * @return the index of its first content octet in the high 32 bits and its content length
   *     in the low 32 bits
   */
  public static long readElement(ByteBuf buf, int index, int limit, int tag)
      throws MalformedPduException {
    if (index >= limit) {
      throw new MalformedPduException("missing element with tag 0x" + Integer.toHexString(tag));
    }
    int actual = buf.getUnsignedByte(index);
    if (actual != tag) {
      throw new MalformedPduException(
          "expected tag 0x" + Integer.toHexString(tag) + " but found 0x"
              + Integer.toHexString(actual));
    }
    return readAnyElement(buf, index, limit);
  }

  /** As {@link #readElement} but accepting any single-octet tag. */
  public static long readAnyElement(ByteBuf buf, int index, int limit)
      throws MalformedPduException {
    if (index >= limit) {
      throw new MalformedPduException("missing element");
    }
    if ((buf.getUnsignedByte(index) & 0x1f) == 0x1f) {
      throw new MalformedPduException("multi-octet tags are not used by LDAP");
    }
    long len = readLength(buf, index + 1, limit);
    int contentStart = index + 1 + (int) (len >>> 32);
    int contentLength = (int) len;
    if ((long) contentStart + contentLength > limit) {
      throw new MalformedPduException("element overruns its enclosing element");
    }
    return ((long) contentStart << 32) | contentLength;
  }

  public static int start(long element) {
    return (int) (element >>> 32);
  }

  public static int length(long element) {
    return (int) element;
  }

  public static int end(long element) {
    return start(element) + length(element);
  }

  /** Decodes a two's complement INTEGER or ENUMERATED content of 1 to 4 octets. */
  public static int readIntContent(ByteBuf buf, int start, int length)
      throws MalformedPduException {
    if (length < 1 || length > 4) {
      throw new MalformedPduException("integer of " + length + " octets");
    }
    int value = buf.getByte(start); // sign-extended
    for (int i = 1; i < length; i++) {
      value = (value << 8) | buf.getUnsignedByte(start + i);
    }
    return value;
  }

  /** The number of octets the length {@code length} takes when encoded. */
  public static int lengthOfLength(int length) {
    if (length < 0x80) {
      return 1;
    } else if (length <= 0xff) {
      return 2;
    } else if (length <= 0xffff) {
      return 3;
    } else if (length <= 0xffffff) {
      return 4;
    }
    return 5;
  }

  public static void writeLength(ByteBuf buf, int length) {
    if (length < 0x80) {
      buf.writeByte(length);
    } else if (length <= 0xff) {
      buf.writeByte(0x81).writeByte(length);
    } else if (length <= 0xffff) {
      buf.writeByte(0x82).writeShort(length);
    } else if (length <= 0xffffff) {
      buf.writeByte(0x83).writeMedium(length);
    } else {
      buf.writeByte(0x84).writeInt(length);
    }
  }

  /** The number of content octets of the minimal encoding of {@code value}. */
  public static int intContentLength(int value) {
    if (value >= -0x80 && value <= 0x7f) {
      return 1;
    } else if (value >= -0x8000 && value <= 0x7fff) {
      return 2;
    } else if (value >= -0x800000 && value <= 0x7fffff) {
      return 3;
    }
    return 4;
  }

  /** The whole encoded size of an INTEGER (or ENUMERATED) element holding {@code value}. */
  public static int intElementLength(int value) {
    return 2 + intContentLength(value);
  }

  public static void writeInt(ByteBuf buf, int tag, int value) {
    int n = intContentLength(value);
    buf.writeByte(tag).writeByte(n);
    for (int i = n - 1; i >= 0; i--) {
      buf.writeByte(value >> (8 * i));
    }
  }

  /** The whole encoded size of an element whose content is {@code contentLength} octets. */
  public static int elementLength(int contentLength) {
    return 1 + lengthOfLength(contentLength) + contentLength;
  }

  public static void writeHeader(ByteBuf buf, int tag, int contentLength) {
    buf.writeByte(tag);
    writeLength(buf, contentLength);
  }

  public static void writeOctets(ByteBuf buf, int tag, byte[] value) {
    writeHeader(buf, tag, value.length);
    buf.writeBytes(value);
  }
}
