package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Encoding the controls the balancer adds to requests. */
public final class Controls {
  private Controls() {}

  /**
   * A critical Proxied Authorization control (RFC 4370 §3) for {@code authzId}, e.g. {@code
   * "dn:uid=jo,dc=example,dc=com"}, or {@code "dn:"} for anonymous. The result is an unpooled,
   * read-only buffer meant to be kept (one per client identity) and copied from.
   *
   * <pre>
   * Control ::= SEQUENCE { controlType LDAPOID, criticality BOOLEAN, controlValue OCTET STRING }
   * </pre>
   */
  public static ByteBuf proxiedAuthorization(String authzId) {
    byte[] oid = Oids.PROXIED_AUTHORIZATION.getBytes(StandardCharsets.US_ASCII);
    byte[] value = authzId.getBytes(StandardCharsets.UTF_8);
    int content = Ber.elementLength(oid.length) + 3 + Ber.elementLength(value.length);
    ByteBuf buf = Unpooled.buffer(Ber.elementLength(content));
    Ber.writeHeader(buf, Ber.SEQUENCE, content);
    Ber.writeOctets(buf, Ber.OCTET_STRING, oid);
    buf.writeByte(Ber.BOOLEAN).writeByte(1).writeByte(0xff);
    Ber.writeOctets(buf, Ber.OCTET_STRING, value);
    return buf.asReadOnly();
  }
}
