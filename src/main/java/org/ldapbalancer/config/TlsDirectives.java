package org.ldapbalancer.config;

import java.util.Locale;
import java.util.Map;

/**
 * The listeners' TLS directives (lloadd.conf(5) "TLS OPTIONS"): the certificate offered on
 * {@code ldaps://} and after StartTLS, and how clients' certificates are checked. Not
 * thread-safe: one parse, one thread.
 */
final class TlsDirectives {
  private static final Map<String, TlsSettingsBuilder.Key> KEYS =
      Map.of(
          "tlscertificatefile", TlsSettingsBuilder.Key.CERTIFICATE,
          "tlscertificatekeyfile", TlsSettingsBuilder.Key.KEY,
          "tlscacertificatefile", TlsSettingsBuilder.Key.CA_FILE,
          "tlscacertificatepath", TlsSettingsBuilder.Key.CA_PATH,
          "tlscrlfile", TlsSettingsBuilder.Key.CRL_FILE,
          "tlsciphersuite", TlsSettingsBuilder.Key.CIPHER_SUITE,
          "tlsprotocolmin", TlsSettingsBuilder.Key.PROTOCOL_MIN,
          "tlsecname", TlsSettingsBuilder.Key.EC_NAME,
          "tlsverifyclient", TlsSettingsBuilder.Key.VERIFY,
          "tlscrlcheck", TlsSettingsBuilder.Key.CRL_CHECK);

  private final TlsSettingsBuilder settings = new TlsSettingsBuilder(CertificateCheck.NEVER);

  /** Applies the directive if it is one of these; false if it is not. */
  boolean apply(LogicalLine directive, Problems problems) {
    String keyword = directive.keyword();
    if (keyword.equals("tlsshareslapdctx")) {
      // Only meaningful when lloadd runs inside slapd; standalone it has its own context anyway.
      if (Arguments.count(directive, 1, 1, problems)) {
        String value = directive.args().get(0).text().toLowerCase(Locale.ROOT);
        if (!value.matches("on|off|yes|no|true|false")) {
          problems.error(
              directive,
              directive.name() + ": bad value \"" + directive.args().get(0).text()
                  + "\": expected on or off");
        }
      }
      return true;
    }
    TlsSettingsBuilder.Key key = KEYS.get(keyword);
    if (key == null) {
      return false;
    }
    if (Arguments.count(directive, 1, 1, problems)) {
      LogicalLine.Word word = directive.args().get(0);
      String value = word.text();
      if (key == TlsSettingsBuilder.Key.VERIFY) {
        value = verifyWord(value);
      }
      settings.set(key, directive.name(), value, '"' + word.text() + '"', directive, word, problems);
    }
    return true;
  }

  /**
   * lloadd hands a {@code TLSVerifyClient} value that starts with a digit to libldap as the
   * number of the level ({@code LDAP_OPT_X_TLS_NEVER} 0, {@code HARD} 1, {@code DEMAND} 2,
   * {@code ALLOW} 3, {@code TRY} 4); this is the word for it. Anything else is returned as it is.
   */
  private static String verifyWord(String value) {
    return switch (value) {
      case "0" -> "never";
      case "1", "2" -> "demand";
      case "3" -> "allow";
      case "4" -> "try";
      default -> value;
    };
  }

  TlsSettings build(Problems problems) {
    return settings.build(problems);
  }
}
