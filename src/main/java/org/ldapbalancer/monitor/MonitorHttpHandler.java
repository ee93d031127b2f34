package org.ldapbalancer.monitor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.ldapbalancer.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints of an {@code http://} listener: {@code /metrics}, {@code /healthz}, {@code
 * /readyz}, {@code /status.json} and the status page at {@code /}. Only GET and HEAD.
 *
 * <p>Answers that need a snapshot wait for it without blocking the loop (the snapshot is taken by
 * tasks on every loop, this one included). Requests a client pipelines meanwhile are answered in
 * order, a few at most: HTTP/1.1 answers pipelined requests in the order they came (RFC 9112
 * §9.3.2). So are requests that come while the client does not read its answers (the channel
 * is not writable): they are held, reading stops, and answering resumes when the client reads.
 * A client that pipelines more than {@link #MAX_PIPELINED} meanwhile is closed, so that one
 * that never reads cannot make the balancer hold answers without bound.
 *
 * <p>One per channel; every field belongs to the channel's event loop.
 */
public final class MonitorHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(MonitorHttpHandler.class);

  /** Pipelined requests held while one waits for its snapshot; more close the connection. */
  static final int MAX_PIPELINED = 16;

  private static final String TEXT = "text/plain; charset=utf-8";

  private final SnapshotSource source;
  private final String version;
  private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>();
  /** A response waits for a snapshot; requests read meanwhile are held in {@link #pipelined}. */
  private boolean waiting;

  public MonitorHttpHandler(SnapshotSource source, String version) {
    this.source = source;
    this.version = version;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    RequestDeadline deadline = ctx.pipeline().get(RequestDeadline.class);
    if (deadline != null) {
      deadline.requestComplete();
    }
    if (waiting || !ctx.channel().isWritable()) {
      if (pipelined.size() >= MAX_PIPELINED) {
        ctx.close();
        return;
      }
      pipelined.add(request.retain());
      return;
    }
    handle(ctx, request);
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      send(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, text("bad request\n"), false);
      return;
    }
    HttpMethod method = request.method();
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      FullHttpResponse r = response(
          request, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, text("only GET and HEAD\n"));
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      write(ctx, request, r);
      return;
    }
    switch (new QueryStringDecoder(request.uri()).path()) {
      case "/", "/index.html" -> {
        FullHttpResponse r =
            response(request, HttpResponseStatus.OK, "text/html; charset=utf-8", StatusPage.html());
        r.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, StatusPage.securityPolicy());
        write(ctx, request, r);
      }
      case "/healthz" -> send(ctx, request, HttpResponseStatus.OK, TEXT, text("ok\n"), true);
      case "/readyz" -> afterSnapshot(ctx, request, this::readiness);
      case "/metrics" ->
          afterSnapshot(ctx, request, s -> new Answer(HttpResponseStatus.OK,
              PrometheusMetrics.CONTENT_TYPE, PrometheusMetrics.text(s)));
      case "/status.json" ->
          afterSnapshot(ctx, request, s -> new Answer(HttpResponseStatus.OK,
              "application/json", StatusJson.of(s, version).getBytes(StandardCharsets.UTF_8)));
      default -> send(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, text("not found\n"), true);
    }
  }

  /** {@code /readyz}: ready while at least one server has a regular connection ready. */
  private Answer readiness(MonitorSnapshot s) {
    long up = s.serversUp();
    if (up > 0) {
      return new Answer(HttpResponseStatus.OK, TEXT,
          text("ready: " + up + " of " + s.servers().size() + " servers up\n"));
    }
    StringBuilder why = new StringBuilder("not ready: no server has a connection ready\n");
    for (ServerSnapshot server : s.servers()) {
      why.append(server.uri()).append(": ").append(server.state().label());
      if (server.lastError() != null) {
        why.append(" (").append(server.lastError()).append(')');
      }
      why.append('\n');
    }
    return new Answer(HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, text(why.toString()));
  }

  private record Answer(HttpResponseStatus status, String contentType, byte[] body) {}

  private void afterSnapshot(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      Function<MonitorSnapshot, Answer> render) {
    waiting = true;
    // What the answer needs of the request, kept: the request itself is released on return.
    FullHttpRequest head = request.replace(Unpooled.EMPTY_BUFFER);
    CompletionStage<MonitorSnapshot> snapshot = source.snapshot();
    snapshot.whenComplete(
        (s, failure) ->
            ctx.executor()
                .execute(
                    () -> {
                      Answer a;
                      if (failure != null) {
                        // Rate-limited: a stuck loop would otherwise log once per scrape.
                        RateLimitedLog.DEFAULT.warn(
                            log, "monitor snapshot failed: {}", failure.toString());
                        a = new Answer(HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT,
                            text("the event loops did not answer in time\n"));
                      } else {
                        try {
                          a = render.apply(s);
                        } catch (RuntimeException e) {
                          log.error("rendering {} failed", head.uri(), e);
                          a = new Answer(HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT,
                              text("internal error\n"));
                        }
                      }
                      send(ctx, head, a.status(), a.contentType(), a.body(), true);
                      waiting = false;
                      next(ctx);
                    }));
  }

  /**
   * Answers requests pipelined behind one that waited, or held while the client did not read,
   * until another has to wait or the client stops reading again.
   */
  private void next(ChannelHandlerContext ctx) {
    FullHttpRequest r;
    while (!waiting && ctx.channel().isWritable() && (r = pipelined.poll()) != null) {
      try {
        if (ctx.channel().isActive()) {
          handle(ctx, r);
        }
      } finally {
        r.release();
      }
    }
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void send(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      HttpResponseStatus status,
      String contentType,
      byte[] body,
      boolean keepAlive) {
    FullHttpResponse r = response(request, status, contentType, body);
    if (!keepAlive) {
      HttpUtil.setKeepAlive(r, false);
    }
    write(ctx, request, r);
  }

  private static FullHttpResponse response(
      FullHttpRequest request, HttpResponseStatus status, String contentType, byte[] body) {
    boolean head = request.method().equals(HttpMethod.HEAD);
    ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .set("x-content-type-options", "nosniff");
    return r;
  }

  private static void write(
      ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse r) {
    boolean keepAlive = HttpUtil.isKeepAlive(request) && HttpUtil.isKeepAlive(r);
    HttpUtil.setKeepAlive(r, keepAlive);
    var written = ctx.writeAndFlush(r);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    boolean writable = ctx.channel().isWritable();
    ctx.channel().config().setAutoRead(writable);
    if (writable) {
      next(ctx);
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.close(); // a keep-alive connection nobody uses holds a descriptor for nothing
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    FullHttpRequest r;
    while ((r = pipelined.poll()) != null) {
      r.release();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("monitor connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
