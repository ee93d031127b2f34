package org.ldapbalancer.monitor.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.AddRequest;
import com.unboundid.ldap.sdk.CompareRequest;
import com.unboundid.ldap.sdk.DeleteRequest;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ModifyDNRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.LogLevel;
import org.ldapbalancer.config.LogSettings;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/**
 * The access log of an in-process balancer in front of UnboundID's in-memory server, with {@code
 * loglevel stats stats2}: the result tags of every update type, entries listed, results the
 * balancer makes itself (StartTLS without a certificate, no server available) and a client that
 * leaves without unbinding.
 */
@Timeout(120)
final class AccessLogOfEveryOutcomeIT {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final Pattern LINE = Pattern.compile("^\\S+ \\S+\\[\\d+\\]: (.*)$");

  @TempDir Path dir;
  private InMemoryDirectoryServer upstream;
  private RunningBalancer lb;
  private Path logfile;
  private String server;

  @BeforeEach
  void start() throws Exception {
    upstream = SampleDirectory.start("a", 3, 0);
    server = "ldap://127.0.0.1:" + upstream.getListenPort();
    logfile = dir.resolve("access.log");
    lb = RunningBalancer.builder()
        .server(server, 1, 1)
        .logging(new LogSettings(LogLevel.STATS | LogLevel.STATS2, Optional.of(logfile),
            LogSettings.Format.SLAPD))
        .start()
        .awaitReady(server);
  }

  @AfterEach
  void stop() {
    lb.close();
    upstream.shutDown(true);
  }

  /** The lines of connection {@code conn}, without prefix, times as T, once it closed. */
  private List<String> linesOf(String conn) {
    return await("connection " + conn + " closed in the access log")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> {
          List<String> lines = Files.readAllLines(logfile, StandardCharsets.UTF_8).stream()
              .map(l -> {
                Matcher m = LINE.matcher(l);
                return m.matches() ? m.group(1) : "UNPARSED " + l;
              })
              .filter(l -> l.startsWith(conn + " "))
              .map(l -> l.replaceAll("qtime=\\d+\\.\\d{6} etime=\\d+\\.\\d{6}", "qtime=T etime=T"))
              .map(l -> l.replaceAll("fd=-?\\d+", "fd=F"))
              .toList();
          return !lines.isEmpty() && lines.get(lines.size() - 1).contains(" closed") ? lines : null;
        }, l -> l != null);
  }

  /** The connection number of the latest ACCEPT line. */
  private String lastConnection() throws Exception {
    return await().atMost(DEADLINE).until(() -> {
      List<String> accepts = Files.readAllLines(logfile).stream()
          .filter(l -> l.contains(" ACCEPT from ")).toList();
      if (accepts.isEmpty()) {
        return null;
      }
      Matcher m = Pattern.compile(": (conn=\\d+) ").matcher(accepts.get(accepts.size() - 1));
      return m.find() ? m.group(1) : null;
    }, c -> c != null);
  }

  @Test
  void updatesAndComparesHaveTheirResultTagsAndEntriesAreListed() throws Exception {
    String dn = "uid=new," + SampleDirectory.PEOPLE_DN;
    String conn;
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      conn = lastConnection();
      c.add(new AddRequest("dn: " + dn, "objectClass: person", "cn: New", "sn: N"));
      c.compare(new CompareRequest(dn, "sn", "N"));
      c.modifyDN(new ModifyDNRequest(dn, "uid=renamed", true));
      c.delete(new DeleteRequest("uid=renamed," + SampleDirectory.PEOPLE_DN));
      c.search(SampleDirectory.userDn(1), SearchScope.BASE, "(objectClass=*)", "cn");
    }
    String s = " server=" + server + " ";
    assertThat(linesOf(conn)).containsExactly(
        conn + " fd=F ACCEPT from IP=127.0.0.1:" + clientPortIn(conn)
            + " (IP=127.0.0.1:" + lb.port() + ")",
        conn + " op=0 ADD dn=\"" + dn + "\"",
        conn + " op=0 RESULT tag=105 err=0 qtime=T etime=T" + s + "text=",
        conn + " op=1 CMP dn=\"" + dn + "\" attr=\"sn\"",
        conn + " op=1 RESULT tag=111 err=6 qtime=T etime=T" + s + "text=",
        conn + " op=2 MODRDN dn=\"" + dn + "\"",
        conn + " op=2 RESULT tag=109 err=0 qtime=T etime=T" + s + "text=",
        conn + " op=3 DEL dn=\"uid=renamed," + SampleDirectory.PEOPLE_DN + "\"",
        conn + " op=3 RESULT tag=107 err=0 qtime=T etime=T" + s + "text=",
        conn + " op=4 SRCH base=\"" + SampleDirectory.userDn(1) + "\" scope=0 deref=0"
            + " filter=\"(objectClass=*)\"",
        conn + " op=4 SRCH attr=cn",
        conn + " op=4 ENTRY dn=\"" + SampleDirectory.userDn(1) + "\"",
        conn + " op=4 SEARCH RESULT tag=101 err=0 qtime=T etime=T nentries=1" + s + "text=",
        conn + " op=5 UNBIND",
        conn + " fd=F closed");
  }

  @Test
  void aStartTlsTheBalancerRefusesAndAClientThatJustLeaves() throws Exception {
    String conn;
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      conn = lastConnection();
      LDAPException refused = catchThrowableOfType(LDAPException.class,
          () -> c.processExtendedOperation(new StartTLSExtendedRequest()));
      assertThat(refused.getResultCode()).isEqualTo(ResultCode.UNAVAILABLE);
    }
    assertThat(linesOf(conn)).contains(
        conn + " op=0 EXT oid=1.3.6.1.4.1.1466.20037",
        conn + " op=0 STARTTLS",
        conn + " op=0 RESULT tag=120 err=52 qtime=T etime=T text=Could not initialize TLS");

    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port())) {
      String silent = lastConnectionAfter(conn);
      s.close();
      assertThat(linesOf(silent)).containsExactly(
          silent + " fd=F ACCEPT from IP=127.0.0.1:" + s.getLocalPort()
              + " (IP=127.0.0.1:" + lb.port() + ")",
          silent + " fd=F closed (connection lost)");
    }
  }

  @Test
  void anOperationWithNoServerLeftIsAnsweredByTheBalancerWithoutAServerName() throws Exception {
    upstream.shutDown(true);
    String conn;
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      conn = lastConnection();
      // Until the balancer sees the server gone an operation may fail otherwise (80).
      await("a delete answered unavailable").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
          .until(() -> delete(c) == ResultCode.UNAVAILABLE);
    }
    assertThat(linesOf(conn))
        .contains(conn + " op=0 DEL dn=\"cn=x," + SampleDirectory.BASE_DN + "\"")
        .anyMatch(l -> l.matches(conn + " op=\\d+ RESULT tag=107 err=52 qtime=T etime=T text=.+"));
  }

  @Test
  void anLdapsConnectionSaysWhichTlsItGot() throws Exception {
    TestCertificates certs = TestCertificates.get();
    Path tlsLog = dir.resolve("tls.log");
    try (RunningBalancer tlsLb = RunningBalancer.builder()
        .server(server, 1, 1)
        .listenerTls(TlsSettingsForTests.listener(certs.serverCert(), certs.serverKey(),
            certs.caCert(), CertificateCheck.TRY))
        .listen("ldaps://127.0.0.1:0")
        .logging(new LogSettings(LogLevel.STATS, Optional.of(tlsLog), LogSettings.Format.SLAPD))
        .start()
        .awaitReady(server)) {
      SSLSocketFactory sockets = new SSLUtil(new TrustAllTrustManager()).createSSLSocketFactory();
      try (LDAPConnection c = new LDAPConnection(sockets, "127.0.0.1", tlsLb.port())) {
        c.search(SampleDirectory.userDn(0), SearchScope.BASE, "(objectClass=*)");
      }
      String established = await("the TLS line").atMost(DEADLINE)
          .until(() -> Files.readAllLines(tlsLog).stream()
              .filter(l -> l.contains(" TLS established ")).findFirst().orElse(null),
              l -> l != null);
      assertThat(established).matches(".*: conn=\\d+ fd=-?\\d+ TLS established tls_ssf=(128|256)"
          + " ssf=(128|256) tls_proto=TLSv1\\.[23] tls_cipher=\\S+$");
    }
  }

  private static ResultCode delete(LDAPConnection c) {
    try {
      return c.delete("cn=x," + SampleDirectory.BASE_DN).getResultCode();
    } catch (LDAPException e) {
      return e.getResultCode();
    }
  }

  private String lastConnectionAfter(String previous) throws Exception {
    return await().atMost(DEADLINE).until(this::lastConnection, c -> !c.equals(previous));
  }

  private String clientPortIn(String conn) throws Exception {
    Matcher m = Pattern.compile(conn + " fd=-?\\d+ ACCEPT from IP=127\\.0\\.0\\.1:(\\d+) ")
        .matcher(Files.readString(logfile));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }
}
