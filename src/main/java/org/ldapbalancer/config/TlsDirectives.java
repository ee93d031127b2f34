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
      settings.set(key, directive.name(), word.text(), '"' + word.text() + '"', directive, word, problems);
    }
    return true;
  }

  TlsSettings build(Problems problems) {
    return settings.build(problems);
  }
}
