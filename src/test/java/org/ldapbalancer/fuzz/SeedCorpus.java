package org.ldapbalancer.fuzz;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.AddRequestProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.CompareRequestProtocolOp;
import com.unboundid.ldap.protocol.DeleteRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyDNRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.protocol.SearchResultEntryProtocolOp;
import com.unboundid.ldap.protocol.UnbindRequestProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ldapbalancer.protocol.Oids;

/**
 * The hand-made seed inputs of the fuzz targets, in code so that each says what it is. They are
 * written once into the targets' inputs directories under {@code src/test/resources} (see {@link
 * #main}), where Jazzer reads them: in every build as regression inputs, and as the starting corpus
 * when fuzzing. {@link FuzzSeedCorpusTest} keeps the files and this class in step.
 *
 * <p>PDU names say what the seed is meant to exercise: {@code valid-} an LDAPMessage UnboundID
 * reads; {@code edge-} one the message view accepts although it is unusual; {@code malformed-} one
 * the message view rejects; {@code bad-bind-}, {@code bad-abandon-}, {@code bad-extended-} and
 * {@code bad-control-} a well-framed message that the named reader rejects.
 */
final class SeedCorpus {
  private static final HexFormat HEX = HexFormat.of();
  private static final String DN = "uid=jo,ou=people,dc=example,dc=com";

  private SeedCorpus() {}

  /** Writes every seed below {@code args[0]}, the test resources directory. */
  public static void main(String[] args) throws IOException {
    Path base = Path.of(args.length > 0 ? args[0] : "src/test/resources").resolve(packagePath());
    write(base.resolve("LdapMessageFuzzTestInputs"), pdus());
    write(base.resolve("FrameDecoderFuzzTestInputs"), decoderStreams());
    write(base.resolve("MessageRewriterFuzzTestInputs"), rewriterInputs());
    write(base.resolve("ConfigParserFuzzTestInputs"), configurations());
  }

  static String packagePath() {
    return SeedCorpus.class.getPackageName().replace('.', '/');
  }

  private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
      Files.write(dir.resolve(seed.getKey()), seed.getValue());
    }
  }

  /** One LDAPMessage each: the inputs of {@link LdapMessageFuzzTest}'s targets. */
  static Map<String, byte[]> pdus() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    Control proxied =
        new Control(Oids.PROXIED_AUTHORIZATION, true, new ASN1OctetString("dn:" + DN));
    Control paged = new SimplePagedResultsControl(100, null, false);
    Control unknown = new Control("1.3.6.1.4.1.99999.1", false);

    seeds.put("valid-bind-simple", message(1, new BindRequestProtocolOp(DN, "secret")));
    seeds.put("valid-bind-anonymous", message(1, new BindRequestProtocolOp("", "")));
    seeds.put("valid-bind-unauthenticated", message(1, new BindRequestProtocolOp(DN, "")));
    seeds.put(
        "valid-bind-sasl-external", message(1, new BindRequestProtocolOp("", "EXTERNAL", null)));
    seeds.put(
        "valid-bind-sasl-credentials",
        message(
            2,
            new BindRequestProtocolOp("", "DIGEST-MD5", new ASN1OctetString("username=\"jo\""))));
    seeds.put("valid-search", message(2, search("(objectClass=person)")));
    seeds.put("valid-search-paged", message(3, search("(uid=j*)"), paged));
    seeds.put("valid-search-proxied", message(4, search("(uid=jo)"), unknown, proxied));
    seeds.put("valid-search-proxied-first", message(4, search("(uid=jo)"), proxied, paged));
    seeds.put(
        "valid-search-large",
        message(5, search("(description=" + "x".repeat(1500) + ")"), paged, unknown));
    seeds.put(
        "valid-search-result-entry",
        message(
            6,
            new SearchResultEntryProtocolOp(
                DN, List.of(new Attribute("cn", "Jo"), new Attribute("mail", "jo@example.com")))));
    seeds.put(
        "valid-search-result-done", message(6, new SearchResultDoneProtocolOp(0, "", "", null)));
    seeds.put(
        "valid-modify",
        message(
            7,
            new ModifyRequestProtocolOp(
                DN, List.of(new Modification(ModificationType.REPLACE, "mail", "j@example.com")))));
    seeds.put(
        "valid-add",
        message(
            8,
            new AddRequestProtocolOp(
                DN, List.of(new Attribute("objectClass", "person"), new Attribute("cn", "Jo")))));
    seeds.put("valid-delete", message(9, new DeleteRequestProtocolOp(DN)));
    seeds.put(
        "valid-modify-dn",
        message(10, new ModifyDNRequestProtocolOp(DN, "uid=joe", true, "ou=staff,dc=example")));
    seeds.put(
        "valid-compare",
        message(11, new CompareRequestProtocolOp(DN, "cn", new ASN1OctetString("Jo"))));
    seeds.put("valid-abandon", message(12, new AbandonRequestProtocolOp(11)));
    seeds.put("valid-abandon-largest-id", message(12, new AbandonRequestProtocolOp(0x7fffffff)));
    seeds.put("valid-abandon-id-128", message(12, new AbandonRequestProtocolOp(128)));
    seeds.put("valid-unbind", message(13, new UnbindRequestProtocolOp()));
    seeds.put("valid-start-tls", message(1, new ExtendedRequestProtocolOp(Oids.START_TLS, null)));
    seeds.put("valid-who-am-i", message(14, new ExtendedRequestProtocolOp(Oids.WHO_AM_I, null)));
    seeds.put(
        "valid-extended-with-value",
        message(
            15,
            new ExtendedRequestProtocolOp("1.3.6.1.4.1.4203.1.11.1", new ASN1OctetString("pw"))));
    seeds.put(
        "valid-notice-of-disconnection",
        message(
            0,
            new ExtendedResponseProtocolOp(
                52, null, "bye", null, Oids.NOTICE_OF_DISCONNECTION, null)));
    seeds.put("valid-message-id-127", message(127, new UnbindRequestProtocolOp()));
    seeds.put("valid-message-id-128", message(128, new UnbindRequestProtocolOp()));
    seeds.put("valid-message-id-32768", message(32768, new UnbindRequestProtocolOp()));
    seeds.put("valid-message-id-largest", message(0x7fffffff, new UnbindRequestProtocolOp()));

    seeds.put(
        "edge-bind-unknown-choice", hex("300e020101" + "6009" + "020103" + "0400" + "81027879"));
    seeds.put("edge-trailing-component-after-op", hex("3007020101" + "4200" + "3000"));
    seeds.put(
        "edge-trailing-component-after-controls", hex("3009020101" + "4200" + "a000" + "8900"));
    seeds.put("edge-message-id-zero", hex("3005020100" + "4200"));
    seeds.put("edge-message-id-negative", hex("30050201ff" + "4200"));
    seeds.put("edge-non-minimal-lengths", hex("308106" + "02810101" + "4200"));
    seeds.put("edge-empty-controls", hex("3007020101" + "4200" + "a000"));
    seeds.put("edge-unknown-op-tag", hex("3006020101" + "5e0100"));
    seeds.put("edge-exactly-16-content-octets", hex("3010020101500105a008300604013101" + "0100"));

    seeds.put("malformed-not-a-sequence", hex("3105020101" + "4200"));
    seeds.put("malformed-indefinite-length", hex("3080020101" + "42000000"));
    seeds.put("malformed-five-length-octets", hex("30850000000005020101" + "4200"));
    seeds.put("malformed-length-beyond-int", hex("3084ffffffff020101"));
    seeds.put("malformed-truncated", hex("3007020101" + "4200"));
    seeds.put("malformed-trailing-byte", hex("3005020101" + "420000"));
    seeds.put("malformed-empty-message-id", hex("30040200" + "4200"));
    seeds.put("malformed-five-octet-message-id", hex("30090205" + "00ffffffff" + "4200"));
    seeds.put("malformed-multi-octet-op-tag", hex("3006020101" + "7f0100"));
    seeds.put("malformed-no-protocol-op", hex("3003020101"));
    seeds.put("malformed-bytes-after-controls", hex("3008020101" + "4200" + "a000" + "00"));
    seeds.put("malformed-op-overruns-message", hex("3007020101" + "6305" + "0400"));

    seeds.put("bad-bind-no-authentication", hex("300c020101" + "6007" + "020103" + "0402636e"));

    seeds.put(
        "bad-bind-sasl-no-mechanism", hex("300c020101" + "6007" + "020103" + "0400" + "a300"));
    seeds.put("bad-bind-version-empty", hex("300b020101" + "6006" + "0200" + "0400" + "8000"));
    seeds.put("bad-abandon-five-octets", hex("300a020102" + "5005" + "00ffffffff"));
    seeds.put("bad-abandon-empty", hex("3005020102" + "5000"));
    seeds.put("bad-extended-no-name", hex("3007020103" + "7702" + "8100"));
    seeds.put("bad-extended-name-overruns", hex("3009020103" + "7704" + "80053132"));
    seeds.put("bad-control-not-a-sequence", hex("3009020101" + "4200" + "a002" + "0400"));
    seeds.put("bad-control-no-type", hex("3009020101" + "4200" + "a002" + "3000"));
    seeds.put(
        "bad-control-second-overruns",
        hex("3013020101" + "4200" + "a00c" + "3006040131010100" + "300304ff"));
    return seeds;
  }

  /**
   * Streams for {@link FrameDecoderFuzzTest}: a first byte choosing the maximum PDU size and the
   * chunking (see there), then one or more PDUs.
   */
  static Map<String, byte[]> decoderStreams() {
    Map<String, byte[]> pdus = pdus();
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> pdu : pdus.entrySet()) {
      if (pdu.getKey().startsWith("valid-") || pdu.getKey().startsWith("malformed-")) {
        seeds.put(pdu.getKey() + "-whole", prefixed(decoderControl(0, 262143), pdu.getValue()));
        seeds.put(pdu.getKey() + "-bytewise", prefixed(decoderControl(1, 1024), pdu.getValue()));
      }
    }
    byte[] three =
        concat(pdus.get("valid-bind-simple"), pdus.get("valid-search"), pdus.get("valid-unbind"));
    seeds.put("three-pdus-random-chunks", prefixed(decoderControl(5, 262143), three));
    seeds.put("three-pdus-small-chunks", prefixed(decoderControl(2, 262143), three));
    seeds.put(
        "pdu-then-garbage",
        prefixed(decoderControl(3, 1024), concat(pdus.get("valid-unbind"), hex("0400"))));
    seeds.put(
        "pdu-then-indefinite",
        prefixed(decoderControl(0, 1024), concat(pdus.get("valid-unbind"), hex("3080"))));
    seeds.put(
        "exactly-the-maximum",
        prefixed(decoderControl(1, 16), pdus.get("edge-exactly-16-content-octets")));
    seeds.put(
        "one-over-the-maximum",
        prefixed(decoderControl(0, 16), hex("3011020101500105a00930070401310101ff00")));
    seeds.put(
        "too-large-announced-only", prefixed(decoderControl(0, 65535), hex("3083010000020101")));
    seeds.put(
        "largest-int-length-waits",
        prefixed(decoderControl(15, Integer.MAX_VALUE), hex("30847fffffff020101")));
    seeds.put(
        "length-octets-split", prefixed(decoderControl(1, 262143), pdus.get("valid-search-large")));
    seeds.put("just-a-tag", prefixed(decoderControl(0, 1024), hex("30")));
    return seeds;
  }

  private static byte decoderControl(int chunking, int maxPduSize) {
    for (int i = 0; i < FrameDecoderFuzzTest.MAX_PDU_SIZES.length; i++) {
      if (FrameDecoderFuzzTest.MAX_PDU_SIZES[i] == maxPduSize) {
        return (byte) (chunking << 4 | i);
      }
    }
    throw new IllegalArgumentException("no maximum PDU size " + maxPduSize + " to choose");
  }

  /**
   * Inputs for {@link MessageRewriterFuzzTest}: a new message ID, a control choice (see there),
   * then a PDU. Each valid PDU is rewritten without a control, with the shortest control, and with
   * a control long enough to push the message past the rewriter's copy limit.
   */
  static Map<String, byte[]> rewriterInputs() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> pdu : pdus().entrySet()) {
      if (!pdu.getKey().startsWith("valid-") && !pdu.getKey().startsWith("edge-")) {
        continue;
      }
      seeds.put(pdu.getKey() + "-plain", prefixed(hex("00000002" + "00"), pdu.getValue()));
      seeds.put(pdu.getKey() + "-control", prefixed(hex("7fffffff" + "01"), pdu.getValue()));
      seeds.put(pdu.getKey() + "-long-control", prefixed(hex("0000012c" + "c8"), pdu.getValue()));
    }
    return seeds;
  }

  /** lloadd.conf texts for {@link ConfigParserFuzzTest}, valid ones and typical mistakes. */
  static Map<String, byte[]> configurations() {
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("minimal.conf", "backend-server uri=ldap://localhost:389\n");
    texts.put(
        "full.conf",
        String.join(
            "\n",
            "# A complete lloadd.conf",
            "io-threads 2",
            "client_max_pending 100",
            "sockbuf_max_incoming_client 262143",
            "sockbuf_max_incoming_upstream 4194303",
            "feature proxyauthz",
            "pidfile /run/ldap-balancer.pid",
            "listen \"ldap://:1389 ldapi:///\"",
            "bindconf bindmethod=simple binddn=\"cn=balancer,dc=example,dc=com\"",
            "    credentials=secret network-timeout=5 timeout=30",
            "tier roundrobin",
            "backend-server uri=ldap://ldap1.example.com:389 numconns=4 bindconns=2",
            "    retry=5000 max-pending-ops=50 conn-max-pending=10 starttls=no",
            "backend-server uri=ldap://[::1]:1389",
            ""));
    texts.put(
        "continuation-and-comments.conf",
        "# comment\n  continued comment\nbackend-server\n\turi=ldap://a.example\n"
            + "  numconns=2\n\nbindconf bindmethod=none\n");
    texts.put(
        "quotes-and-escapes.conf",
        "bindconf bindmethod=simple binddn=\"cn=Directory Manager\" credentials=pa\\\"ss\\\\\n"
            + "backend-server \"uri=ldap://a.example\"\n");
    texts.put("crlf.conf", "io-threads 1\r\nbackend-server uri=ldap://a.example\r\n");
    texts.put("include.conf", "include servers.conf\ninclude a-directory\ninclude not-utf8.conf\n");
    texts.put("include-loop.conf", "include loop.conf\nbackend-server uri=ldap://a.example\n");
    texts.put("include-self.conf", "include lloadd.conf\nbackend-server uri=ldap://a.example\n");
    texts.put(
        "errors.conf",
        String.join(
            "\n",
            "backend-server uri=ldaps://a.example numconns=0 bindconns=x retry=-1",
            "backend-server uri=ldap://a.example/dc=example weight=3 starttls=critical",
            "backend-server numconns=99999999999 tls_cacert=/x uri=ldap://a.example:70000",
            "io-threads abc",
            "client_max_pending",
            "tier weighted",
            "tier",
            "bindconf bindmethod=sasl saslmech=EXTERNAL",
            "bindconf credentials secret",
            "listen http://x",
            "feature nosuch",
            "backend-servr uri=ldap://a.example",
            ""));
    texts.put(
        "unsupported.conf",
        "loglevel stats\n"
            + "TLSCertificateFile /x\n"
            + "restrict_exop 1.2.3\n"
            + "enable vc\n"
            + "disable read_pause\n"
            + "backend-server uri=ldap://a.example keepalive=1:2:3\n");
    texts.put("unbalanced-quote.conf", "bindconf binddn=\"cn=x credentials=y\n");
    texts.put("bindconf-incomplete.conf", "bindconf binddn=cn=x\nbackend-server uri=ldap://h\n");
    texts.put("no-server.conf", "io-threads 4\n");
    texts.put(
        "bad-urls.conf",
        "backend-server uri=ldap://\nbackend-server uri=ldap://[::1\n"
            + "backend-server uri=::\nbackend-server uri=ldap://:1389\n");
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    texts.forEach((name, text) -> seeds.put(name, text.getBytes(StandardCharsets.UTF_8)));
    return seeds;
  }

  private static SearchRequestProtocolOp search(String filter) {
    try {
      return new SearchRequestProtocolOp(
          "dc=example,dc=com",
          SearchScope.SUB,
          DereferencePolicy.NEVER,
          0,
          0,
          false,
          Filter.create(filter),
          List.of("cn", "mail"));
    } catch (com.unboundid.ldap.sdk.LDAPException e) {
      throw new IllegalArgumentException(filter, e);
    }
  }

  private static byte[] message(int messageId, ProtocolOp op, Control... controls) {
    return new LDAPMessage(messageId, op, controls).encode().encode();
  }

  private static byte[] hex(String hex) {
    return HEX.parseHex(hex);
  }

  private static byte[] prefixed(byte control, byte[] rest) {
    return concat(new byte[] {control}, rest);
  }

  private static byte[] prefixed(byte[] header, byte[] rest) {
    return concat(header, rest);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Every seed set with the inputs directory it belongs in, for the consistency test. */
  static Map<String, Map<String, byte[]>> byDirectory() {
    Map<String, Map<String, byte[]>> all = new LinkedHashMap<>();
    all.put("LdapMessageFuzzTestInputs", pdus());
    all.put("FrameDecoderFuzzTestInputs", decoderStreams());
    all.put("MessageRewriterFuzzTestInputs", rewriterInputs());
    all.put("ConfigParserFuzzTestInputs", configurations());
    return all;
  }
}
