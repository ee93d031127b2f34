package org.ldapbalancer.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.ConfigException;
import org.ldapbalancer.config.ConfigParser;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.tls.TlsConfigException;
import org.ldapbalancer.tls.TlsContexts;

/**
 * A configuration file checked whole, as {@code -t} checks it and as start-up and a reload
 * (SIGHUP) need it: parsed, every TLS file read, the listeners decided. Either every part is
 * there, or {@link #problems()} says, each with its file and line where it has one, why not.
 *
 * @param tls built from {@link #config}; the caller owns it (close when unused)
 */
record CheckedConfig(
    BalancerConfig config, TlsContexts tls, List<LdapUrl> listeners, List<String> problems) {

  /**
   * @param listenersOf the listeners for a configuration (the command line's {@code -h}, else the
   *     file's {@code listen} lines); throws {@link IllegalArgumentException} for a bad one
   */
  static CheckedConfig check(Path file, Function<BalancerConfig, List<LdapUrl>> listenersOf) {
    BalancerConfig config;
    try {
      config = ConfigParser.parse(file);
    } catch (ConfigException e) {
      return failed(e.problems().stream().map(Object::toString).toList());
    }
    List<LdapUrl> urls;
    try {
      urls = listenersOf.apply(config);
    } catch (IllegalArgumentException e) {
      return failed(List.of("ldap-balancer: -h: " + e.getMessage()));
    }
    // Certificate and key files are read here, -t or not: a file that start-up could not use is
    // refused with its file and line before anything listens.
    TlsContexts tls;
    try {
      tls = TlsContexts.build(config);
    } catch (TlsConfigException e) {
      return failed(e.problems().stream().map(Object::toString).toList());
    }
    List<String> problems = new ArrayList<>();
    for (LdapUrl url : urls) {
      if (url.isTls() && tls.listener() == null) {
        problems.add(
            "ldap-balancer: " + url + ": an ldaps:// listener needs a certificate"
                + " (TLSCertificateFile and TLSCertificateKeyFile)");
      }
    }
    if (!problems.isEmpty()) {
      tls.close();
      return failed(problems);
    }
    return new CheckedConfig(config, tls, urls, List.of());
  }

  private static CheckedConfig failed(List<String> problems) {
    return new CheckedConfig(null, null, List.of(), problems);
  }

  boolean isValid() {
    return problems.isEmpty();
  }
}
