package org.ldapbalancer.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Collects one side's TLS settings, from the listeners' {@code TLS*} directives or from {@code
 * bindconf}'s {@code tls_*} options, which name the same things. Values that are words are checked
 * here; files are checked when the contexts are built. A later setting replaces an earlier one, as
 * in lloadd. Not thread-safe: one parse, one thread.
 */
final class TlsSettingsBuilder {
  /** {@code 3.3} (lloadd's major.minor, TLS 1.2) or {@code TLS1.2} / {@code TLSv1.2}. */
  static final Pattern PROTOCOL_MIN =
      Pattern.compile("(?i)([0-9]{1,3})(\\.[0-9]{1,3})?|tlsv?1(\\.[0-3])?");

  /** What a setting is, whichever spelling named it. */
  enum Key {
    CERTIFICATE,
    KEY,
    CA_FILE,
    CA_PATH,
    CRL_FILE,
    CIPHER_SUITE,
    PROTOCOL_MIN,
    EC_NAME,
    VERIFY,
    CRL_CHECK
  }

  private ConfigValue certificateFile;
  private ConfigValue keyFile;
  private ConfigValue caFile;
  private ConfigValue caPath;
  private ConfigValue crlFile;
  private ConfigValue cipherSuite;
  private ConfigValue protocolMin;
  private ConfigValue ecName;
  private CertificateCheck verify;
  private CrlCheck crlCheck = CrlCheck.NONE;

  TlsSettingsBuilder(CertificateCheck defaultVerify) {
    this.verify = defaultVerify;
  }

  /**
   * Sets one value; a bad word is reported with {@code shown} (the setting as written) and the
   * value is left as it was.
   */
  void set(
      Key key,
      String name,
      String value,
      String shown,
      LogicalLine directive,
      LogicalLine.Word word,
      Problems problems) {
    ConfigValue located = new ConfigValue(name, value, directive.file(), word.line());
    String prefix = directive.name() + ": bad value " + shown + ": ";
    if (value.isEmpty() && key != Key.VERIFY && key != Key.CRL_CHECK) {
      problems.error(directive, word, prefix + "empty");
      return;
    }
    switch (key) {
      case CERTIFICATE -> certificateFile = located;
      case KEY -> keyFile = located;
      case CA_FILE -> caFile = located;
      case CA_PATH -> caPath = located;
      case CRL_FILE -> crlFile = located;
      case CIPHER_SUITE -> cipherSuite = located;
      case EC_NAME -> ecName = located;
      case PROTOCOL_MIN -> {
        if (PROTOCOL_MIN.matcher(value).matches()) {
          protocolMin = located;
        } else {
          problems.error(
              directive, word, prefix + "expected <major>[.<minor>] (3.3 is TLS 1.2) or TLS1.2");
        }
      }
      case VERIFY -> {
        CertificateCheck check =
            switch (value.toLowerCase(Locale.ROOT)) {
              case "never" -> CertificateCheck.NEVER;
              case "allow" -> CertificateCheck.ALLOW;
              case "try" -> CertificateCheck.TRY;
              // libldap's ldap_pvt_tls_config: hard, on, yes and true all mean demand.
              case "demand", "hard", "on", "yes", "true" -> CertificateCheck.DEMAND;
              default -> null;
            };
        if (check == null) {
          problems.error(directive, word, prefix + "expected never, allow, try or demand");
        } else {
          verify = check;
        }
      }
      case CRL_CHECK -> {
        CrlCheck check =
            switch (value.toLowerCase(Locale.ROOT)) {
              case "none" -> CrlCheck.NONE;
              case "peer" -> CrlCheck.PEER;
              case "all" -> CrlCheck.ALL;
              default -> null;
            };
        if (check == null) {
          problems.error(directive, word, prefix + "expected none, peer or all");
        } else {
          crlCheck = check;
        }
      }
    }
  }

  /**
   * The settings; a certificate without its key (or the reverse) is an error at {@code where},
   * the last line that set either.
   */
  TlsSettings build(Problems problems) {
    if ((certificateFile == null) != (keyFile == null)) {
      ConfigValue given = certificateFile != null ? certificateFile : keyFile;
      problems.error(
          given.file(),
          given.line(),
          certificateFile != null
              ? "a certificate file is set but no private key file"
              : "a private key file is set but no certificate file");
    }
    if (crlCheck != CrlCheck.NONE && crlFile == null && caPath == null) {
      // Every certificate would then fail: no list could be found to clear it.
      ConfigValue any = caFile != null ? caFile : certificateFile;
      if (any != null) {
        problems.error(
            any.file(),
            any.line(),
            "CRL checking is on but no CRL file or CA certificate directory is set");
      }
    }
    return new TlsSettings(
        certificateFile,
        keyFile,
        caFile,
        caPath,
        crlFile,
        cipherSuite,
        protocolMin,
        ecName,
        verify,
        crlCheck);
  }
}
