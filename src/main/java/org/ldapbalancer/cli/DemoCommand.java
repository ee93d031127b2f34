package org.ldapbalancer.cli;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.Tier;
import org.ldapbalancer.config.TierPolicy;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.server.Balancer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ldap-balancer demo}: two in-memory directories and the balancer in front of them. */
@Command(
    name = "demo",
    description = "Start two embedded directories with sample users and the balancer in front.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--port", description = "the balancer's port on 127.0.0.1 (default 1389)")
  int port = 1389;

  @Option(
      names = "--http-port",
      description = "also serve metrics and the status page on http://127.0.0.1:N/ (default: off)")
  int httpPort = -1;

  @Option(names = "--users", description = "sample users in each directory (default 1000)")
  int users = 1000;

  @Option(names = "--help", usageHelp = true, description = "show this help")
  boolean help;

  @Override
  public Integer call() throws Exception {
    List<InMemoryDirectoryServer> directories = new ArrayList<>();
    List<BackendServer> servers = new ArrayList<>();
    for (String name : List.of("directory-a", "directory-b")) {
      InMemoryDirectoryServer d = SampleDirectory.start(name, users, 0);
      directories.add(d);
      servers.add(new BackendServer(LdapUrl.parse("ldap://127.0.0.1:" + d.getListenPort()), 4,
          2, Duration.ofSeconds(1), 0, 0));
    }
    BalancerConfig config =
        BalancerConfig.builder(
                new BindConf(BindMethod.SIMPLE, SampleDirectory.BALANCER_DN,
                    SampleDirectory.BALANCER_PASSWORD, Duration.ofSeconds(5), Duration.ZERO),
                List.of(new Tier(TierPolicy.ROUNDROBIN, servers)))
            .build();
    Balancer balancer;
    try {
      List<LdapUrl> urls = new ArrayList<>(List.of(LdapUrl.parse("ldap://127.0.0.1:" + port)));
      if (httpPort >= 0) {
        urls.add(LdapUrl.parseListener("http://127.0.0.1:" + httpPort + "/"));
      }
      balancer = Balancer.start(config, urls);
    } catch (java.io.IOException e) {
      directories.forEach(d -> d.shutDown(true));
      System.err.println("ldap-balancer demo: " + e.getMessage()
          + " (another port: bin/ldap-balancer demo --port N)");
      return 1;
    }
    System.out.printf(
        "%nldap-balancer demo: two directories (%s, %s) with %d users each under %s,%n"
            + "balanced on ldap://127.0.0.1:%d. Try:%n%n"
            + "  ldapsearch -x -H ldap://127.0.0.1:%d -b %s '(uid=user.42)' cn mail description%n"
            + "  ldapwhoami -x -H ldap://127.0.0.1:%d -D %s -w %s%n%n"
            + "(the description attribute says which directory answered). Ctrl-C stops.%n",
        servers.get(0).uri(), servers.get(1).uri(), users, SampleDirectory.BASE_DN, port, port,
        SampleDirectory.BASE_DN, port, SampleDirectory.userDn(42), SampleDirectory.USER_PASSWORD);
    if (httpPort >= 0) {
      System.out.printf("Status page: http://127.0.0.1:%d/ (metrics at /metrics)%n",
          balancer.listenAddresses().get(1).getPort());
    }
    System.out.flush();
    Shutdown.install(balancer::hurry).await(); // the demo stops at once: nothing worth waiting for
    balancer.close();
    directories.forEach(d -> d.shutDown(true));
    return 0;
  }
}
