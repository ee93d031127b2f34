package org.ldapbalancer.testing;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Offers its certificate whatever CAs the server names: clients normally offer only one the
 * server could accept, and a foreign one would then never reach the server's check.
 */
public final class AlwaysOfferedKeyManager extends X509ExtendedKeyManager {
  private final X509KeyManager delegate;
  private final String alias;

  public AlwaysOfferedKeyManager(X509KeyManager delegate) {
    this.delegate = delegate;
    this.alias = delegate.getClientAliases("RSA", null)[0];
  }

  @Override
  public String chooseEngineClientAlias(String[] types, Principal[] issuers, SSLEngine e) {
    return alias;
  }

  @Override
  public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) {
    return alias;
  }

  @Override
  public String[] getClientAliases(String type, Principal[] issuers) {
    return new String[] {alias};
  }

  @Override
  public String[] getServerAliases(String type, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String type, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String a) {
    return delegate.getCertificateChain(a);
  }

  @Override
  public PrivateKey getPrivateKey(String a) {
    return delegate.getPrivateKey(a);
  }
}
