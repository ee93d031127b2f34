package org.ldapbalancer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.util.json.JSONObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BenchReportTest {
  private static BenchResult result(Map<Integer, Long> errors, long connectionErrors,
      String firstConnectionError) {
    BenchSettings s = BenchSettings.builder().mode("mixed").url("ldap://127.0.0.1:1389").build();
    BenchResult.Latency l = new BenchResult.Latency(100, 200, 300, 400, 500, 123.4);
    Map<OpKind, BenchResult.KindResult> byKind = new EnumMap<>(OpKind.class);
    byKind.put(OpKind.SEARCH, new BenchResult.KindResult(800, 0, l));
    byKind.put(OpKind.BIND, new BenchResult.KindResult(100, 7, l));
    byKind.put(OpKind.MODIFY, new BenchResult.KindResult(100, 0, l));
    return new BenchResult(s, "epoll", 8, 2.0, 1000, l, byKind, errors, connectionErrors,
        firstConnectionError, 3, "duration",
        new BenchResult.Answers(1010, 1005, Map.of(0, 998L, 49, 7L), 2, 3, 1, 1, 5, 0.25), null);
  }

  @Test
  void jsonIsOneParsableObject() throws Exception {
    Map<Integer, Long> errors = new TreeMap<>(Map.of(49, 7L));
    JSONObject json = new JSONObject(BenchReport.json(result(errors, 1, "reset \"by\" peer\n")));
    assertThat(json.getFieldAsString("mode")).isEqualTo("mixed");
    assertThat(json.getFieldAsString("mix")).isEqualTo("80:10:10");
    assertThat(json.getFieldAsBigDecimal("operations").longValue()).isEqualTo(1000);
    assertThat(json.getFieldAsBigDecimal("opsPerSecond").doubleValue()).isEqualTo(500.0);
    assertThat(json.getFieldAsObject("latencyMicros").getFieldAsBigDecimal("p99_9").longValue())
        .isEqualTo(400);
    JSONObject e = json.getFieldAsObject("errors");
    assertThat(e.getFieldAsBigDecimal("total").longValue()).isEqualTo(8);
    assertThat(e.getFieldAsObject("byResultCode").getFieldAsBigDecimal("49").longValue())
        .isEqualTo(7);
    assertThat(e.getFieldAsString("firstConnectionError")).isEqualTo("reset \"by\" peer\n");
    assertThat(json.getFieldAsObject("byKind").getFieldAsObject("bind")
        .getFieldAsBigDecimal("errors").longValue()).isEqualTo(7);
    JSONObject a = json.getFieldAsObject("answers");
    assertThat(a.getFieldAsBigDecimal("sent").longValue()).isEqualTo(1010);
    assertThat(a.getFieldAsBigDecimal("answered").longValue()).isEqualTo(1005);
    assertThat(a.getFieldAsObject("byResultCode").getFieldAsBigDecimal("0").longValue())
        .isEqualTo(998);
    assertThat(a.getFieldAsBigDecimal("lostWithConnection").longValue()).isEqualTo(2);
    assertThat(a.getFieldAsBigDecimal("unanswered").longValue()).isEqualTo(3);
    assertThat(a.getFieldAsBigDecimal("unexpected").longValue()).isEqualTo(1);
    assertThat(a.getFieldAsBigDecimal("noticesOfDisconnection").longValue()).isEqualTo(1);
    assertThat(a.getFieldAsBigDecimal("drainSeconds").longValue()).isEqualTo(5);
  }

  @Test
  void textNamesResultCodes() {
    String text = BenchReport.text(result(new TreeMap<>(Map.of(49, 7L, 32, 1L)), 0, null));
    assertThat(text).contains("1000 operations in 2.00 s = 500 ops/s",
        "p50 100  p90 200  p99 300  p99.9 400  max 500",
        "noSuchObject (32): 1; invalidCredentials (49): 7;", "unfinished: 3",
        "answers: 1010 sent, 1005 answered (success (0): 998, invalidCredentials (49): 7), 2 lost"
            + " with their connection, 3 unanswered after a drain of 0.25 s, 1 unexpected;"
            + " notices of disconnection: 1");
    assertThat(BenchReport.text(result(Map.of(), 0, null))).contains("errors: none");
  }
}
