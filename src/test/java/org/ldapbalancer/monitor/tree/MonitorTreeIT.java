package org.ldapbalancer.monitor.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * cn=Monitor as OpenLDAP's {@code ldapsearch} sees it through the balancer, with two real slapd
 * servers behind it: lloadd's tree entry by entry, counters that follow known traffic, and
 * nothing at all for identities not allowed to read it.
 */
@Timeout(180)
final class MonitorTreeIT {
  private static final String BALANCER = "cn=Load Balancer,cn=Backends,cn=Monitor";
  private static final String OTHER = "cn=Other,cn=Operations," + BALANCER;

  /** lloadd's tree (tests/data/lloadd/monitor.ldif) without the per-connection entries. */
  private static final List<List<String>> EXPECTED =
      List.of(
          List.of("cn=Monitor", "monitorServer"),
          List.of("cn=Backends,cn=Monitor", "monitorContainer"),
          List.of(BALANCER, "olmBalancer", "olmIncomingConnections", "olmOutgoingConnections"),
          List.of("cn=Incoming Connections," + BALANCER, "monitorContainer"),
          List.of("cn=Operations," + BALANCER, "monitorContainer"),
          operation("cn=Bind,cn=Operations," + BALANCER),
          operation(OTHER),
          List.of("cn=Backend Tiers," + BALANCER, "monitorContainer"),
          List.of("cn=tier 1,cn=Backend Tiers," + BALANCER, "monitorContainer"),
          server("cn=server 1,cn=tier 1,cn=Backend Tiers," + BALANCER),
          server("cn=server 2,cn=tier 1,cn=Backend Tiers," + BALANCER));

  private static List<String> operation(String dn) {
    return List.of(dn, "olmBalancerOperation", "olmReceivedOps", "olmForwardedOps",
        "olmRejectedOps", "olmCompletedOps", "olmFailedOps");
  }

  private static List<String> server(String dn) {
    return List.of(dn, "olmBalancerServer", "olmServerURI", "olmActiveConnections",
        "olmPendingConnections", "olmPendingOps", "olmReceivedOps", "olmCompletedOps",
        "olmFailedOps");
  }

  @Test
  void theTreeHasLloaddsNamesAndCountersFollowTraffic() throws Exception {
    try (SlapdServer one = SlapdServer.builder().users(3).start();
        SlapdServer two = SlapdServer.builder().users(3).start();
        RunningBalancer lb =
            RunningBalancer.builder()
                .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
                .server(one.url(), 2, 1)
                .server(two.url(), 2, 1)
                .monitorAccess(DirectoryData.userDn(2))
                .start()) {
      lb.awaitReady(one.url(), two.url());
      LdapTool admin =
          LdapTool.at(lb.url()).boundAs(DirectoryData.BALANCER_DN, DirectoryData.BALANCER_PASSWORD);

      List<Map<String, List<String>>> tree =
          entries(admin, "-b", "cn=Monitor", "(!(objectClass=olmBalancerConnection))");
      assertThat(tree).hasSameSizeAs(EXPECTED);
      for (int i = 0; i < EXPECTED.size(); i++) {
        List<String> expected = EXPECTED.get(i);
        Map<String, List<String>> entry = tree.get(i);
        assertThat(entry.get("dn")).as("entry %d", i).containsExactly(expected.get(0));
        assertThat(entry.get("objectClass")).as(expected.get(0)).containsExactly(expected.get(1));
        assertThat(entry.keySet())
            .as(expected.get(0))
            .containsAll(expected.subList(2, expected.size()));
      }
      assertThat(tree.get(9).get("olmServerURI")).containsExactly(one.url());
      assertThat(tree.get(10).get("olmServerURI")).containsExactly(two.url());

      List<Map<String, List<String>>> connections =
          entries(admin, "-b", "cn=Backend Tiers," + BALANCER, "(objectClass=olmBalancerConnection)");
      long outgoing = Long.parseLong(tree.get(2).get("olmOutgoingConnections").get(0));
      assertThat(connections).hasSize((int) outgoing).isNotEmpty();
      for (Map<String, List<String>> c : connections) {
        assertThat(c.get("dn").get(0)).matches("cn=Connection \\d+,cn=server [12],cn=tier 1,.*");
        assertThat(c.get("olmConnectionType")).containsAnyOf("regular", "bind");
        assertThat(c.get("olmConnectionState")).containsExactly("ready");
      }

      // lloadd's test004-monitor asks for the classes' attributes; its monitor.ldif shape
      List<Map<String, List<String>>> asLloadd =
          entries(admin, "-b", "cn=Load Balancer,cn=Backends,cn=monitor", "(objectClass=*)",
              "olmBalancer", "olmBalancerServer", "olmBalancerOperation", "olmBalancerConnection");
      assertThat(asLloadd.get(0).keySet())
          .containsExactly("dn", "objectClass", "olmIncomingConnections", "olmOutgoingConnections");
      assertThat(asLloadd.get(1).keySet()).containsExactly("dn", "objectClass");
      Map<String, List<String>> bind =
          asLloadd.stream()
              .filter(e -> e.get("dn").equals(List.of("cn=Bind,cn=Operations," + BALANCER)))
              .findFirst()
              .orElseThrow();
      assertThat(bind.keySet())
          .containsExactly("dn", "objectClass", "olmReceivedOps", "olmForwardedOps",
              "olmRejectedOps", "olmCompletedOps", "olmFailedOps");

      // ldapcompare, as lloadd's own tests wait on a counter
      LdapTool.Result same = admin.compare(BALANCER, "olmOutgoingConnections:" + outgoing);
      assertThat(same.exitCode()).as("%s", same).isEqualTo(6);
      LdapTool.Result differs = admin.compare(BALANCER, "olmOutgoingConnections:" + (outgoing + 1));
      assertThat(differs.exitCode()).as("%s", differs).isEqualTo(5);
      LdapTool.Result hidden =
          LdapTool.at(lb.url()).compare(BALANCER, "olmOutgoingConnections:" + outgoing);
      assertThat(hidden.exitCode()).as("%s", hidden).isEqualTo(32);

      Map<String, List<String>> before = entries(admin, "-b", OTHER, "-s", "base").get(0);
      int searches = 5;
      for (int i = 0; i < searches; i++) {
        LdapTool.Result r =
            LdapTool.at(lb.url()).search("-b", DirectoryData.userDn(1), "-s", "base", "uid");
        assertThat(r.succeeded()).as("%s", r).isTrue();
      }
      Map<String, List<String>> after = entries(admin, "-b", OTHER, "-s", "base").get(0);
      // The second monitor search is received before its snapshot, the first one completed
      // after its own: each adds one to what the five forwarded searches did.
      assertThat(delta(before, after, "olmReceivedOps")).isEqualTo(searches + 1);
      assertThat(delta(before, after, "olmCompletedOps")).isEqualTo(searches + 1);
      assertThat(delta(before, after, "olmForwardedOps")).isEqualTo(searches);
      assertThat(delta(before, after, "olmFailedOps")).isZero();

      // Equality on a counter, AND, presence and one-level scope.
      List<Map<String, List<String>>> ops =
          entries(admin, "-b", "cn=Operations," + BALANCER, "-s", "one",
              "(&(olmRejectedOps=*)(|(cn=Bind)(cn=other)))", "olmRejectedOps");
      assertThat(ops).hasSize(2);
      assertThat(ops.get(0).keySet()).containsExactly("dn", "olmRejectedOps");

      LdapTool.Result missing = admin.search("-b", "cn=Nothing," + BALANCER, "-s", "base");
      assertThat(missing.exitCode()).as("%s", missing).isEqualTo(32);

      // monitor-access names user.2; user.1 and anonymous clients see nothing.
      LdapTool reader =
          LdapTool.at(lb.url()).boundAs(DirectoryData.userDn(2), DirectoryData.USER_PASSWORD);
      assertThat(entries(reader, "-b", BALANCER, "-s", "base")).hasSize(1);
      LdapTool.Result user =
          LdapTool.at(lb.url())
              .boundAs(DirectoryData.userDn(1), DirectoryData.USER_PASSWORD)
              .search("-LLL", "-b", "cn=Monitor");
      assertThat(user.exitCode()).as("%s", user).isEqualTo(32);
      assertThat(user.stdout()).doesNotContain("dn:");
      LdapTool.Result anonymous = LdapTool.at(lb.url()).search("-LLL", "-b", BALANCER);
      assertThat(anonymous.exitCode()).as("%s", anonymous).isEqualTo(32);
      assertThat(anonymous.stdout()).doesNotContain("dn:");
    }
  }

  private static long delta(
      Map<String, List<String>> before, Map<String, List<String>> after, String attribute) {
    return Long.parseLong(after.get(attribute).get(0))
        - Long.parseLong(before.get(attribute).get(0));
  }

  /** Runs ldapsearch and reads its LDIF: one map per entry, "dn" first, in the order sent. */
  private static List<Map<String, List<String>>> entries(LdapTool tool, String... args) {
    List<String> all = new ArrayList<>(List.of("-LLL", "-o", "ldif-wrap=no"));
    all.addAll(List.of(args));
    LdapTool.Result result = tool.search(all.toArray(String[]::new));
    assertThat(result.succeeded()).as("%s", result).isTrue();
    List<Map<String, List<String>>> out = new ArrayList<>();
    Map<String, List<String>> entry = null;
    for (String line : result.stdout().split("\n")) {
      if (line.isBlank()) {
        entry = null;
        continue;
      }
      int colon = line.indexOf(": ");
      assertThat(colon).as(line).isPositive();
      if (entry == null) {
        entry = new LinkedHashMap<>();
        out.add(entry);
      }
      entry.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>())
          .add(line.substring(colon + 2));
    }
    return out;
  }
}
