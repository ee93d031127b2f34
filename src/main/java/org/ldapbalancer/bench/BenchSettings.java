package org.ldapbalancer.bench;

import java.util.List;
import org.ldapbalancer.config.LdapUrl;

/**
 * A validated benchmark run: what to send, where, how hard and for how long. Every run is
 * bounded in time ({@link #MAX_DURATION_SECONDS}) whatever the options say, so a forgotten
 * generator cannot load a production directory for ever.
 *
 * @param bindDn the identity every persistent connection binds as first, or {@code null} to
 *     stay anonymous; in connect mode the identity of every bind (else a template user)
 * @param password the password of the users the DN template names (bind, mixed, connect)
 * @param attributes the attributes a search asks for; empty asks for all user attributes
 * @param maxOps operations to measure before stopping; 0 for no limit but the duration
 * @param rate target operations per second over all connections; 0 for as fast as possible
 * @param drainSeconds after the stop, how long to wait for the requests still outstanding to be
 *     answered before counting them as unanswered (not in idle mode)
 * @param caCertFile for {@code ldaps://}: a PEM file of the authorities that may sign the
 *     server's certificate, or {@code null} for the JDK's trusted ones
 * @param resumeTls for {@code ldaps://}: whether a new connection offers an earlier session
 */
public record BenchSettings(
    BenchMode mode,
    LdapUrl url,
    int connections,
    int inFlight,
    int threads,
    double warmupSeconds,
    double durationSeconds,
    long maxOps,
    double rate,
    double drainSeconds,
    String bindDn,
    String bindPassword,
    DnTemplate dnTemplate,
    String password,
    List<String> attributes,
    String modifyAttribute,
    OpMix mix,
    boolean json,
    String caCertFile,
    boolean resumeTls) {

  public static final double MAX_DURATION_SECONDS = 3600;
  public static final double MAX_WARMUP_SECONDS = 600;
  public static final int MAX_CONNECTIONS = 10_000;
  public static final int MAX_IN_FLIGHT = 1024;
  public static final int MAX_THREADS = 256;
  public static final double MAX_RATE = 10_000_000;
  public static final double MAX_DRAIN_SECONDS = 600;
  public static final double DEFAULT_DRAIN_SECONDS = 5;

  public BenchSettings {
    attributes = List.copyOf(attributes);
    check(url.host() != null && !url.host().isEmpty(), "--url must name a host, e.g. "
        + "ldap://127.0.0.1:389");
    check(connections >= 1 && connections <= MAX_CONNECTIONS,
        "--connections must be from 1 to " + MAX_CONNECTIONS);
    check(inFlight >= 1 && inFlight <= MAX_IN_FLIGHT,
        "--in-flight must be from 1 to " + MAX_IN_FLIGHT);
    // RFC 4511 §4.2.1: after a BindRequest a client sends nothing until the BindResponse.
    check(inFlight == 1 || (mode != BenchMode.BIND && mode != BenchMode.CONNECT),
        mode.label() + " mode sends one bind at a time on each connection (RFC 4511 §4.2.1);"
            + " add --connections instead of --in-flight");
    check(threads >= 1 && threads <= MAX_THREADS, "--threads must be from 1 to " + MAX_THREADS);
    check(warmupSeconds >= 0 && warmupSeconds <= MAX_WARMUP_SECONDS,
        "--warmup must be from 0 to " + (int) MAX_WARMUP_SECONDS + " seconds");
    check(durationSeconds > 0 && durationSeconds <= MAX_DURATION_SECONDS,
        "--duration must be more than 0 and at most " + (int) MAX_DURATION_SECONDS + " seconds");
    check(maxOps >= 0, "--max-ops must not be negative (0: no limit but the duration)");
    check(rate >= 0 && rate <= MAX_RATE,
        "--rate must be from 0 (as fast as possible) to " + (long) MAX_RATE);
    check(drainSeconds >= 0 && drainSeconds <= MAX_DRAIN_SECONDS,
        "--drain must be from 0 to " + (int) MAX_DRAIN_SECONDS + " seconds");
    check(bindDn != null || bindPassword == null, "--bind-password needs --bind-dn");
    // RFC 4513 §5.1.2: a name with an empty password is an unauthenticated bind, not a login.
    check(bindDn == null || (bindPassword != null && !bindPassword.isEmpty()),
        "--bind-dn needs a non-empty --bind-password");
    // Idle mode sends one search per connection and then nothing: load options make no sense.
    check(mode != BenchMode.IDLE || (inFlight == 1 && warmupSeconds == 0 && maxOps == 0
            && rate == 0),
        "idle mode sends no load: --in-flight, --warmup, --max-ops and --rate do not apply");
    check(mix == null || mode == BenchMode.MIXED, "--mix applies to mixed mode only");
    check(caCertFile == null || url.isTls(), "--cacert applies to ldaps:// URLs only");
    check(resumeTls || url.isTls(), "--no-tls-resume applies to ldaps:// URLs only");
    check(!modifyAttribute.isBlank(), "--modify-attribute must not be empty");
    check(attributes.stream().noneMatch(String::isBlank), "--attributes has an empty name");
    if (mix == null) {
      mix = switch (mode) {
        case SEARCH, IDLE -> OpMix.SEARCH_ONLY;
        case BIND, CONNECT -> OpMix.BIND_ONLY;
        case MIXED -> OpMix.DEFAULT_MIXED;
      };
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The option defaults in one place; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    public static final String DEFAULT_URL = "ldap://127.0.0.1:389";
    public static final String DEFAULT_TEMPLATE = "uid=user.{0-9999},ou=people,dc=example,dc=com";

    private BenchMode mode = BenchMode.SEARCH;
    private String url = DEFAULT_URL;
    private int connections = 8;
    private int inFlight = 1;
    private Integer threads;
    private double warmupSeconds = 0;
    private double durationSeconds = 10;
    private long maxOps = 0;
    private double rate = 0;
    private double drainSeconds = DEFAULT_DRAIN_SECONDS;
    private String bindDn;
    private String bindPassword;
    private String dnTemplate = DEFAULT_TEMPLATE;
    private String password = "password";
    private List<String> attributes = List.of();
    private String modifyAttribute = "description";
    private String mix;
    private boolean json;
    private String caCertFile;
    private boolean resumeTls = true;

    private Builder() {}

    public Builder mode(String name) {
      this.mode = BenchMode.parse(name);
      return this;
    }

    public Builder url(String url) {
      this.url = url;
      return this;
    }

    public Builder connections(int n) {
      this.connections = n;
      return this;
    }

    public Builder inFlight(int n) {
      this.inFlight = n;
      return this;
    }

    /** Event loop threads; by default one per processor, at most one per connection. */
    public Builder threads(int n) {
      this.threads = n;
      return this;
    }

    public Builder warmupSeconds(double seconds) {
      this.warmupSeconds = seconds;
      return this;
    }

    public Builder durationSeconds(double seconds) {
      this.durationSeconds = seconds;
      return this;
    }

    public Builder maxOps(long n) {
      this.maxOps = n;
      return this;
    }

    public Builder rate(double opsPerSecond) {
      this.rate = opsPerSecond;
      return this;
    }

    public Builder drainSeconds(double seconds) {
      this.drainSeconds = seconds;
      return this;
    }

    public Builder bindDn(String dn) {
      this.bindDn = dn;
      return this;
    }

    public Builder bindPassword(String password) {
      this.bindPassword = password;
      return this;
    }

    public Builder dnTemplate(String template) {
      this.dnTemplate = template;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    public Builder attributes(List<String> names) {
      this.attributes = names;
      return this;
    }

    public Builder modifyAttribute(String name) {
      this.modifyAttribute = name;
      return this;
    }

    public Builder mix(String weights) {
      this.mix = weights;
      return this;
    }

    public Builder caCertFile(String file) {
      this.caCertFile = file;
      return this;
    }

    public Builder resumeTls(boolean resume) {
      this.resumeTls = resume;
      return this;
    }

    public Builder json(boolean json) {
      this.json = json;
      return this;
    }

    /**
     * The validated settings.
     *
     * @throws IllegalArgumentException naming the option at fault
     */
    public BenchSettings build() {
      LdapUrl parsed;
      try {
        parsed = LdapUrl.parse(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--url: " + e.getMessage());
      }
      int loops = threads != null
          ? threads
          : Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), connections));
      return new BenchSettings(mode, parsed, connections, inFlight, loops, warmupSeconds,
          durationSeconds, maxOps, rate, drainSeconds, emptyToNull(bindDn), bindPassword,
          DnTemplate.parse(dnTemplate), password, attributes, modifyAttribute,
          mix == null ? null : OpMix.parse(mix), json,
          emptyToNull(caCertFile), resumeTls);
    }

    private static String emptyToNull(String s) {
      return s == null || s.isEmpty() ? null : s;
    }
  }
}
