package org.ldapbalancer.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code bindconf}: how regular upstream connections authenticate.
 *
 * <p>Like lloadd, a second {@code bindconf} line does not start afresh: each option it names
 * replaces the earlier value and the others stay. Credentials never appear in a message. Not
 * thread-safe: one parse, one thread.
 */
final class BindConfDirective {
  private BindMethod method; // null until bindmethod= is given
  private String bindDn;
  private String credentials;
  private Duration networkTimeout = BindConf.DEFAULT_NETWORK_TIMEOUT;
  private Duration timeout = Duration.ZERO;
  private String saslMech;
  private String authcid;
  private String authzid;
  private String realm;
  private LogicalLine lastSeen; // for messages about the combined result
  private final TlsSettingsBuilder tls = new TlsSettingsBuilder(CertificateCheck.DEMAND);

  private static final Map<String, TlsSettingsBuilder.Key> TLS_KEYS =
      Map.of(
          "tls_cert", TlsSettingsBuilder.Key.CERTIFICATE,
          "tls_key", TlsSettingsBuilder.Key.KEY,
          "tls_cacert", TlsSettingsBuilder.Key.CA_FILE,
          "tls_cacertdir", TlsSettingsBuilder.Key.CA_PATH,
          "tls_crlfile", TlsSettingsBuilder.Key.CRL_FILE,
          "tls_cipher_suite", TlsSettingsBuilder.Key.CIPHER_SUITE,
          "tls_protocol_min", TlsSettingsBuilder.Key.PROTOCOL_MIN,
          "tls_ecname", TlsSettingsBuilder.Key.EC_NAME,
          "tls_reqcert", TlsSettingsBuilder.Key.VERIFY,
          "tls_crlcheck", TlsSettingsBuilder.Key.CRL_CHECK);

  void apply(LogicalLine directive, Problems problems) {
    lastSeen = directive;
    if (!Arguments.count(directive, 1, Integer.MAX_VALUE, problems)) {
      return;
    }
    for (LogicalLine.Word word : directive.args()) {
      Optional<Arguments.KeyValue> option = Arguments.keyValue(directive, word, false, problems);
      option.ifPresent(o -> applyOption(directive, o, problems));
    }
  }

  private void applyOption(LogicalLine directive, Arguments.KeyValue option, Problems problems) {
    String key = option.lowerKey();
    switch (key) {
      case "bindmethod" -> method(directive, option, problems);
      case "binddn" -> bindDn = option.value();
      case "credentials" -> credentials = option.value();
      case "timeout" -> seconds(directive, option, problems).ifPresent(t -> timeout = t);
      case "network-timeout" ->
          seconds(directive, option, problems).ifPresent(t -> networkTimeout = t);
      case "saslmech" -> saslMech = option.value();
      case "authcid" -> authcid = option.value();
      case "authzid" -> authzid = option.value();
      case "realm" -> realm = option.value();
      default -> {
        TlsSettingsBuilder.Key tlsKey = TLS_KEYS.get(key);
        if (tlsKey != null) {
          tls.set(
              tlsKey,
              directive.name() + " " + option.key(),
              option.value(), option.shown(), directive, option.word(), problems);
        } else if (UnsupportedDirectives.SASL_OPTIONS.contains(key)
            || UnsupportedDirectives.TLS_OPTIONS.contains(key)
            || UnsupportedDirectives.SOCKET_OPTIONS.contains(key)) {
          problems.warn(
              directive,
              option.word(),
              directive.name() + ": option " + option.key() + " not supported yet, ignored");
        } else {
          problems.error(
              directive,
              option.word(),
              directive.name() + ": unknown option \"" + option.key() + '"');
        }
      }
    }
  }

  private void method(LogicalLine directive, Arguments.KeyValue option, Problems problems) {
    switch (option.value().toLowerCase(Locale.ROOT)) {
      case "none" -> method = BindMethod.NONE;
      case "simple" -> method = BindMethod.SIMPLE;
      case "sasl" -> method = BindMethod.SASL;
      default ->
          problems.error(
              directive,
              option.word(),
              directive.name() + ": bad value " + option.shown() + ": expected none, simple or sasl");
    }
  }

  private static Optional<Duration> seconds(
      LogicalLine directive, Arguments.KeyValue option, Problems problems) {
    OptionalInt value =
        Arguments.integer(
            directive,
            option.word(),
            option.shown(),
            option.value(),
            0,
            BindConf.MAX_TIMEOUT_SECONDS,
            problems);
    return value.isPresent() ? Optional.of(Duration.ofSeconds(value.getAsInt())) : Optional.empty();
  }

  /** The combined result of every {@code bindconf} line; anonymous if there was none. */
  BindConf build(Problems problems) {
    if (lastSeen == null) {
      return BindConf.anonymous();
    }
    TlsSettings tlsSettings = tls.build(problems);
    BindMethod effective = method;
    if (effective == null) {
      // lloadd's default is "none"; an operator who wrote a DN surely meant to bind with it.
      effective = bindDn != null ? BindMethod.SIMPLE : BindMethod.NONE;
      if (bindDn != null) {
        problems.warn(lastSeen, "bindconf: no bindmethod given; using simple since binddn is set");
      }
    }
    if (effective != BindMethod.SASL
        && (saslMech != null || authcid != null || authzid != null || realm != null)) {
      problems.warn(
          lastSeen,
          "bindconf: saslmech, authcid, authzid and realm are only used with bindmethod=sasl;"
              + " ignored");
    }
    if (effective == BindMethod.SIMPLE) {
      if (bindDn == null || bindDn.isEmpty()) {
        problems.error(lastSeen, "bindconf: bindmethod=simple requires binddn");
      }
      if (credentials == null) {
        // An empty password turns a simple bind into an unauthenticated one (RFC 4513 5.1.2).
        problems.error(lastSeen, "bindconf: bindmethod=simple requires credentials");
      }
    } else if (effective == BindMethod.SASL) {
      return sasl(tlsSettings, problems);
    } else if (bindDn != null || credentials != null) {
      problems.warn(lastSeen, "bindconf: binddn and credentials are ignored with bindmethod=none");
    }
    return effective == BindMethod.SIMPLE
        ? new BindConf(
            effective,
            nullToEmpty(bindDn),
            nullToEmpty(credentials),
            networkTimeout,
            timeout,
            tlsSettings)
        : new BindConf(BindMethod.NONE, "", "", networkTimeout, timeout, tlsSettings);
  }

  /** The SASL mechanisms the balancer can bind its connections with (the JDK's clients). */
  static final java.util.Set<String> SASL_MECHANISMS = java.util.Set.of("PLAIN", "DIGEST-MD5", "EXTERNAL");

  private BindConf sasl(TlsSettings tlsSettings, Problems problems) {
    String mech = saslMech == null ? null : saslMech.toUpperCase(Locale.ROOT);
    if (mech == null) {
      // libldap would take ldap.conf's SASL_MECH or ask the server; binding some other way than
      // the operator can see in this file is not done.
      problems.error(lastSeen, "bindconf: bindmethod=sasl requires saslmech");
    } else if (!SASL_MECHANISMS.contains(mech)) {
      problems.error(
          lastSeen,
          "bindconf: saslmech=" + saslMech + " is not supported (PLAIN, DIGEST-MD5 or EXTERNAL)");
    } else if (mech.equals("EXTERNAL")) {
      if (tlsSettings.certificateFile() == null) {
        problems.error(lastSeen, "bindconf: saslmech=EXTERNAL requires tls_cert and tls_key");
      }
    } else {
      if (authcid == null || authcid.isEmpty()) {
        problems.error(lastSeen, "bindconf: saslmech=" + mech + " requires authcid");
      }
      if (credentials == null) {
        problems.error(lastSeen, "bindconf: saslmech=" + mech + " requires credentials");
      }
    }
    if (bindDn != null) {
      problems.warn(lastSeen, "bindconf: binddn is ignored with bindmethod=sasl (use authcid)");
    }
    return new BindConf(
        BindMethod.SASL,
        "",
        nullToEmpty(credentials),
        networkTimeout,
        timeout,
        tlsSettings,
        new SaslBind(
            mech == null ? "" : mech, nullToEmpty(authcid), nullToEmpty(authzid), nullToEmpty(realm)));
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
