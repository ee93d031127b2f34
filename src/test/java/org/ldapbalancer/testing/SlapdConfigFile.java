package org.ldapbalancer.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Renders the old-style {@code slapd.conf} of one {@link SlapdServer} instance. */
final class SlapdConfigFile {

  /** Debian's layout; the fixture targets Debian's slapd package. */
  private static final String SCHEMA_DIR = "/etc/ldap/schema";

  private static final String MODULE_DIR = "/usr/lib/ldap";

  private SlapdConfigFile() {}

  static String render(Path instanceDir, Path dataDir) {
    return render(instanceDir, dataDir, null, false);
  }

  /**
   * @param tls the server's certificate, key and the CA for client certificates, or null for no
   *     TLS
   * @param requireTls {@code security tls=1}: every operation but StartTLS needs TLS first
   */
  static String render(Path instanceDir, Path dataDir, SlapdServer.Tls tls, boolean requireTls) {
    return render(instanceDir, dataDir, tls, requireTls, List.of(), "");
  }

  /**
   * @param overlays overlays on the database, each loaded as a module of that name (syncprov for
   *     syncrepl, sssvlv for server-side sorting and VLV)
   * @param globalLines more lines for the global section (SASL mapping, limits), or ""
   */
  static String render(
      Path instanceDir,
      Path dataDir,
      SlapdServer.Tls tls,
      boolean requireTls,
      List<String> overlays,
      String globalLines) {
    String admin = quoted(DirectoryData.ADMIN_DN);
    String tlsLines =
        tls == null
            ? ""
            : String.join(
                "\n",
                "TLSCACertificateFile " + tls.ca(),
                "TLSCertificateFile " + tls.certificate(),
                "TLSCertificateKeyFile " + tls.key(),
                "TLSVerifyClient try",
                requireTls ? "security tls=1" : "",
                "");
    return String.join(
        "\n",
        "include " + SCHEMA_DIR + "/core.schema",
        "include " + SCHEMA_DIR + "/cosine.schema",
        "include " + SCHEMA_DIR + "/inetorgperson.schema",
        "include " + SCHEMA_DIR + "/nis.schema",
        "pidfile " + instanceDir.resolve("slapd.pid"),
        "argsfile " + instanceDir.resolve("slapd.args"),
        "modulepath " + MODULE_DIR,
        "moduleload back_mdb",
        overlays.stream().map(o -> "moduleload " + o).collect(Collectors.joining("\n")),
        // The bound identity's authzTo decides whom it may act as (RFC 4370 proxied authz).
        "authz-policy to",
        // Test machines run no syslog daemon: at slapd's default level (stats) every log line
        // would cost a socket, a failed connect and a close, more per operation behind a balancer
        // that asserts identities (slapd logs each PROXYAUTHZ) than behind a TCP proxy.
        "loglevel none",
        // Tests that page through many users should not trip over the default of 500.
        "sizelimit unlimited",
        tlsLines,
        globalLines,
        "database mdb",
        // mdb maps the whole maxsize; keep it small so many instances fit on a CI machine.
        "maxsize 268435456",
        "suffix " + quoted(DirectoryData.SUFFIX),
        "rootdn " + admin,
        "rootpw " + DirectoryData.ADMIN_PASSWORD,
        "directory " + dataDir,
        "index objectClass,uid eq",
        overlays.stream().map(o -> "overlay " + o).collect(Collectors.joining("\n")),
        "",
        // The rootdn (admin) bypasses every ACL below, so it manages everything without a
        // clause of its own; naming it here would only make slapd warn.
        "access to attrs=userPassword",
        "  by self write",
        "  by * auth",
        // Lets tests see that an operation really ran as the proxied user: another user's
        // telephoneNumber comes back empty, the user's own does not.
        "access to attrs=telephoneNumber",
        "  by self write",
        "  by * none",
        "access to *",
        "  by self write",
        "  by users read",
        "  by anonymous read",
        "");
  }

  private static String quoted(String value) {
    return '"' + value + '"';
  }
}
