package org.ldapbalancer.monitor.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SocketsTest {

  @ParameterizedTest
  @CsvSource({
    "0:0:0:0:0:0:0:1, ::1",
    "0:0:0:0:0:0:0:0, ::",
    "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "1:0:0:2:0:0:3:4, 1::2:0:0:3:4",
    "fe80:0:0:0:1:2:3:4, fe80::1:2:3:4"
  })
  void ipv6IsWrittenInItsShortForm(String full, String shortForm) {
    assertThat(Sockets.compressed(full)).isEqualTo(shortForm);
  }

  @Test
  void addressesAreWrittenAsSlapdDoes() throws Exception {
    assertThat(Sockets.describe(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 389)))
        .isEqualTo("IP=127.0.0.1:389");
    assertThat(Sockets.describe(new InetSocketAddress(InetAddress.getByName("::1"), 636)))
        .isEqualTo("IP=[::1]:636");
    assertThat(Sockets.describe(new InetSocketAddress(InetAddress.getByName("::"), 389)))
        .isEqualTo("IP=[::]:389");
  }
}
