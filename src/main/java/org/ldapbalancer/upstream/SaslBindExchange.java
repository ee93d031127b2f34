package org.ldapbalancer.upstream;

import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.RealmChoiceCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.SaslBind;

/**
 * The client side of one {@code bindconf bindmethod=sasl} exchange (RFC 4513 §5.2, RFC 4422),
 * through the JDK's SASL clients: PLAIN, DIGEST-MD5 and EXTERNAL (the identity of the TLS client
 * certificate, {@code tls_cert}). No security layer is negotiated: with DIGEST-MD5 only
 * authentication ({@code qop=auth}), so the bytes after the bind stay plain LDAP.
 *
 * <p>Belongs to the event loop of the connection it binds; one exchange per connection set-up.
 */
final class SaslBindExchange {
  private final SaslClient client;
  private final String mechanism;

  private SaslBindExchange(SaslClient client, String mechanism) {
    this.client = client;
    this.mechanism = mechanism;
  }

  /**
   * @param serverHost the server's host name as configured: DIGEST-MD5 names it in its
   *     digest-uri ({@code ldap/host})
   */
  static SaslBindExchange start(BindConf bindConf, String serverHost) throws SaslException {
    SaslBind sasl = bindConf.sasl();
    char[] password = bindConf.credentials().toCharArray();
    SaslClient client =
        Sasl.createSaslClient(
            new String[] {sasl.mechanism()},
            sasl.authzid().isEmpty() ? null : sasl.authzid(),
            "ldap",
            serverHost,
            Map.of(Sasl.QOP, "auth"),
            callbacks -> answer(callbacks, sasl, password));
    if (client == null) {
      throw new SaslException("no SASL client for " + sasl.mechanism() + " in this JVM");
    }
    return new SaslBindExchange(client, sasl.mechanism());
  }

  private static void answer(Callback[] callbacks, SaslBind sasl, char[] password)
      throws UnsupportedCallbackException {
    for (Callback c : callbacks) {
      if (c instanceof NameCallback name) {
        name.setName(sasl.authcid());
      } else if (c instanceof PasswordCallback pw) {
        pw.setPassword(password);
      } else if (c instanceof RealmChoiceCallback choice) {
        int index = 0;
        String[] offered = choice.getChoices();
        for (int i = 0; i < offered.length; i++) {
          if (offered[i].equals(sasl.realm())) {
            index = i;
          }
        }
        choice.setSelectedIndex(index);
      } else if (c instanceof RealmCallback realm) {
        realm.setText(sasl.realm().isEmpty() ? realm.getDefaultText() : sasl.realm());
      } else {
        throw new UnsupportedCallbackException(c);
      }
    }
  }

  String mechanism() {
    return mechanism;
  }

  /** The credentials of the first bind request, or null when the mechanism starts with none. */
  byte[] initialResponse() throws SaslException {
    return client.hasInitialResponse() ? client.evaluateChallenge(new byte[0]) : null;
  }

  /** The credentials answering the server's challenge ({@code serverSaslCreds}). */
  byte[] respond(byte[] challenge) throws SaslException {
    return client.evaluateChallenge(challenge == null ? new byte[0] : challenge);
  }

  /**
   * After the server's success: checks its final data (DIGEST-MD5's {@code rspauth} proves that
   * the server knew the password too).
   */
  void finish(byte[] serverData) throws SaslException {
    if (!client.isComplete()) {
      byte[] reply = client.evaluateChallenge(serverData == null ? new byte[0] : serverData);
      if (!client.isComplete() || (reply != null && reply.length > 0)) {
        throw new SaslException(
            "the server reported success before the " + mechanism + " exchange was complete");
      }
    }
  }

  void dispose() {
    try {
      client.dispose();
    } catch (SaslException e) {
      // Nothing is held that outlives the exchange.
    }
  }
}
