package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BerTest {
  private static ByteBuf bytes(int... octets) {
    ByteBuf buf = Unpooled.buffer(octets.length);
    for (int b : octets) {
      buf.writeByte(b);
    }
    return buf;
  }

  private static int lengthOf(long read) {
    return (int) read;
  }

  private static int octetsOf(long read) {
    return (int) (read >>> 32);
  }

  @Test
  void readsShortFormLengths() throws Exception {
    long zero = Ber.readLength(bytes(0x00), 0, 1);
    assertThat(lengthOf(zero)).isZero();
    assertThat(octetsOf(zero)).isEqualTo(1);
    long max = Ber.readLength(bytes(0x7f), 0, 1);
    assertThat(lengthOf(max)).isEqualTo(127);
    assertThat(octetsOf(max)).isEqualTo(1);
  }

  @Test
  void readsLongFormLengthsOfOneTwoThreeAndFourOctets() throws Exception {
    long one = Ber.readLength(bytes(0x81, 0x80), 0, 2);
    assertThat(lengthOf(one)).isEqualTo(128);
    assertThat(octetsOf(one)).isEqualTo(2);
    long two = Ber.readLength(bytes(0x82, 0x01, 0x00), 0, 3);
    assertThat(lengthOf(two)).isEqualTo(256);
    assertThat(octetsOf(two)).isEqualTo(3);
    long three = Ber.readLength(bytes(0x83, 0x01, 0x00, 0x00), 0, 4);
    assertThat(lengthOf(three)).isEqualTo(65536);
    assertThat(octetsOf(three)).isEqualTo(4);
    long four = Ber.readLength(bytes(0x84, 0x7f, 0xff, 0xff, 0xff), 0, 5);
    assertThat(lengthOf(four)).isEqualTo(Integer.MAX_VALUE);
    assertThat(octetsOf(four)).isEqualTo(5);
  }

  @Test
  void acceptsNonMinimalLongFormAsBerAllows() throws Exception {
    long read = Ber.readLength(bytes(0x84, 0x00, 0x00, 0x00, 0x05), 0, 5);
    assertThat(lengthOf(read)).isEqualTo(5);
    assertThat(octetsOf(read)).isEqualTo(5);
  }

  @Test
  void readsAtAnOffset() throws Exception {
    long read = Ber.readLength(bytes(0xaa, 0xbb, 0x82, 0x12, 0x34), 2, 5);
    assertThat(lengthOf(read)).isEqualTo(0x1234);
    assertThat(octetsOf(read)).isEqualTo(3);
  }

  @Test
  void rejectsIndefiniteLength() {
    assertThatThrownBy(() -> Ber.readLength(bytes(0x80, 0x00, 0x00), 0, 3))
        .isInstanceOf(MalformedPduException.class)
        .hasMessageContaining("indefinite");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x85, 0x88, 0xff})
  void rejectsMoreThanFourLengthOctets(int first) {
    ByteBuf buf = bytes(first, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    assertThatThrownBy(() -> Ber.readLength(buf, 0, buf.writerIndex()))
        .isInstanceOf(MalformedPduException.class);
  }

  @Test
  void rejectsLengthsAboveIntMax() {
    assertThatThrownBy(() -> Ber.readLength(bytes(0x84, 0x80, 0, 0, 0), 0, 5))
        .isInstanceOf(MalformedPduException.class);
    assertThatThrownBy(() -> Ber.readLength(bytes(0x84, 0xff, 0xff, 0xff, 0xff), 0, 5))
        .isInstanceOf(MalformedPduException.class);
  }

  @Test
  void rejectsTruncatedLengths() {
    assertThatThrownBy(() -> Ber.readLength(bytes(), 0, 0))
        .isInstanceOf(MalformedPduException.class);
    assertThatThrownBy(() -> Ber.readLength(bytes(0x81), 0, 1))
        .isInstanceOf(MalformedPduException.class);
    assertThatThrownBy(() -> Ber.readLength(bytes(0x82, 0x01), 0, 2))
        .isInstanceOf(MalformedPduException.class);
    // The octets are there but beyond the limit the caller gave.
    assertThatThrownBy(() -> Ber.readLength(bytes(0x84, 0, 0, 1, 0), 0, 4))
        .isInstanceOf(MalformedPduException.class);
  }

  @Test
  void readsElementsAndChecksTheirTagAndBounds() throws Exception {
    ByteBuf buf = bytes(0x04, 0x03, 'a', 'b', 'c', 0x02, 0x01, 0x05);
    long element = Ber.readElement(buf, 0, buf.writerIndex(), Ber.OCTET_STRING);
    assertThat(Ber.start(element)).isEqualTo(2);
    assertThat(Ber.length(element)).isEqualTo(3);
    assertThat(Ber.end(element)).isEqualTo(5);
    long next = Ber.readElement(buf, Ber.end(element), buf.writerIndex(), Ber.INTEGER);
    assertThat(Ber.readIntContent(buf, Ber.start(next), Ber.length(next))).isEqualTo(5);

    assertThatThrownBy(() -> Ber.readElement(buf, 0, buf.writerIndex(), Ber.INTEGER))
        .isInstanceOf(MalformedPduException.class)
        .hasMessageContaining("0x2")
        .hasMessageContaining("0x4");
    assertThatThrownBy(() -> Ber.readElement(buf, 0, 4, Ber.OCTET_STRING))
        .isInstanceOf(MalformedPduException.class)
        .hasMessageContaining("overruns");
    assertThatThrownBy(() -> Ber.readElement(buf, 8, 8, Ber.OCTET_STRING))
        .isInstanceOf(MalformedPduException.class);
  }

  @Test
  void rejectsMultiOctetTags() {
    ByteBuf buf = bytes(0x1f, 0x81, 0x00, 0x00);
    assertThatThrownBy(() -> Ber.readAnyElement(buf, 0, buf.writerIndex()))
        .isInstanceOf(MalformedPduException.class)
        .hasMessageContaining("multi-octet");
  }

  @Test
  void readsIntegersOfOneToFourOctets() throws Exception {
    assertThat(Ber.readIntContent(bytes(0x00), 0, 1)).isZero();
    assertThat(Ber.readIntContent(bytes(0x7f), 0, 1)).isEqualTo(127);
    assertThat(Ber.readIntContent(bytes(0x00, 0x80), 0, 2)).isEqualTo(128);
    assertThat(Ber.readIntContent(bytes(0x01, 0x00, 0x00), 0, 3)).isEqualTo(65536);
    assertThat(Ber.readIntContent(bytes(0x7f, 0xff, 0xff, 0xff), 0, 4))
        .isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void readsNegativeIntegers() throws Exception {
    assertThat(Ber.readIntContent(bytes(0xff), 0, 1)).isEqualTo(-1);
    assertThat(Ber.readIntContent(bytes(0x80), 0, 1)).isEqualTo(-128);
    assertThat(Ber.readIntContent(bytes(0xff, 0x7f), 0, 2)).isEqualTo(-129);
    assertThat(Ber.readIntContent(bytes(0x80, 0x00, 0x00), 0, 3)).isEqualTo(-0x800000);
    assertThat(Ber.readIntContent(bytes(0x80, 0x00, 0x00, 0x00), 0, 4))
        .isEqualTo(Integer.MIN_VALUE);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 5})
  void rejectsIntegersOfZeroOrMoreThanFourOctets(int length) {
    ByteBuf buf = bytes(0x01, 0x00, 0x00, 0x00, 0x00);
    assertThatThrownBy(() -> Ber.readIntContent(buf, 0, length))
        .isInstanceOf(MalformedPduException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffff, 0x1000000,
      Integer.MAX_VALUE})
  void writtenLengthsReadBack(int length) throws Exception {
    ByteBuf buf = Unpooled.buffer();
    Ber.writeLength(buf, length);
    assertThat(buf.readableBytes()).isEqualTo(Ber.lengthOfLength(length));
    long read = Ber.readLength(buf, 0, buf.writerIndex());
    assertThat(lengthOf(read)).isEqualTo(length);
    assertThat(octetsOf(read)).isEqualTo(Ber.lengthOfLength(length));
  }

  @Test
  void lengthsUseTheShortestForm() {
    ByteBuf buf = Unpooled.buffer();
    Ber.writeLength(buf, 127);
    Ber.writeLength(buf, 128);
    Ber.writeLength(buf, 256);
    assertThat(ByteBufAssert.hex(buf)).isEqualTo("7f818082 0100".replace(" ", ""));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769,
      0x7fffff, 0x800000, -0x800000, -0x800001, Integer.MAX_VALUE, Integer.MIN_VALUE})
  void writtenIntegersReadBack(int value) throws Exception {
    ByteBuf buf = Unpooled.buffer();
    Ber.writeInt(buf, Ber.INTEGER, value);
    assertThat(buf.readableBytes()).isEqualTo(Ber.intElementLength(value));
    long element = Ber.readElement(buf, 0, buf.writerIndex(), Ber.INTEGER);
    assertThat(Ber.end(element)).isEqualTo(buf.writerIndex());
    assertThat(Ber.readIntContent(buf, Ber.start(element), Ber.length(element))).isEqualTo(value);
  }

  @Test
  void integersUseTheShortestTwosComplementForm() {
    ByteBuf buf = Unpooled.buffer();
    Ber.writeInt(buf, Ber.INTEGER, 128);
    Ber.writeInt(buf, Ber.ENUMERATED, -1);
    Ber.writeInt(buf, Ber.INTEGER, Integer.MAX_VALUE);
    assertThat(ByteBufAssert.hex(buf)).isEqualTo("02020080" + "0a01ff" + "02047fffffff");
  }

  @Test
  void writesHeadersAndOctetStrings() throws Exception {
    ByteBuf buf = Unpooled.buffer();
    byte[] value = new byte[200];
    Ber.writeOctets(buf, Ber.OCTET_STRING, value);
    assertThat(buf.readableBytes()).isEqualTo(Ber.elementLength(200));
    long element = Ber.readElement(buf, 0, buf.writerIndex(), Ber.OCTET_STRING);
    assertThat(Ber.start(element)).isEqualTo(3);
    assertThat(Ber.length(element)).isEqualTo(200);
  }
}
