package org.ldapbalancer.monitor.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import com.unboundid.util.json.JSONArray;
import com.unboundid.util.json.JSONObject;
import com.unboundid.util.json.JSONString;
import com.unboundid.util.json.JSONValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.SlapdServer;

/**
 * {@code loglevel stats} with {@code logfile}: OpenLDAP's ldapsearch, ldapwhoami (simple bind) and
 * ldapmodify through the packaged balancer in front of a real slapd, and the exact lines each
 * leaves in the access log, in slapd's format and as JSON lines.
 */
@Timeout(180)
final class AccessLogWithOpenLdapToolsIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  /** slapd's line prefix as the text log writes it: time, service name and pid. */
  private static final Pattern TEXT_LINE =
      Pattern.compile(
          "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ldap-balancer\\[\\d+\\]: (.*)$");
  private static final Pattern CONN = Pattern.compile("^conn=(\\d+) ");
  private static final Pattern TIMES = Pattern.compile("qtime=\\d+\\.\\d{6} etime=\\d+\\.\\d{6}");
  private static final Pattern FD = Pattern.compile("fd=-?\\d+");
  private static final Pattern PEER_PORT = Pattern.compile("from IP=127\\.0\\.0\\.1:\\d+ ");

  @TempDir static Path dir;
  private static SlapdServer slapd;

  @BeforeAll
  static void startSlapd() {
    slapd = SlapdServer.builder().users(5).start();
  }

  @AfterAll
  static void stopSlapd() {
    if (slapd != null) {
      slapd.close();
    }
  }

  @Test
  void searchBindAndModifyLeaveSlapdsLines() throws Exception {
    Path logfile = dir.resolve("access.log");
    Path confDir = Files.createDirectories(dir.resolve("text"));
    try (BalancerProcess lb =
        BalancerProcess.builder(confDir)
            .servers(slapd.url())
            .configLines("loglevel stats", "logfile " + logfile)
            .start()) {
      LdapTool tool = LdapTool.at(lb.url());
      String server = "server=" + slapd.url();

      assertThat(tool.search("-b", PEOPLE_DN, "-s", "one", "(&(objectClass=person)(uid=user.*))",
          "uid", "cn").succeeded()).isTrue();
      List<String> search = connectionWith(logfile, "SRCH base=\"" + PEOPLE_DN + "\"");
      assertThat(search).containsExactly(
          "conn=C fd=F ACCEPT from IP=127.0.0.1:P (IP=127.0.0.1:" + lb.port() + ")",
          "conn=C op=0 BIND dn=\"\" method=128",
          "conn=C op=0 RESULT tag=97 err=0 qtime=T etime=T " + server + " text=",
          "conn=C op=1 SRCH base=\"" + PEOPLE_DN + "\" scope=1 deref=0"
              + " filter=\"(&(objectClass=person)(uid=user.*))\"",
          "conn=C op=1 SRCH attr=uid cn",
          "conn=C op=1 SEARCH RESULT tag=101 err=0 qtime=T etime=T nentries=5 " + server + " text=",
          "conn=C op=2 UNBIND",
          "conn=C fd=F closed");

      assertThat(tool.boundAs(userDn(0), USER_PASSWORD).whoami().succeeded()).isTrue();
      List<String> whoami = connectionWith(logfile, "BIND dn=\"" + userDn(0) + "\" method=128");
      assertThat(whoami).containsExactly(
          "conn=C fd=F ACCEPT from IP=127.0.0.1:P (IP=127.0.0.1:" + lb.port() + ")",
          "conn=C op=0 BIND dn=\"" + userDn(0) + "\" method=128",
          "conn=C op=0 BIND dn=\"" + userDn(0) + "\" mech=SIMPLE bind_ssf=0 ssf=0",
          "conn=C op=0 RESULT tag=97 err=0 qtime=T etime=T " + server + " text=",
          "conn=C op=1 EXT oid=1.3.6.1.4.1.4203.1.11.3",
          "conn=C op=1 WHOAMI",
          "conn=C op=1 RESULT tag=120 err=0 qtime=T etime=T " + server + " text=",
          "conn=C op=2 UNBIND",
          "conn=C fd=F closed");

      String ldif = "dn: " + userDn(1) + "\nchangetype: modify\n"
          + "replace: mail\nmail: one@example.com\n-\nreplace: description\ndescription: logged\n";
      assertThat(tool.boundAs(userDn(1), USER_PASSWORD).modify(ldif).succeeded()).isTrue();
      List<String> modify = connectionWith(logfile, "MOD dn=\"" + userDn(1) + "\"");
      assertThat(modify).containsExactly(
          "conn=C fd=F ACCEPT from IP=127.0.0.1:P (IP=127.0.0.1:" + lb.port() + ")",
          "conn=C op=0 BIND dn=\"" + userDn(1) + "\" method=128",
          "conn=C op=0 BIND dn=\"" + userDn(1) + "\" mech=SIMPLE bind_ssf=0 ssf=0",
          "conn=C op=0 RESULT tag=97 err=0 qtime=T etime=T " + server + " text=",
          "conn=C op=1 MOD dn=\"" + userDn(1) + "\"",
          "conn=C op=1 MOD attr=mail description",
          "conn=C op=1 RESULT tag=103 err=0 qtime=T etime=T " + server + " text=",
          "conn=C op=2 UNBIND",
          "conn=C fd=F closed");

      assertThat(tool.boundAs(userDn(2), "wrong").whoami().succeeded()).isFalse();
      List<String> refused = connectionWith(logfile, "BIND dn=\"" + userDn(2) + "\" method=128");
      assertThat(refused).contains(
          "conn=C op=0 RESULT tag=97 err=49 qtime=T etime=T " + server + " text=");
      assertThat(refused).noneMatch(l -> l.contains("mech=SIMPLE"));
    }
  }

  @Test
  void jsonLinesCarryTheSameFields() throws Exception {
    Path logfile = dir.resolve("access.json");
    Path confDir = Files.createDirectories(dir.resolve("json"));
    try (BalancerProcess lb =
        BalancerProcess.builder(confDir)
            .servers(slapd.url())
            .configLines("loglevel stats", "logfile " + logfile, "logformat json")
            .start()) {
      LdapTool tool = LdapTool.at(lb.url());
      String filter = "(|(uid=user.3)(cn=\"quoted\\2a\"))";
      assertThat(tool.search("-b", PEOPLE_DN, filter, "mail").succeeded()).isTrue();

      List<JSONObject> lines = jsonConnectionWith(logfile, "base", PEOPLE_DN);
      assertThat(lines).extracting(o -> o.getFieldAsString("event")).containsExactly(
          "ACCEPT", "BIND", "RESULT", "SRCH", "SRCH", "SEARCH RESULT", "UNBIND", "closed");
      for (JSONObject o : lines) {
        assertThat(o.getFieldAsString("time")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(o.getFieldAsInteger("conn")).isEqualTo(lines.get(0).getFieldAsInteger("conn"));
      }
      assertThat(lines.get(0).getFieldAsString("from")).startsWith("IP=127.0.0.1:");
      assertThat(lines.get(0).getFieldAsString("listener"))
          .isEqualTo("IP=127.0.0.1:" + lb.port());
      JSONObject srch = lines.get(3);
      assertThat(srch.getFieldAsInteger("op")).isEqualTo(1);
      assertThat(srch.getFieldAsString("base")).isEqualTo(PEOPLE_DN);
      assertThat(srch.getFieldAsInteger("scope")).isEqualTo(2);
      assertThat(srch.getFieldAsInteger("deref")).isEqualTo(0);
      assertThat(srch.getFieldAsString("filter"))
          .isEqualTo("(|(uid=user.3)(cn=\\22quoted\\2a\\22))");
      JSONValue attrs = lines.get(4).getField("attr");
      assertThat(attrs).isInstanceOf(JSONArray.class);
      assertThat(((JSONArray) attrs).getValues())
          .extracting(v -> ((JSONString) v).stringValue())
          .containsExactly("mail");
      JSONObject result = lines.get(5);
      assertThat(result.getFieldAsInteger("tag")).isEqualTo(101);
      assertThat(result.getFieldAsInteger("err")).isEqualTo(0);
      assertThat(result.getFieldAsInteger("nentries")).isEqualTo(1);
      assertThat(result.getFieldAsBigDecimal("etime"))
          .isGreaterThanOrEqualTo(result.getFieldAsBigDecimal("qtime"));
      assertThat(result.getFieldAsString("server")).isEqualTo(slapd.url());
      assertThat(result.getFieldAsString("text")).isEmpty();
      assertThat(lines.get(7).hasField("reason")).isFalse();

      String ldif =
          "dn: " + userDn(2) + "\nchangetype: modify\nreplace: mail\nmail: two@example.com\n";
      assertThat(tool.boundAs(userDn(2), USER_PASSWORD).modify(ldif).succeeded()).isTrue();
      List<JSONObject> modify = jsonConnectionWith(logfile, "dn", userDn(2));
      assertThat(modify).extracting(o -> o.getFieldAsString("event")).containsExactly(
          "ACCEPT", "BIND", "BIND", "RESULT", "MOD", "MOD", "RESULT", "UNBIND", "closed");
      assertThat(modify.get(1).getFieldAsInteger("method")).isEqualTo(128);
      assertThat(modify.get(2).getFieldAsString("mech")).isEqualTo("SIMPLE");
      assertThat(modify.get(2).getFieldAsInteger("ssf")).isZero();
      assertThat(modify.get(3).getFieldAsInteger("tag")).isEqualTo(97);
      assertThat(modify.get(4).getFieldAsString("dn")).isEqualTo(userDn(2));
      assertThat(((JSONArray) modify.get(5).getField("attr")).getValues())
          .extracting(v -> ((JSONString) v).stringValue())
          .containsExactly("mail");
      assertThat(modify.get(6).getFieldAsInteger("tag")).isEqualTo(103);
      assertThat(modify.get(6).getFieldAsInteger("err")).isZero();
      assertThat(modify.get(6).getFieldAsString("server")).isEqualTo(slapd.url());
    }
  }

  /**
   * The normalised lines of the one connection whose lines include {@code marker}, once it is
   * closed: {@code conn=C}, {@code fd=F}, the client's port {@code P}, times {@code T}.
   */
  private static List<String> connectionWith(Path logfile, String marker) {
    return await("the access log lines of the connection with " + marker)
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> closedConnectionWith(logfile, marker), l -> l != null);
  }

  private static List<String> closedConnectionWith(Path logfile, String marker)
      throws IOException {
    Map<String, List<String>> byConn = new LinkedHashMap<>();
    for (String raw : readLines(logfile)) {
      Matcher line = TEXT_LINE.matcher(raw);
      assertThat(line.matches()).as("line in slapd's format: %s", raw).isTrue();
      String text = line.group(1);
      Matcher conn = CONN.matcher(text);
      if (conn.find()) {
        byConn.computeIfAbsent(conn.group(1), k -> new ArrayList<>()).add(text);
      }
    }
    for (var entry : byConn.entrySet()) {
      List<String> lines = entry.getValue();
      if (lines.stream().anyMatch(l -> l.contains(marker))
          && lines.get(lines.size() - 1).contains(" closed")) {
        List<String> normalised = new ArrayList<>();
        for (String l : lines) {
          String n = l.replace("conn=" + entry.getKey() + " ", "conn=C ");
          n = TIMES.matcher(n).replaceAll("qtime=T etime=T");
          n = FD.matcher(n).replaceAll("fd=F");
          n = PEER_PORT.matcher(n).replaceAll("from IP=127.0.0.1:P ");
          normalised.add(n);
        }
        return normalised;
      }
    }
    return null;
  }

  /** The lines of the closed connection with a line whose {@code field} is {@code marker}. */
  private static List<JSONObject> jsonConnectionWith(Path logfile, String field, String marker) {
    return await("the JSON lines of the connection with " + field + " " + marker)
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> closedJsonConnectionWith(logfile, field, marker), l -> l != null);
  }

  private static List<JSONObject> closedJsonConnectionWith(
      Path logfile, String field, String marker) throws Exception {
    Map<Integer, List<JSONObject>> byConn = new LinkedHashMap<>();
    for (String raw : readLines(logfile)) {
      JSONObject o = new JSONObject(raw); // every line one JSON object, or the test fails here
      byConn.computeIfAbsent(o.getFieldAsInteger("conn"), k -> new ArrayList<>()).add(o);
    }
    for (List<JSONObject> lines : byConn.values()) {
      if (lines.stream().anyMatch(o -> marker.equals(o.getFieldAsString(field)))
          && "closed".equals(lines.get(lines.size() - 1).getFieldAsString("event"))) {
        return lines;
      }
    }
    return null;
  }

  /** Whole lines only: the writer may be half way through the last one. */
  private static List<String> readLines(Path logfile) throws IOException {
    if (!Files.exists(logfile)) {
      return List.of();
    }
    String text = Files.readString(logfile, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
  }
}
