package org.ldapbalancer.jmh;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.RequestValidator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Checking a typical search request before it is forwarded: a subtree search with an and of two
 * equality filters and two attributes, no controls (the Proxied Authorization control is the
 * balancer's, added after the check), 100 bytes. The frame is a slice of a pooled direct buffer, as
 * the frame decoder hands it on.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class RequestValidationBenchmark {
  private static final byte[] SEARCH = encodedSearch();

  private static byte[] encodedSearch() {
    try {
      SearchRequest request =
          new SearchRequest(
              "ou=users,dc=example,dc=com",
              SearchScope.SUB,
              "(&(objectClass=person)(uid=jdoe))",
              "cn",
              "mail");
      byte[] pdu = new LDAPMessage(2, new SearchRequestProtocolOp(request)).encode().encode();
      if (pdu.length != 100) {
        throw new IllegalStateException("the search is " + pdu.length + " bytes, not 100");
      }
      return pdu;
    } catch (LDAPException e) {
      throw new IllegalStateException(e);
    }
  }

  private ByteBuf buffer;
  private ByteBuf frame;
  private final LdapMessage view = new LdapMessage();
  private final RequestValidator validator = new RequestValidator();

  @Setup
  public void setUp() throws MalformedPduException {
    buffer = PooledByteBufAllocator.DEFAULT.directBuffer(SEARCH.length + 16);
    buffer.writeZero(16).writeBytes(SEARCH);
    frame = buffer.slice(16, SEARCH.length);
    view.parse(frame);
    if (RequestValidator.check(view) != null) {
      throw new IllegalStateException(RequestValidator.check(view));
    }
  }

  @TearDown
  public void tearDown() {
    buffer.release();
  }

  /** As the client connection calls it: this thread's validator, then the walk. */
  @Benchmark
  public String check() {
    return RequestValidator.check(view);
  }

  /** The walk alone, with a validator already in hand. */
  @Benchmark
  public String validate() {
    return validator.validate(view);
  }

  /** Reading the envelope and checking the whole request, per request read. */
  @Benchmark
  public String parseAndCheck() throws MalformedPduException {
    return RequestValidator.check(view.parse(frame));
  }
}
