package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.DirectoryData.ADMIN_DN;
import static org.ldapbalancer.testing.DirectoryData.ADMIN_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.ComparableResult;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * Several clients at once, each reading thousands of entries through the balancer, as different
 * users: every one gets exactly what it gets from a server directly. Responses of different clients
 * share the balancer's upstream connections and must never be mixed up, cut short or reordered
 * within a search.
 */
final class LargeConcurrentSearchesMatchDirectIT {

  private static final int USERS = 4000;
  private static final int CLIENTS = 6;

  @Test
  void concurrentLargeSearchesGiveEachClientItsOwnCompleteResult() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, USERS);
        RunningBalancer balancer = slapds.balancer(Duration.ZERO).start()) {
      balancer.awaitReady(slapds.urls());

      List<Function<LdapTool, LdapTool>> identities = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        int user = i;
        identities.add(
            i % 3 == 0
                ? tool -> tool.boundAs(ADMIN_DN, ADMIN_PASSWORD)
                : tool -> tool.boundAs(userDn(user), USER_PASSWORD));
      }
      String[] search = {
        "-b", PEOPLE_DN, "(objectClass=inetOrgPerson)", "uid", "cn", "mail", "telephoneNumber"
      };

      List<CompletableFuture<LdapTool.Result>> balanced = new ArrayList<>();
      for (Function<LdapTool, LdapTool> as : identities) {
        LdapTool tool = as.apply(LdapTool.at(balancer.url())).withTimeout(Duration.ofSeconds(90));
        balanced.add(Background.supply(() -> tool.search(search)));
      }
      for (int i = 0; i < CLIENTS; i++) {
        LdapTool.Result through = balanced.get(i).get();
        LdapTool.Result direct =
            identities.get(i).apply(LdapTool.at(slapds.server(1).url())).search(search);
        assertThat(through.succeeded())
            .as("%s", through.toString().lines().limit(20).toList())
            .isTrue();
        assertThat(direct.stdout()).contains("# numEntries: " + USERS);
        // Whole outputs are large: compare them without printing them all on failure.
        ComparableResult expected = ComparableResult.of(direct);
        ComparableResult actual = ComparableResult.of(through);
        assertThat(actual.exitCode()).isEqualTo(expected.exitCode());
        assertThat(actual.stderr()).isEqualTo(expected.stderr());
        assertThat(actual.stdout().lines().toList())
            .as("client %d", i)
            .containsExactlyElementsOf(expected.stdout().lines().toList());
      }
    }
  }
}
