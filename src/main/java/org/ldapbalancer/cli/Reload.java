package org.ldapbalancer.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.ConfigProblem;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.server.Balancer;
import org.ldapbalancer.server.ReloadIncompleteException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP: the configuration file is read again and checked whole, as {@code -t} would; a file
 * that fails is refused whole, with its problems logged, and the running configuration stays.
 * One that passes is handed to {@link Balancer#reload}. Reloads run one at a time.
 */
final class Reload {
  private static final Logger log = LoggerFactory.getLogger(Reload.class);

  private final Path file;
  private final Function<BalancerConfig, List<LdapUrl>> listenersOf;
  private final List<LdapUrl> listening;
  private final Balancer balancer;

  /**
   * @param listenersOf how the listeners follow from a configuration ({@code -h} or the file)
   * @param listening the listeners opened at start: changing them needs a restart
   */
  Reload(
      Path file,
      Function<BalancerConfig, List<LdapUrl>> listenersOf,
      List<LdapUrl> listening,
      Balancer balancer) {
    this.file = file;
    this.listenersOf = listenersOf;
    this.listening = List.copyOf(listening);
    this.balancer = balancer;
  }

  void install() {
    // The JVM leaves a signal ignored at start (nohup) ignored, and says so by returning SIG_IGN.
    if (Signal.handle(new Signal("HUP"), s -> run()) == SignalHandler.SIG_IGN) {
      log.warn(
          "SIGHUP was ignored when the process started (nohup?), so it cannot reload {}: start"
              + " it with SIGHUP at its default (bin/ldap-balancer does; systemd does)",
          file);
    }
  }

  /** Reads, checks and applies the file; on a signal-dispatch thread. */
  synchronized void run() {
    log.info("SIGHUP: reading {}", file);
    CheckedConfig checked = CheckedConfig.check(file, listenersOf);
    if (!checked.isValid()) {
      log.error(
          "{} refused, the running configuration stays: {}",
          file,
          String.join("; ", checked.problems()));
      return;
    }
    for (ConfigProblem warning : checked.config().warnings()) {
      log.warn("{} (warning)", warning);
    }
    List<String> needRestart;
    try {
      needRestart = balancer.reload(checked.config(), checked.tls());
    } catch (ReloadIncompleteException e) {
      log.error("{} applied in part: {}", file, e.getMessage(), e.getCause());
      return;
    } catch (IllegalArgumentException | IllegalStateException e) {
      log.error("{} refused, the running configuration stays: {}", file, e.getMessage());
      return;
    } catch (RuntimeException e) {
      log.error("{} refused, the running configuration stays", file, e);
      return;
    }
    if (!checked.listeners().equals(listening) && !needRestart.contains("listen")) {
      needRestart = new java.util.ArrayList<>(needRestart);
      needRestart.add("listeners");
    }
    if (!needRestart.isEmpty()) {
      log.warn(
          "{}: changes to {} take effect only at a restart; the old values stay until then",
          file,
          String.join(", ", needRestart));
    }
    log.info("reloaded {}", file);
  }
}
