package org.ldapbalancer.tls;

import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.ConfigProblem;
import org.ldapbalancer.config.ConfigValue;
import org.ldapbalancer.config.CrlCheck;
import org.ldapbalancer.config.TlsSettings;

/**
 * Builds one Netty {@link SslContext} from {@link TlsSettings}: reads and checks the files (a key
 * that does not match its certificate is refused here, not at the first handshake), sets up
 * certificate checking with revocation lists, protocols, cipher suites and groups. Every problem
 * names the file and line of the setting at fault. Not thread-safe: one build, one thread.
 */
final class ContextBuilder {
  /** Protocol versions from oldest to newest, as SSLEngine names them. */
  private static final List<String> PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  /** The result: the context, how certificates are checked, and what to watch for changes. */
  record Built(
      SslContext context, X509ExtendedTrustManager strictTrust, List<Path> files, List<String> notes) {}

  private final TlsSettings settings;
  private final TlsProvider provider;
  private final List<ConfigProblem> problems = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<Path> files = new ArrayList<>();

  private ContextBuilder(TlsSettings settings, TlsProvider provider) {
    this.settings = settings;
    this.provider = provider;
  }

  /** The listeners' context; {@code settings} must name a certificate. */
  static Built server(TlsSettings settings, TlsProvider provider) throws TlsConfigException {
    return new ContextBuilder(settings, provider).buildServer();
  }

  /**
   * The context for connections to the servers.
   *
   * @param caFallback the listeners' settings: their CA certificates are trusted when {@code
   *     settings} names none, as lloadd does; the system's trusted CAs when neither does
   */
  static Built client(TlsSettings settings, TlsSettings caFallback, TlsProvider provider)
      throws TlsConfigException {
    TlsSettings effective = settings;
    if (settings.caFile() == null && settings.caPath() == null) {
      effective =
          new TlsSettings(
              settings.certificateFile(),
              settings.keyFile(),
              caFallback.caFile(),
              caFallback.caPath(),
              settings.crlFile(),
              settings.cipherSuite(),
              settings.protocolMin(),
              settings.ecName(),
              settings.verify(),
              settings.crlCheck());
    }
    return new ContextBuilder(effective, provider).buildClient();
  }

  private Built buildServer() throws TlsConfigException {
    KeyMaterial own = keyMaterial();
    X509ExtendedTrustManager strict = checksPeers() ? trust() : null;
    failIfProblems();
    SslContextBuilder builder = SslContextBuilder.forServer(own.key(), own.chain());
    switch (settings.verify()) {
      case NEVER -> builder.clientAuth(ClientAuth.NONE);
      case ALLOW -> builder.clientAuth(ClientAuth.OPTIONAL)
          .trustManager(new AllowingTrustManager(strict));
      case TRY -> builder.clientAuth(ClientAuth.OPTIONAL).trustManager(strict);
      case DEMAND -> builder.clientAuth(ClientAuth.REQUIRE).trustManager(strict);
    }
    return finish(builder, strict);
  }

  private Built buildClient() throws TlsConfigException {
    KeyMaterial own = settings.hasCertificate() ? keyMaterial() : null;
    X509ExtendedTrustManager strict = checksPeers() ? trust() : null;
    failIfProblems();
    SslContextBuilder builder = SslContextBuilder.forClient();
    if (own != null) {
      builder.keyManager(own.key(), own.chain());
    }
    switch (settings.verify()) {
      case NEVER -> builder.trustManager(InsecureTrustManagerFactory.INSTANCE)
          .endpointIdentificationAlgorithm(null);
      // RFC 4513 §3.1.3: the server's name (DNS or IP subjectAltName) must match the URL's host.
      case ALLOW -> builder.trustManager(new AllowingTrustManager(strict))
          .endpointIdentificationAlgorithm("LDAPS");
      case TRY, DEMAND -> builder.trustManager(strict).endpointIdentificationAlgorithm("LDAPS");
    }
    return finish(builder, strict);
  }

  /**
   * Whether the trust material is read: when peers' certificates are checked, and whenever CA
   * certificates or a CRL are named, so that a missing or unreadable file is an error at start
   * (and for {@code -t}) as libldap makes it, not only after a reload turns checking on.
   */
  private boolean checksPeers() {
    return settings.verify() != CertificateCheck.NEVER
        || settings.caFile() != null
        || settings.caPath() != null
        || settings.crlFile() != null;
  }

  private Built finish(SslContextBuilder builder, X509ExtendedTrustManager strict)
      throws TlsConfigException {
    builder.sslProvider(provider.provider());
    protocols(builder);
    ciphers(builder);
    groups(builder);
    failIfProblems();
    SslContext context;
    try {
      context = builder.build();
    } catch (Exception e) { // SSLException, or IllegalArgumentException for a rejected setting
      ConfigValue blame = firstSet(settings.cipherSuite(), settings.ecName(),
          settings.protocolMin(), settings.certificateFile(), settings.caFile());
      String why = "cannot set up TLS: " + rootMessage(e);
      if (blame == null) {
        throw new IllegalStateException(why, e);
      }
      problems.add(blame.problem(why));
      throw new TlsConfigException(problems);
    }
    return new Built(context, strict, List.copyOf(files), List.copyOf(notes));
  }

  private record KeyMaterial(PrivateKey key, X509Certificate[] chain) {}

  private KeyMaterial keyMaterial() {
    ConfigValue certFile = settings.certificateFile();
    ConfigValue keyFile = settings.keyFile();
    List<X509Certificate> chain = null;
    PrivateKey key = null;
    try {
      chain = PemFiles.certificates(watch(certFile));
    } catch (PemFiles.TlsFileException e) {
      problems.add(certFile.problem(e.getMessage()));
    }
    try {
      key = PemFiles.privateKey(watch(keyFile));
    } catch (PemFiles.TlsFileException e) {
      problems.add(keyFile.problem(e.getMessage()));
    }
    if (chain == null || key == null) {
      return null;
    }
    if (!matches(key, chain.get(0))) {
      problems.add(
          keyFile.problem(
              "the private key does not match the certificate in " + certFile.value()));
      return null;
    }
    return new KeyMaterial(key, chain.toArray(X509Certificate[]::new));
  }

  /** Whether the key signs what the certificate's public key verifies. */
  private static boolean matches(PrivateKey key, X509Certificate certificate) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "DSA" -> "SHA256withDSA";
          case "RSASSA-PSS" -> "RSASSA-PSS";
          default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA sign with their own name
        };
    if (!certificate.getPublicKey().getAlgorithm().equals(key.getAlgorithm())
        && !(key.getAlgorithm().startsWith("Ed")
            && certificate.getPublicKey().getAlgorithm().startsWith("Ed"))) {
      return false;
    }
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      if (algorithm.equals("RSASSA-PSS")) {
        signer.setParameter(
            new java.security.spec.PSSParameterSpec(
                "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
      }
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      if (algorithm.equals("RSASSA-PSS")) {
        verifier.setParameter(
            new java.security.spec.PSSParameterSpec(
                "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
      }
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Certificate checking: the configured CAs (or the system's), with revocation lists if asked. */
  private X509ExtendedTrustManager trust() {
    List<X509Certificate> anchors = new ArrayList<>();
    List<X509CRL> crls = new ArrayList<>();
    boolean configured = settings.caFile() != null || settings.caPath() != null;
    if (settings.caFile() != null) {
      try {
        anchors.addAll(PemFiles.certificates(watch(settings.caFile())));
      } catch (PemFiles.TlsFileException e) {
        problems.add(settings.caFile().problem(e.getMessage()));
      }
    }
    if (settings.caPath() != null) {
      caDirectory(settings.caPath(), anchors, crls);
    }
    if (settings.crlFile() != null) {
      try {
        crls.addAll(PemFiles.crls(watch(settings.crlFile())));
      } catch (PemFiles.TlsFileException e) {
        problems.add(settings.crlFile().problem(e.getMessage()));
      }
    }
    if (!configured) {
      anchors.addAll(Arrays.asList(systemTrust().getAcceptedIssuers()));
    }
    if (!problems.isEmpty()) {
      return null;
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < anchors.size(); i++) {
        store.setCertificateEntry("ca-" + i, anchors.get(i));
      }
      PKIXBuilderParameters params = new PKIXBuilderParameters(store, new X509CertSelector());
      if (settings.crlCheck() == CrlCheck.NONE) {
        params.setRevocationEnabled(false);
      } else {
        params.addCertStore(
            CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
        PKIXRevocationChecker checker =
            (PKIXRevocationChecker) CertPathValidator.getInstance("PKIX").getRevocationChecker();
        // Only the configured lists count, as with OpenSSL: no OCSP, no fetching from the network.
        EnumSet<PKIXRevocationChecker.Option> options =
            EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                PKIXRevocationChecker.Option.NO_FALLBACK);
        if (settings.crlCheck() == CrlCheck.PEER) {
          options.add(PKIXRevocationChecker.Option.ONLY_END_ENTITY);
        }
        checker.setOptions(options);
        params.addCertPathChecker(checker);
        params.setRevocationEnabled(true);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(new CertPathTrustManagerParameters(params));
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new IllegalStateException("the JDK's PKIX trust manager is not an extended one");
    } catch (GeneralSecurityException | java.io.IOException e) {
      ConfigValue blame = firstSet(settings.caFile(), settings.caPath(), settings.crlFile());
      String why = "cannot use the CA certificates: " + rootMessage(e);
      if (blame == null) {
        throw new IllegalStateException(why, e);
      }
      problems.add(blame.problem(why));
      return null;
    }
  }

  private void caDirectory(ConfigValue dir, List<X509Certificate> anchors, List<X509CRL> crls) {
    List<Path> entries;
    Path path = Path.of(dir.value());
    try {
      entries = PemFiles.directory(path);
    } catch (PemFiles.TlsFileException e) {
      problems.add(dir.problem(e.getMessage()));
      return;
    }
    files.add(path);
    int found = 0;
    for (Path entry : entries) {
      try {
        anchors.addAll(PemFiles.certificates(entry));
        files.add(entry);
        found++;
        continue;
      } catch (PemFiles.TlsFileException e) {
        // not certificates: perhaps a CRL (OpenSSL's NNNNNNNN.r0), else skipped as OpenSSL does
      }
      try {
        crls.addAll(PemFiles.crls(entry));
        files.add(entry);
      } catch (PemFiles.TlsFileException e) {
        // neither
      }
    }
    if (found == 0) {
      problems.add(dir.problem("no CA certificate in the directory"));
    }
  }

  private static X509ExtendedTrustManager systemTrust() {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the system's trusted CAs: " + e, e);
    }
    throw new IllegalStateException("the system's trust manager is not an extended one");
  }

  /**
   * {@code TLSProtocolMin}: {@code 3.3} means TLS 1.2 (SSL 3 was 3.0), {@code TLS1.2} is accepted
   * too. A minimum above what is implemented requires the highest, as lloadd.conf(5) says.
   */
  private void protocols(SslContextBuilder builder) {
    ConfigValue min = settings.protocolMin();
    if (min == null) {
      return;
    }
    int index = protocolIndex(min.value());
    if (index < 0) {
      index = 0; // SSL 3 and older: never enabled; the oldest TLS is the floor
    }
    index = Math.min(index, PROTOCOLS.size() - 1);
    builder.protocols(PROTOCOLS.subList(index, PROTOCOLS.size()));
  }

  /** The index in {@link #PROTOCOLS} of a {@code TLSProtocolMin} value. */
  static int protocolIndex(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    if (v.startsWith("tls")) {
      String minor = v.replaceFirst("tlsv?1\\.?", "");
      return minor.isEmpty() ? 0 : Integer.parseInt(minor);
    }
    String[] parts = v.split("\\.");
    int major = Integer.parseInt(parts[0]);
    int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    if (major < 3) {
      return -1;
    }
    if (major > 3) {
      return PROTOCOLS.size() - 1;
    }
    return minor - 1; // 3.1 is TLS 1.0
  }

  /**
   * {@code TLSCipherSuite}: suite names, OpenSSL's ({@code ECDHE-RSA-AES128-GCM-SHA256}) or IANA's
   * ({@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}), separated by colons, commas or spaces. An
   * unknown name is an error. OpenSSL's selection words ({@code HIGH}, {@code !aNULL}, {@code
   * +RSA}) are not evaluated: they are reported at start, and without any name the provider's
   * defaults, which exclude weak suites, stay in force. As in libldap, TLS 1.3 suites and older
   * ones are separate lists: naming only one kind leaves the defaults for the other.
   */
  private void ciphers(SslContextBuilder builder) {
    ConfigValue spec = settings.cipherSuite();
    if (spec == null) {
      return;
    }
    Set<String> supported = supportedCipherSuites();
    Set<String> chosen = new LinkedHashSet<>();
    List<String> words = new ArrayList<>();
    for (String token : spec.value().trim().split("[:,\\s]+")) {
      if (token.isEmpty()) {
        continue;
      }
      if (isSelectionWord(token)) {
        words.add(token);
        continue;
      }
      String java =
          token.startsWith("TLS_") || token.startsWith("SSL_")
              ? token
              : CipherSuiteConverter.toJava(token, "TLS");
      if (java == null || !supported.contains(java)) {
        problems.add(spec.problem("unknown or unsupported cipher suite " + token));
      } else {
        chosen.add(java);
      }
    }
    if (!words.isEmpty()) {
      notes.add(
          spec.name() + ": OpenSSL selection words are not evaluated, ignored: "
              + String.join(":", words)
              + (chosen.isEmpty() ? " (the provider's default suites are used)" : ""));
    }
    if (!chosen.isEmpty()) {
      builder.ciphers(withDefaultsForUnnamedVersions(chosen), SupportedCipherSuiteFilter.INSTANCE);
    }
  }

  /**
   * TLS 1.3 suites and older ones are two lists, as in libldap (OpenSSL's {@code
   * SSL_CTX_set_ciphersuites} and {@code SSL_CTX_set_cipher_list}): a list that names only one
   * kind leaves the provider's defaults for the other. Without that, the JDK would switch TLS 1.3
   * off for a list of TLS 1.2 suites (and fail every handshake under {@code TLSProtocolMin 3.4}),
   * and TLS 1.2 off for a list of TLS 1.3 suites.
   */
  private Set<String> withDefaultsForUnnamedVersions(Set<String> chosen) {
    boolean anyTls13 = chosen.stream().anyMatch(ContextBuilder::isTls13Suite);
    boolean anyOlder = chosen.stream().anyMatch(s -> !isTls13Suite(s));
    Set<String> effective = new LinkedHashSet<>(chosen);
    for (String suite : defaultCipherSuites(provider)) {
      if (isTls13Suite(suite) ? !anyTls13 : !anyOlder) {
        effective.add(suite);
      }
    }
    return effective;
  }

  /** A TLS 1.3 suite (which names no key exchange), usable with TLS 1.3 only. */
  static boolean isTls13Suite(String javaName) {
    return javaName.startsWith("TLS_AES_") || javaName.startsWith("TLS_CHACHA20_");
  }

  private static final Map<SslProvider, List<String>> DEFAULT_SUITES =
      new ConcurrentHashMap<>();

  /** The suites the provider enables when none are configured, as Netty sets them up. */
  private static List<String> defaultCipherSuites(TlsProvider provider) {
    return DEFAULT_SUITES.computeIfAbsent(
        provider.provider(),
        p -> {
          SslContext plain = null;
          try {
            plain = SslContextBuilder.forClient().sslProvider(p).build();
            return List.copyOf(plain.cipherSuites());
          } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS with " + p + ": " + e, e);
          } finally {
            ReferenceCountUtil.release(plain);
          }
        });
  }

  /** An OpenSSL cipher-string keyword or operator rather than a suite's name. */
  private static boolean isSelectionWord(String token) {
    char first = token.charAt(0);
    if (first == '!' || first == '+' || first == '-' || first == '@') {
      return true;
    }
    // Suite names have a dash or an underscore; keywords (HIGH, aNULL, kRSA, AESGCM) have none.
    return token.indexOf('-') < 0 && token.indexOf('_') < 0;
  }

  private Set<String> supportedCipherSuites() {
    if (provider.isOpenSsl()) {
      return OpenSsl.availableJavaCipherSuites();
    }
    try {
      return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's TLS is unavailable: " + e, e);
    }
  }

  /** {@code TLSECName}: the key exchange groups (curves), colon-separated as OpenSSL takes them. */
  private void groups(SslContextBuilder builder) {
    ConfigValue ecName = settings.ecName();
    if (ecName == null) {
      return;
    }
    String[] groups = ecName.value().trim().split("[:,\\s]+");
    if (provider.isOpenSsl()) {
      builder.option(OpenSslContextOption.GROUPS, groups);
    } else {
      // Java 17's SSLEngine has no per-context setting (only jdk.tls.namedGroups, process-wide).
      notes.add(
          ecName.name() + ": not applied with the JDK provider; set -Djdk.tls.namedGroups="
              + String.join(",", groups) + " instead");
    }
  }

  private Path watch(ConfigValue value) {
    Path path = Path.of(value.value());
    files.add(path);
    return path;
  }

  private void failIfProblems() throws TlsConfigException {
    if (!problems.isEmpty()) {
      throw new TlsConfigException(problems);
    }
  }

  private static ConfigValue firstSet(ConfigValue... values) {
    for (ConfigValue v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  static String rootMessage(Throwable e) {
    String message = e.toString();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return message;
  }
}
