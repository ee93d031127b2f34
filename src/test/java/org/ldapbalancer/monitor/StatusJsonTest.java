package org.ldapbalancer.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.monitor.Samples.loop;
import static org.ldapbalancer.monitor.Samples.server;

import com.unboundid.util.json.JSONValue;
import com.unboundid.util.json.JSONObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.ProtocolOp;

class StatusJsonTest {

  @Test
  void serversAreGroupedByTierWithTheirStateAndCounts() throws Exception {
    OperationCounters ops = new OperationCounters();
    ops.received(ProtocolOp.SEARCH_REQUEST);
    ops.completed(ProtocolOp.SEARCH_REQUEST, 0);
    ServerCounters counters = new ServerCounters();
    counters.answered(2_000_000);
    MonitorSnapshot s = MonitorSnapshot.merge(10, 20, List.of(loop(ops,
        server("ldap://a:389", 0, counters),
        server("ldap://b:389", 0, ServerState.UP, 5, null, 1),
        server("ldap://c:389", 1, ServerState.DOWN, 7, "refused", 0))));

    JSONObject doc = new JSONObject(StatusJson.of(s, "1.2.3"));

    assertThat(doc.getFieldAsString("version")).isEqualTo("1.2.3");
    assertThat(doc.getFieldAsLong("takenAt")).isEqualTo(20);
    JSONObject search = doc.getFieldAsObject("operations").getFieldAsObject("search");
    assertThat(search.getFieldAsLong("received")).isEqualTo(1);
    assertThat(search.getFieldAsLong("completed")).isEqualTo(1);
    List<JSONValue> tiers = doc.getFieldAsArray("tiers");
    assertThat(tiers.size()).isEqualTo(2);
    List<JSONValue> first = ((JSONObject) tiers.get(0)).getFieldAsArray("servers");
    List<JSONValue> second = ((JSONObject) tiers.get(1)).getFieldAsArray("servers");
    assertThat(first.size()).isEqualTo(2);
    assertThat(second.size()).isEqualTo(1);
    JSONObject c = (JSONObject) second.get(0);
    assertThat(c.getFieldAsString("uri")).isEqualTo("ldap://c:389");
    assertThat(c.getFieldAsString("state")).isEqualTo("down");
    assertThat(c.getFieldAsString("lastError")).isEqualTo("refused");
    assertThat(c.getFieldAsLong("since")).isEqualTo(7);
    JSONObject a = (JSONObject) first.get(0);
    JSONObject latency = a.getFieldAsObject("latency");
    assertThat(latency.getFieldAsLong("count")).isEqualTo(1);
    assertThat(latency.getFieldAsArray("buckets").size()).isEqualTo(LatencyHistogram.BUCKETS);
    assertThat(doc.getFieldAsArray("latencyBounds").size()).isEqualTo(LatencyHistogram.BUCKETS - 1);
    assertThat(a.getFieldAsObject("connections").getFieldAsObject("regular")
        .getFieldAsLong("configured")).isEqualTo(2);
  }

  @Test
  void textFromOutsideIsEscapedAndReadsBackUnchanged() throws Exception {
    String hostile = "\"</script><img src=x onerror=alert(1)>\\ & \n\t\u0001\u2028";
    MonitorSnapshot s = MonitorSnapshot.merge(0, 0, List.of(loop(new OperationCounters(),
        server("ldap://a:389", 0, ServerState.DOWN, 0, hostile, 0))));

    String json = StatusJson.of(s, "v");

    assertThat(json).doesNotContain("<", ">", "&", "\n", "\u2028");
    JSONObject doc = new JSONObject(json);
    JSONObject server = (JSONObject) ((JSONObject) doc.getFieldAsArray("tiers").get(0))
        .getFieldAsArray("servers").get(0);
    assertThat(server.getFieldAsString("lastError")).isEqualTo(hostile);
  }
}
