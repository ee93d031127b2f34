package org.ldapbalancer.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A second, deliberately plain reading of how a byte stream splits into LDAPMessage frames (RFC
 * 4511 §5.1: definite lengths only), written from the rules rather than from the decoder, as the
 * oracle for the frame decoder's fuzz target.
 *
 * <p>A frame is a SEQUENCE tag, a length in short form or in long form of 1 to 4 octets, and that
 * many content octets. The stream is rejected as soon as the bytes that decide it are there: a tag
 * other than SEQUENCE, the indefinite form, more than 4 length octets, or a length above {@code
 * maxPduSize} (lloadd's {@code sockbuf_max_incoming_*} limit the content length the same way). A
 * frame not yet whole is simply waited for.
 */
final class ReferenceFramer {
  /** The frames cut from the stream, and whether the stream was rejected after them. */
  record Result(List<byte[]> frames, boolean rejected) {}

  private ReferenceFramer() {}

  static Result frame(byte[] stream, int maxPduSize) {
    List<byte[]> frames = new ArrayList<>();
    int at = 0;
    while (at < stream.length) {
      int remaining = stream.length - at;
      if ((stream[at] & 0xff) != 0x30) {
        return new Result(frames, true);
      }
      if (remaining < 2) {
        break;
      }
      int first = stream[at + 1] & 0xff;
      long length;
      int header;
      if (first < 0x80) {
        length = first;
        header = 2;
      } else {
        int octets = first & 0x7f;
        if (octets == 0 || octets > 4) {
          return new Result(frames, true);
        }
        header = 2 + octets;
        if (remaining < header) {
          break;
        }
        length = 0;
        for (int i = 0; i < octets; i++) {
          length = length << 8 | (stream[at + 2 + i] & 0xff);
        }
      }
      if (length > maxPduSize) {
        return new Result(frames, true);
      }
      if (remaining < header + length) {
        break;
      }
      frames.add(Arrays.copyOfRange(stream, at, at + header + (int) length));
      at += header + (int) length;
    }
    return new Result(frames, false);
  }
}
