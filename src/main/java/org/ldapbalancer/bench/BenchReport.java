package org.ldapbalancer.bench;

import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The generator's output: a line a second, a summary, or one JSON object for machines. */
public final class BenchReport {
  private BenchReport() {}

  static String header(BenchSettings s, String transport) {
    String load = s.mode() == BenchMode.CONNECT
        ? s.connections() + " concurrent connects"
        : s.connections() + " connections x " + s.inFlight() + " in flight";
    String rate = s.rate() > 0 ? fmt("%.0f ops/s target", s.rate()) : "as fast as possible";
    String mix = s.mode() == BenchMode.MIXED ? " (" + s.mix() + " search:bind:modify)" : "";
    String limit = s.maxOps() > 0 ? ", at most " + s.maxOps() + " operations" : "";
    return fmt("ldap-balancer bench: %s%s on %s, %s, %s, warm-up %s s, duration %s s%s (%s)%n"
            + "%8s %10s %9s %9s %7s",
        s.mode().label(), mix, s.url(), load, rate, num(s.warmupSeconds()),
        num(s.durationSeconds()), limit, transport, "time", "ops/s", "p50 us", "p99 us",
        "errors");
  }

  /** One interval: operations per second, median and p99 latency, errors. */
  static String intervalLine(double atSeconds, Histogram h, double seconds, long errors,
      boolean warmup) {
    double rate = seconds > 0 ? h.getTotalCount() / seconds : 0;
    long p50 = h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50);
    long p99 = h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99);
    return fmt("%6.1f s %10.0f %9d %9d %7d%s", atSeconds, rate, p50, p99, errors,
        warmup ? "  (warm-up)" : "");
  }

  /** The summary for people. */
  public static String text(BenchResult r) {
    StringBuilder b = new StringBuilder();
    BenchResult.Latency l = r.latency();
    b.append(fmt("%nsummary: %d operations in %.2f s = %.0f ops/s (stopped by %s)%n",
        r.operations(), r.seconds(), r.opsPerSecond(), r.stopReason()));
    if (r.tls() != null) {
      b.append(r.tls()).append(System.lineSeparator());
    }
    b.append(fmt("latency us: p50 %d  p90 %d  p99 %d  p99.9 %d  max %d  mean %.1f%n",
        l.p50(), l.p90(), l.p99(), l.p999(), l.max(), l.mean()));
    if (r.byKind().size() > 1) {
      r.byKind().forEach((kind, k) -> b.append(fmt(
          "  %-7s %d operations, %d errors, p50 %d  p99 %d  max %d us%n", kind.label(),
          k.operations(), k.errors(), k.latency().p50(), k.latency().p99(), k.latency().max())));
    }
    if (r.errors() == 0) {
      b.append("errors: none");
    } else {
      b.append("errors:");
      r.errorsByCode().forEach((code, n) ->
          b.append(fmt(" %s (%d): %d;", ResultCodeNames.name(code), code, n)));
      b.append(fmt(" connection: %d", r.connectionErrors()));
      if (r.firstConnectionError() != null) {
        b.append(" (first: ").append(r.firstConnectionError()).append(')');
      }
    }
    if (r.unfinished() > 0) {
      b.append(fmt("%nunfinished: %d (requests without an answer when the run stopped)",
          r.unfinished()));
    }
    answers(b, r.answers());
    return b.toString();
  }

  /** The ledger of every request sent: answered by result code, lost, unanswered, unexpected. */
  private static void answers(StringBuilder b, BenchResult.Answers a) {
    b.append(fmt("%nanswers: %d sent, %d answered (", a.sent(), a.answered()));
    String sep = "";
    for (Map.Entry<Integer, Long> e : a.byResultCode().entrySet()) {
      b.append(sep).append(fmt("%s (%d): %d", ResultCodeNames.name(e.getKey()), e.getKey(),
          e.getValue()));
      sep = ", ";
    }
    b.append(fmt("), %d lost with their connection, %d unanswered after a drain of %.2f s,"
            + " %d unexpected", a.lostWithConnection(), a.unanswered(), a.drainedSeconds(),
        a.unexpected()));
    if (a.noticesOfDisconnection() > 0) {
      b.append(fmt("; notices of disconnection: %d", a.noticesOfDisconnection()));
    }
  }

  /** The summary as one JSON object. */
  public static String json(BenchResult r) {
    BenchSettings s = r.settings();
    StringBuilder b = new StringBuilder(512).append('{');
    field(b, "mode", s.mode().label()).append(',');
    field(b, "url", s.url().toString()).append(',');
    b.append("\"connections\":").append(s.connections()).append(',');
    b.append("\"connectionsReady\":").append(r.connectionsReady()).append(',');
    b.append("\"inFlight\":").append(s.inFlight()).append(',');
    b.append("\"threads\":").append(s.threads()).append(',');
    field(b, "transport", r.transport()).append(',');
    if (r.tls() != null) {
      field(b, "tls", r.tls()).append(',');
    }
    b.append("\"targetRate\":").append(num(s.rate())).append(',');
    if (s.mode() == BenchMode.MIXED) {
      field(b, "mix", s.mix().toString()).append(',');
    }
    b.append("\"warmupSeconds\":").append(num(s.warmupSeconds())).append(',');
    b.append("\"seconds\":").append(fmt("%.3f", r.seconds())).append(',');
    field(b, "stoppedBy", r.stopReason()).append(',');
    b.append("\"operations\":").append(r.operations()).append(',');
    b.append("\"opsPerSecond\":").append(fmt("%.1f", r.opsPerSecond())).append(',');
    latency(b, r.latency()).append(',');
    b.append("\"byKind\":{");
    String sep = "";
    for (Map.Entry<OpKind, BenchResult.KindResult> e : r.byKind().entrySet()) {
      BenchResult.KindResult k = e.getValue();
      b.append(sep).append('"').append(e.getKey().label()).append("\":{\"operations\":")
          .append(k.operations()).append(",\"errors\":").append(k.errors()).append(',');
      latency(b, k.latency()).append('}');
      sep = ",";
    }
    b.append("},\"errors\":{\"total\":").append(r.errors()).append(",\"byResultCode\":{");
    sep = "";
    for (Map.Entry<Integer, Long> e : r.errorsByCode().entrySet()) {
      b.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
      sep = ",";
    }
    b.append("},\"connection\":").append(r.connectionErrors());
    if (r.firstConnectionError() != null) {
      b.append(',');
      field(b, "firstConnectionError", r.firstConnectionError());
    }
    b.append("},\"unfinished\":").append(r.unfinished()).append(',');
    BenchResult.Answers a = r.answers();
    b.append("\"answers\":{\"sent\":").append(a.sent()).append(",\"answered\":")
        .append(a.answered()).append(",\"byResultCode\":{");
    sep = "";
    for (Map.Entry<Integer, Long> e : a.byResultCode().entrySet()) {
      b.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
      sep = ",";
    }
    b.append("},\"lostWithConnection\":").append(a.lostWithConnection())
        .append(",\"unanswered\":").append(a.unanswered())
        .append(",\"unexpected\":").append(a.unexpected())
        .append(",\"noticesOfDisconnection\":").append(a.noticesOfDisconnection())
        .append(",\"drainSeconds\":").append(num(a.drainSeconds()))
        .append(",\"drainedSeconds\":").append(fmt("%.3f", a.drainedSeconds()))
        .append("}}");
    return b.toString();
  }

  static String idleHeader(BenchSettings s, String transport) {
    String identity = s.bindDn() == null ? "anonymous" : "bound as " + s.bindDn();
    return fmt("ldap-balancer bench: idle on %s, %d connections (%s), one search each, then held"
            + " %s s without traffic (%s)%n%8s %8s %8s %8s %8s",
        s.url(), s.connections(), identity, num(s.durationSeconds()), transport, "time",
        "set up", "failed", "open", "lost");
  }

  /** One second of idle mode: connections set up, failed, open now and lost so far. */
  static String idleLine(double atSeconds, int setUp, int failed, int open, int lost) {
    return fmt("%6.1f s %8d %8d %8d %8d", atSeconds, setUp, failed, open, lost);
  }

  static String idleSetUp(int setUp, int requested, double seconds, int failed, int unanswered) {
    return fmt("set up %d of %d connections in %.1f s (%d failed, %d unanswered); holding them",
        setUp, requested, seconds, failed, unanswered);
  }

  /** The idle-mode summary for people. */
  public static String text(IdleResult r) {
    StringBuilder b = new StringBuilder();
    b.append(fmt("%nsummary: %d of %d connections set up in %.2f s, held %.2f s (stopped by %s);"
            + " %d open at the end%n", r.setUp(), r.settings().connections(), r.setupSeconds(),
        r.heldSeconds(), r.stopReason(), r.openAtEnd()));
    b.append(fmt("failed: %d; unanswered: %d; search errors: %d; lost while idle: %d",
        r.failed(), r.unanswered(), r.searchErrors(), r.lost()));
    if (r.firstFailure() != null) {
      b.append(" (first: ").append(r.firstFailure()).append(')');
    }
    return b.toString();
  }

  /** The idle-mode summary as one JSON object. */
  public static String json(IdleResult r) {
    BenchSettings s = r.settings();
    StringBuilder b = new StringBuilder(256).append('{');
    field(b, "mode", s.mode().label()).append(',');
    field(b, "url", s.url().toString()).append(',');
    b.append("\"connections\":").append(s.connections()).append(',');
    b.append("\"threads\":").append(s.threads()).append(',');
    field(b, "transport", r.transport()).append(',');
    b.append("\"setUp\":").append(r.setUp()).append(',');
    b.append("\"failed\":").append(r.failed()).append(',');
    b.append("\"unanswered\":").append(r.unanswered()).append(',');
    b.append("\"searchErrors\":").append(r.searchErrors()).append(',');
    b.append("\"lost\":").append(r.lost()).append(',');
    b.append("\"openAtEnd\":").append(r.openAtEnd()).append(',');
    b.append("\"setupSeconds\":").append(fmt("%.3f", r.setupSeconds())).append(',');
    b.append("\"heldSeconds\":").append(fmt("%.3f", r.heldSeconds())).append(',');
    if (r.firstFailure() != null) {
      field(b, "firstFailure", r.firstFailure()).append(',');
    }
    field(b, "stoppedBy", r.stopReason());
    return b.append('}').toString();
  }

  private static StringBuilder latency(StringBuilder b, BenchResult.Latency l) {
    return b.append("\"latencyMicros\":{\"p50\":").append(l.p50()).append(",\"p90\":")
        .append(l.p90()).append(",\"p99\":").append(l.p99()).append(",\"p99_9\":")
        .append(l.p999()).append(",\"max\":").append(l.max()).append(",\"mean\":")
        .append(fmt("%.1f", l.mean())).append('}');
  }

  private static StringBuilder field(StringBuilder b, String name, String value) {
    b.append('"').append(name).append("\":\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(fmt("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"');
  }

  /** A number without a pointless ".0". */
  static String num(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
