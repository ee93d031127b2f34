package org.ldapbalancer.config;

import java.util.List;

/**
 * A group of servers tried before the next tier ({@code tier}).
 *
 * @param policy how a server is chosen within the tier
 * @param servers the servers, in file order
 */
public record Tier(TierPolicy policy, List<BackendServer> servers) {
  public Tier {
    servers = List.copyOf(servers);
  }
}
