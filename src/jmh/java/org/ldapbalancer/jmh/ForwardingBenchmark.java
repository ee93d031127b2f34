package org.ldapbalancer.jmh;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.protocol.Controls;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.MessageRewriter;
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
 * The per-request pieces of forwarding: framing a search request, reading its envelope, and writing
 * it under a new message ID, with and without the Proxied Authorization control. Writes go to
 * a channel whose outbound handler releases them at once, so the figures are the balancer's
 * work, not Netty's outbound buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class ForwardingBenchmark {
  /** A base-object search for uid=user.42,ou=people,dc=example,dc=com, attributes cn and mail. */
  private static final byte[] SEARCH = encodedSearch();

  private static byte[] encodedSearch() {
    try {
      SearchRequest request =
          new SearchRequest(
              "uid=user.42,ou=people,dc=example,dc=com",
              SearchScope.BASE,
              "(objectClass=*)",
              "cn",
              "mail");
      return new LDAPMessage(2, new SearchRequestProtocolOp(request)).encode().encode();
    } catch (LDAPException e) {
      throw new IllegalStateException(e);
    }
  }

  private ByteBuf frame;
  private final LdapMessage view = new LdapMessage();
  private ByteBuf control;
  private EmbeddedChannel sink;
  private EmbeddedChannel decoderChannel;
  private int id;

  @Setup
  public void setUp() {
    frame = PooledByteBufAllocator.DEFAULT.directBuffer(SEARCH.length).writeBytes(SEARCH);
    control = Controls.proxiedAuthorization("dn:uid=user.42,ou=people,dc=example,dc=com");
    sink =
        new EmbeddedChannel(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
              }
            });
    sink.config().setAllocator(PooledByteBufAllocator.DEFAULT);
    decoderChannel = new EmbeddedChannel(new LdapFrameDecoder(262143));
  }

  @TearDown
  public void tearDown() {
    frame.release();
    sink.finishAndReleaseAll();
    decoderChannel.finishAndReleaseAll();
  }

  /** Framing as the pipeline does it: a read buffer in, one retained frame slice out. */
  @Benchmark
  public int decodeFrame() {
    decoderChannel.writeInbound(frame.retainedDuplicate());
    ByteBuf out = decoderChannel.readInbound();
    int length = out.readableBytes();
    out.release();
    return length;
  }

  @Benchmark
  public int parseEnvelope() throws MalformedPduException {
    return view.parse(frame).opTag();
  }

  @Benchmark
  public LdapMessage rewriteMessageId() throws MalformedPduException {
    view.parse(frame);
    MessageRewriter.write(sink, view, nextId());
    return view;
  }

  @Benchmark
  public LdapMessage rewriteWithProxiedAuthorization() throws MalformedPduException {
    view.parse(frame);
    MessageRewriter.writeWithControl(sink, view, nextId(), control);
    return view;
  }

  private int nextId() {
    id = id == Integer.MAX_VALUE ? 1 : id + 1;
    return id;
  }
}
