package org.ldapbalancer.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.ldapbalancer.bench.Bench;
import org.ldapbalancer.bench.BenchException;
import org.ldapbalancer.bench.BenchMode;
import org.ldapbalancer.bench.BenchReport;
import org.ldapbalancer.bench.BenchResult;
import org.ldapbalancer.bench.BenchSettings;
import org.ldapbalancer.bench.IdleResult;
import org.ldapbalancer.bench.IdleRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ldap-balancer bench}: an LDAP load generator for any server. Options left out take the
 * defaults of {@link BenchSettings.Builder}, which are the ones the help text names.
 *
 * <p>Exit status: 0 when the run completed (LDAP errors are reported, not fatal), 1 when it could
 * not start (no connection, session bind refused), 2 for invalid options.
 */
@Command(
    name = "bench",
    description = {
      "Load an LDAP server and report operations/s, latency percentiles and errors.",
      "Modes: search (base-object read of a random entry), bind (simple bind as a random user),"
          + " mixed (search/bind/modify in proportions), connect (connect + bind + unbind),"
          + " idle (connections that answer one search each, then sit open for the duration)."
    },
    sortOptions = false,
    usageHelpAutoWidth = true)
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "MODE",
      description = "search, bind, mixed, connect or idle (default search)")
  String mode = "search";

  @Option(names = "--url", paramLabel = "URL",
      description = "the server, ldap://host:port or ldaps://host:port (default " + BenchSettings.Builder.DEFAULT_URL
          + ")")
  String url;

  @Option(names = {"-c", "--connections"}, paramLabel = "N",
      description = "connections (connect mode: concurrent connects; idle mode: connections to"
          + " hold) (default 8)")
  Integer connections;

  @Option(names = "--in-flight", paramLabel = "N",
      description = "requests outstanding per connection; 1 for bind and connect (default 1)")
  Integer inFlight;

  @Option(names = "--warmup", paramLabel = "SECONDS",
      description = "run this long before measuring; not counted (default 0)")
  Double warmup;

  @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS",
      description = "measure this long, at most 3600 (default 10)")
  Double duration;

  @Option(names = "--max-ops", paramLabel = "N",
      description = "stop after N measured operations, or at the duration if sooner (default 0:"
          + " no limit)")
  Long maxOps;

  @Option(names = "--rate", paramLabel = "OPS_PER_S",
      description = "target operations per second over all connections (default 0: as fast as"
          + " possible)")
  Double rate;

  @Option(names = "--drain", paramLabel = "SECONDS",
      description = "after the stop, wait up to this long for the requests still outstanding to"
          + " be answered; those that are not are reported as unanswered (default 5)")
  Double drain;

  @Option(names = "--dn-template", paramLabel = "TEMPLATE",
      description = "entries to use; {FIRST-LAST} is a random number (default "
          + BenchSettings.Builder.DEFAULT_TEMPLATE + ")")
  String dnTemplate;

  @Option(names = "--password", paramLabel = "PASSWORD",
      description = "password of the template's users (default password)")
  String password;

  @Option(names = {"-D", "--bind-dn"}, paramLabel = "DN",
      description = "bind every connection as DN first (connect mode: bind as DN each time)")
  String bindDn;

  @Option(names = {"-w", "--bind-password"}, paramLabel = "PASSWORD",
      description = "the password of --bind-dn")
  String bindPassword;

  @Option(names = "--mix", paramLabel = "S:B:M",
      description = "mixed mode: weights of search, bind and modify (default 80:10:10)")
  String mix;

  @Option(names = "--attributes", paramLabel = "NAMES", split = ",",
      description = "attributes a search asks for, comma-separated (default: all user"
          + " attributes)")
  List<String> attributes;

  @Option(names = "--modify-attribute", paramLabel = "NAME",
      description = "the attribute a modify replaces (default description)")
  String modifyAttribute;

  @Option(names = "--threads", paramLabel = "N",
      description = "I/O threads (default: one per processor, at most one per connection)")
  Integer threads;

  @Option(names = "--cacert", paramLabel = "FILE",
      description = "ldaps://: PEM certificates of the authorities that may sign the server's"
          + " (default: the JDK's trusted authorities)")
  String caCert;

  @Option(names = "--no-tls-resume",
      description = "ldaps://: every connection makes a full TLS handshake (default: new"
          + " connections resume an earlier session; needs OpenSSL)")
  boolean noTlsResume;

  @Option(names = "--json",
      description = "print one JSON object at the end (progress lines go to standard error)")
  boolean json;

  @Option(names = "--help", usageHelp = true, description = "show this help")
  boolean help;

  @Override
  public Integer call() throws InterruptedException {
    CommandLine cmd = spec.commandLine();
    BenchSettings settings;
    try {
      settings = settings();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    PrintWriter out = cmd.getOut();
    PrintWriter progress = settings.json() ? cmd.getErr() : out;
    if (settings.mode() == BenchMode.IDLE) {
      return idle(settings, progress, cmd);
    }
    BenchResult result;
    try {
      result = Bench.run(settings, progress);
    } catch (BenchException e) {
      cmd.getErr().println("ldap-balancer bench: " + e.getMessage());
      cmd.getErr().flush();
      return 1;
    }
    out.println(settings.json() ? BenchReport.json(result) : BenchReport.text(result));
    out.flush();
    return 0;
  }

  private static int idle(BenchSettings settings, PrintWriter progress, CommandLine cmd)
      throws InterruptedException {
    IdleResult result;
    try {
      result = IdleRun.run(settings, progress);
    } catch (BenchException e) {
      cmd.getErr().println("ldap-balancer bench: " + e.getMessage());
      cmd.getErr().flush();
      return 1;
    }
    cmd.getOut().println(settings.json() ? BenchReport.json(result) : BenchReport.text(result));
    cmd.getOut().flush();
    return 0;
  }

  private BenchSettings settings() {
    BenchSettings.Builder b = BenchSettings.builder().mode(mode).json(json);
    if (url != null) {
      b.url(url);
    }
    if (connections != null) {
      b.connections(connections);
    }
    if (inFlight != null) {
      b.inFlight(inFlight);
    }
    if (warmup != null) {
      b.warmupSeconds(warmup);
    }
    if (duration != null) {
      b.durationSeconds(duration);
    }
    if (maxOps != null) {
      b.maxOps(maxOps);
    }
    if (rate != null) {
      b.rate(rate);
    }
    if (drain != null) {
      b.drainSeconds(drain);
    }
    if (dnTemplate != null) {
      b.dnTemplate(dnTemplate);
    }
    if (password != null) {
      b.password(password);
    }
    if (attributes != null) {
      b.attributes(attributes);
    }
    if (modifyAttribute != null) {
      b.modifyAttribute(modifyAttribute);
    }
    if (threads != null) {
      b.threads(threads);
    }
    return b.bindDn(bindDn).bindPassword(bindPassword).mix(mix).caCertFile(caCert)
        .resumeTls(!noTlsResume).build();
  }
}
