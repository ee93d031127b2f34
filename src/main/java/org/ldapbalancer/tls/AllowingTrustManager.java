package org.ldapbalancer.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.ldapbalancer.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code allow} (TLSVerifyClient, tls_reqcert): the certificate is checked, but a bad one does not
 * end the session. A server whose certificate fails is logged, so that the operator sees what
 * {@code allow} lets through. Thread-safe: the delegate is.
 */
final class AllowingTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(AllowingTrustManager.class);

  private final X509ExtendedTrustManager delegate;

  AllowingTrustManager(X509ExtendedTrustManager delegate) {
    this.delegate = delegate;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    // A client's bad certificate is ignored; SASL EXTERNAL checks it again before using it.
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    try {
      delegate.checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      RateLimitedLog.DEFAULT.warn(
          log,
          "server certificate {} not trusted, used anyway (tls_reqcert=allow): {}",
          chain.length > 0 ? chain[0].getSubjectX500Principal().getName() : "(none)",
          e.getMessage());
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {}

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) {}

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
