package org.ldapbalancer.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/**
 * Which TLS implementation the contexts use: OpenSSL (BoringSSL through netty-tcnative) where its
 * native library loads, since it costs less CPU per handshake and per byte; the JDK's otherwise.
 * The system property {@code ldapbalancer.tls.provider} ({@code auto}, {@code openssl}, {@code
 * jdk}) overrides the choice. Immutable.
 */
public record TlsProvider(SslProvider provider, String why) {

  /** The provider for this process, chosen once. */
  public static TlsProvider choose() {
    String wanted =
        System.getProperty("ldapbalancer.tls.provider", "auto").trim().toLowerCase(Locale.ROOT);
    switch (wanted) {
      case "jdk" -> {
        return new TlsProvider(SslProvider.JDK, "ldapbalancer.tls.provider=jdk");
      }
      case "openssl" -> {
        if (!OpenSsl.isAvailable()) {
          throw new IllegalStateException(
              "ldapbalancer.tls.provider=openssl, but OpenSSL cannot be loaded: "
                  + OpenSsl.unavailabilityCause());
        }
        return new TlsProvider(SslProvider.OPENSSL, "ldapbalancer.tls.provider=openssl");
      }
      default -> {
        if (OpenSsl.isAvailable()) {
          return new TlsProvider(SslProvider.OPENSSL, "auto");
        }
        return new TlsProvider(
            SslProvider.JDK, "auto; OpenSSL unavailable: " + OpenSsl.unavailabilityCause());
      }
    }
  }

  public boolean isOpenSsl() {
    return provider == SslProvider.OPENSSL;
  }

  /** For the start-up log: {@code OpenSSL (BoringSSL ...)} or {@code JDK}. */
  public String describe() {
    return isOpenSsl() ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
  }
}
