package org.ldapbalancer.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;
import org.ldapbalancer.protocol.Requests;

/**
 * Encodes the generator's requests straight into pooled buffers. Everything that does not
 * change per request (attribute names, passwords, the session DN) is encoded once here.
 *
 * <p>Immutable and thread-safe; callers pass their own random generator.
 */
final class BenchRequests {
  private final DnTemplate template;
  private final byte[][] attributes;
  private final byte[] userPassword;
  private final byte[] sessionDn;
  private final byte[] sessionPassword;
  private final byte[] modifyAttribute;

  BenchRequests(BenchSettings settings) {
    this.template = settings.dnTemplate();
    this.attributes = settings.attributes().stream().map(BenchRequests::utf8).toArray(byte[][]::new);
    this.userPassword = utf8(settings.password());
    this.sessionDn = settings.bindDn() == null ? null : utf8(settings.bindDn());
    this.sessionPassword = settings.bindDn() == null ? null : utf8(settings.bindPassword());
    this.modifyAttribute = utf8(settings.modifyAttribute());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  boolean hasSessionBind() {
    return sessionDn != null;
  }

  ByteBuf request(ByteBufAllocator alloc, OpKind kind, int id, RandomGenerator random) {
    return switch (kind) {
      case SEARCH -> Requests.searchBaseObject(alloc, id, template.next(random), attributes);
      case BIND -> Requests.simpleBind(alloc, id, template.next(random), userPassword);
      case MODIFY -> modify(alloc, id, random);
      case CONNECT -> connectBind(alloc, id, random);
    };
  }

  /** The bind a persistent connection starts with, as the session identity. */
  ByteBuf sessionBind(ByteBufAllocator alloc, int id) {
    return Requests.simpleBind(alloc, id, sessionDn, sessionPassword);
  }

  /** Connect mode binds as the session identity when one is given, else as a template user. */
  private ByteBuf connectBind(ByteBufAllocator alloc, int id, RandomGenerator random) {
    return sessionDn != null
        ? sessionBind(alloc, id)
        : Requests.simpleBind(alloc, id, template.next(random), userPassword);
  }

  /** A new value each time, so that no server can skip the write as a no-op. */
  private ByteBuf modify(ByteBufAllocator alloc, int id, RandomGenerator random) {
    byte[] value = utf8("modified by ldap-balancer bench " + random.nextInt(1_000_000_000));
    return Requests.modifyReplace(alloc, id, template.next(random), modifyAttribute, value);
  }
}
