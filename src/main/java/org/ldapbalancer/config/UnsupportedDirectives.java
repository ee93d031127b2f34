package org.ldapbalancer.config;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Directives and options lloadd knows (lloadd.conf(5) and lloadd's own keyword tables) that are not
 * implemented here yet. They are accepted with a warning, so that an existing lloadd file still
 * starts; a word lloadd itself would reject stays an error.
 *
 * <p>Where ignoring a setting would be unsafe or would change behaviour without telling (StartTLS
 * required, a tier strategy, SASL), the directive's handler reports an error instead; this list
 * only holds what can be ignored.
 */
final class UnsupportedDirectives {

  /** Top-level directives, in lower case. */
  static final Set<String> DIRECTIVES =
      lowerCase(
          // process and logging
          "argsfile",
          "concurrency",
          "gentlehup",
          "logfile-format",
          "logfile-only",
          "logfile-rotate",
          "threads",
          "threadqueues",
          "max_pdus_per_cycle",
          "tcp-buffer",
          // slapd's operation restrictions (lloadd's own are RestrictionDirectives)
          "restrict",
          // inherited from slapd's configuration code
          "allow",
          "disallow",
          "timelimit",
          "sockbuf_max_incoming",
          // only meaningful when lloadd runs as a slapd module ("backend lload")
          "backend",
          // listener TLS: the cn=config forms (certificates inline) and OpenSSL tuning
          "TLSCACertificate",
          "TLSCertificate",
          "TLSCertificateKey",
          "TLSDHParamFile",
          "TLSRandFile");

  /** {@code feature} / {@code enable} names lloadd knows besides {@code proxyauthz} and {@code vc}. */
  static final Set<String> FEATURES = lowerCase("read_pause");

  /**
   * Upstream TLS options: on {@code bindconf} all but {@code tls_reqsan} are implemented
   * (BindConfDirective); lloadd takes none of them on {@code backend-server}.
   */
  static final Set<String> TLS_OPTIONS =
      lowerCase(
          "tls_cert",
          "tls_key",
          "tls_cacert",
          "tls_cacertdir",
          "tls_reqcert",
          "tls_reqsan",
          "tls_cipher_suite",
          "tls_protocol_min",
          "tls_ecname",
          "tls_crlcheck",
          "tls_crlfile");

  /** Connection options of {@code bindconf} and {@code backend-server}. */
  static final Set<String> SOCKET_OPTIONS = lowerCase("keepalive", "tcp-user-timeout");

  /** SASL options of {@code bindconf} not implemented ({@code saslmech} and the rest are). */
  static final Set<String> SASL_OPTIONS = lowerCase("secprops");

  private UnsupportedDirectives() {}

  /** Warns about a known but unimplemented directive; false if lloadd does not know it. */
  static boolean warnIfKnown(LogicalLine directive, Problems problems) {
    if (!DIRECTIVES.contains(directive.keyword())) {
      return false;
    }
    problems.warn(directive, directive.name() + ": not supported yet, ignored");
    return true;
  }

  private static Set<String> lowerCase(String... names) {
    return Stream.of(names)
        .map(n -> n.toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }
}
