package org.ldapbalancer.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs OpenLDAP's command-line clients ({@code ldapsearch}, {@code ldapwhoami}, ...) against one
 * server, the way an administrator would, with simple bind ({@code -x}).
 *
 * <p>Each call is {@code TOOL -x -H URL [-D DN -w PASSWORD] ARGS...}. {@code LDAPNOINIT=1} keeps
 * {@code ~/.ldaprc} and {@code /etc/ldap/ldap.conf} from changing what a test sees. A tool still
 * running at the timeout is killed and its {@link Result} says {@link Result#timedOut()}.
 *
 * <pre>{@code
 * LdapTool.Result r = LdapTool.at(slapd.url())
 *     .boundAs(DirectoryData.userDn(1), DirectoryData.USER_PASSWORD)
 *     .whoami();
 * assertThat(r.stdout()).contains("dn:uid=user.1,");
 * }</pre>
 *
 * <p>Immutable and thread-safe; the {@code boundAs} and {@code withTimeout} methods return new
 * instances.
 */
public final class LdapTool {

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** The OpenLDAP clients this helper knows, by what they do. */
  public enum Command {
    SEARCH("ldapsearch"),
    WHOAMI("ldapwhoami"),
    COMPARE("ldapcompare"),
    ADD("ldapadd"),
    MODIFY("ldapmodify"),
    DELETE("ldapdelete"),
    MODRDN("ldapmodrdn"),
    PASSWD("ldappasswd");

    private final String executable;

    Command(String executable) {
      this.executable = executable;
    }

    public String executable() {
      return executable;
    }
  }

  /**
   * What a tool did. {@code exitCode} is 0 on success, usually the LDAP result code of a failed
   * operation (49 invalid credentials, 50 insufficient access; {@code ldapcompare} gives 6 for
   * compareTrue and 5 for compareFalse), 255 when the server cannot be reached, and -1 when the
   * tool was killed at the timeout. Some failures only give 1 (a refused control in {@code
   * ldapwhoami}); the result text is then in stdout or stderr.
   */
  public record Result(
      List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

    public Result {
      command = List.copyOf(command);
    }

    public boolean succeeded() {
      return !timedOut && exitCode == 0;
    }

    /** For assertion messages: everything needed to see why a tool failed. */
    @Override
    public String toString() {
      return String.join(" ", command)
          + (timedOut ? "\n(killed at timeout)" : "\nexit code: " + exitCode)
          + "\nstdout:\n"
          + stdout
          + "stderr:\n"
          + stderr;
    }
  }

  private final String url;
  private final String bindDn;
  private final String password;
  private final Duration timeout;
  /** {@code LDAPTLS_*} variables for the tool, empty when it needs no TLS settings. */
  private final Map<String, String> tlsEnvironment;

  private LdapTool(String url, String bindDn, String password, Duration timeout) {
    this(url, bindDn, password, timeout, Map.of());
  }

  private LdapTool(
      String url,
      String bindDn,
      String password,
      Duration timeout,
      Map<String, String> tlsEnvironment) {
    this.url = url;
    this.bindDn = bindDn;
    this.password = password;
    this.timeout = timeout;
    this.tlsEnvironment = Map.copyOf(tlsEnvironment);
  }

  /**
   * The same, with TLS settings as environment variables ({@code LDAPTLS_CACERT}, {@code
   * LDAPTLS_CERT}, ...). LDAPNOINIT would make the tools ignore them, so no configuration file is
   * read instead (LDAPCONF and LDAPRC point at nothing).
   */
  public LdapTool withTls(Map<String, String> environment) {
    return new LdapTool(url, bindDn, password, timeout, environment);
  }

  /** Anonymous tools against {@code url} (for example {@code ldap://127.0.0.1:3890}). */
  public static LdapTool at(String url) {
    return new LdapTool(Objects.requireNonNull(url, "url"), null, null, DEFAULT_TIMEOUT);
  }

  /** The same server, with a simple bind as {@code dn} ({@code -D dn -w password}). */
  public LdapTool boundAs(String dn, String password) {
    return new LdapTool(
        url, Objects.requireNonNull(dn, "dn"), Objects.requireNonNull(password, "password"),
        timeout, tlsEnvironment);
  }

  /** The same, anonymous again. */
  public LdapTool anonymous() {
    return new LdapTool(url, null, null, timeout, tlsEnvironment);
  }

  /** How long a tool may run before it is killed; default 30 s. */
  public LdapTool withTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new LdapTool(url, bindDn, password, timeout, tlsEnvironment);
  }

  public String url() {
    return url;
  }

  public Result search(String... args) {
    return run(Command.SEARCH, null, args);
  }

  public Result whoami(String... args) {
    return run(Command.WHOAMI, null, args);
  }

  /** {@code ldapcompare [options] DN attr:value}. */
  public Result compare(String... args) {
    return run(Command.COMPARE, null, args);
  }

  /** {@code ldapadd} with {@code ldif} on stdin. */
  public Result add(String ldif, String... args) {
    return run(Command.ADD, ldif, args);
  }

  /** {@code ldapmodify} with {@code ldif} (changetype records) on stdin. */
  public Result modify(String ldif, String... args) {
    return run(Command.MODIFY, ldif, args);
  }

  public Result delete(String... args) {
    return run(Command.DELETE, null, args);
  }

  public Result modrdn(String... args) {
    return run(Command.MODRDN, null, args);
  }

  public Result passwd(String... args) {
    return run(Command.PASSWD, null, args);
  }

  /**
   * Runs {@code command} with {@code stdin} (may be null: empty input) and waits for it to end
   * or the timeout.
   */
  public Result run(Command command, String stdin, String... args) {
    Path executable = Executables.require(command.executable(), "ldap-utils");
    List<String> line = new ArrayList<>();
    line.add(executable.toString());
    if (!List.of(args).contains("-Y")) {
      line.add("-x"); // simple authentication, unless the arguments choose a SASL mechanism
    }
    line.add("-H");
    line.add(url);
    if (bindDn != null) {
      line.add("-D");
      line.add(bindDn);
      line.add("-w");
      line.add(password);
    }
    line.addAll(List.of(args));
    try {
      return execute(line, stdin == null ? "" : stdin);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", line), e);
    }
  }

  private Result execute(List<String> line, String stdin) throws IOException {
    // Files rather than pipes: no reader threads, and no deadlock when a tool writes more
    // than a pipe buffer holds before it has read all its input.
    Path in = Files.createTempFile("ldaptool-", ".in");
    Path out = Files.createTempFile("ldaptool-", ".out");
    Path err = Files.createTempFile("ldaptool-", ".err");
    try {
      Files.writeString(in, stdin, StandardCharsets.UTF_8);
      ProcessBuilder builder =
          new ProcessBuilder(line)
              .redirectInput(in.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      Map<String, String> env = builder.environment();
      if (tlsEnvironment.isEmpty()) {
        env.put("LDAPNOINIT", "1");
      } else {
        env.put("LDAPCONF", "/dev/null");
        env.put("LDAPRC", "ldap-balancer-tests-no-ldaprc");
        env.putAll(tlsEnvironment);
      }
      env.put("LC_ALL", "C");
      Process process = builder.start();
      boolean timedOut = !waitFor(process);
      if (timedOut) {
        process.destroyForcibly();
        waitFor(process);
      }
      return new Result(
          line,
          timedOut ? -1 : process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8),
          timedOut);
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private boolean waitFor(Process process) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + process.info().command(), e);
    }
  }
}
