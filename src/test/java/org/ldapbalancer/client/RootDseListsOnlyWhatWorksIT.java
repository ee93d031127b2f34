package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * The root DSE through the balancer lists in {@code supportedControl} and {@code
 * supportedExtension} only what works through it; everything else is slapd's own entry.
 */
final class RootDseListsOnlyWhatWorksIT {
  private static final String START_TLS = "1.3.6.1.4.1.1466.20037";
  private static final String CANCEL = "1.3.6.1.1.8";
  private static final String PROXIED_AUTHZ = "2.16.840.1.113730.3.4.18";
  private static final String PAGED = "1.2.840.113556.1.4.319";
  private static final String WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3";
  private static final Set<String> TXN = Set.of("1.3.6.1.1.21.1", "1.3.6.1.1.21.3");
  private static final String TXN_SPEC = "1.3.6.1.1.21.2";

  private static Entry rootDse(int port) throws Exception {
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", port)) {
      return c.getEntry("", "*", "+");
    }
  }

  private static Set<String> values(Entry e, String attribute) {
    String[] values = e.getAttributeValues(attribute);
    return values == null ? Set.of() : Set.of(values);
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> d = new HashSet<>(a);
    d.removeAll(b);
    return d;
  }

  @Test
  void unsupportedControlsAndExtensionsAreHiddenAndTheRestIsTheServersEntry() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, 1);
        RunningBalancer balancer =
            slapds
                .balancer(Duration.ZERO)
                .restrictions(
                    new Restrictions(
                        Map.of(WHO_AM_I, RestrictAction.REJECT),
                        RestrictAction.IGNORE,
                        Map.of(),
                        0))
                .start()) {
      balancer.awaitReady(slapds.urls());
      Entry direct = rootDse(slapds.server(0).port());
      Entry through = rootDse(balancer.port());

      Set<String> directControls = values(direct, "supportedControl");
      Set<String> directExtensions = values(direct, "supportedExtension");
      // What the comparison relies on: slapd offers these.
      assertThat(directControls).contains(PAGED, PROXIED_AUTHZ);
      assertThat(directExtensions).contains(WHO_AM_I, CANCEL);

      Set<String> hiddenControls = new HashSet<>(Set.of(PROXIED_AUTHZ, TXN_SPEC));
      hiddenControls.add("2.16.840.1.113730.3.4.9"); // VLV, not pinned here
      hiddenControls.add("2.16.840.1.113730.3.4.12");
      assertThat(values(through, "supportedControl"))
          .isEqualTo(minus(directControls, hiddenControls));

      Set<String> hiddenExtensions = new HashSet<>(TXN);
      hiddenExtensions.addAll(List.of(START_TLS, WHO_AM_I, "1.3.6.1.1.19"));
      assertThat(values(through, "supportedExtension"))
          .contains(CANCEL)
          .isEqualTo(minus(directExtensions, hiddenExtensions));

      for (String attribute : List.of("namingContexts", "supportedLDAPVersion", "objectClass")) {
        assertThat(values(through, attribute)).as(attribute).isEqualTo(values(direct, attribute));
      }
    }
  }

  @Test
  void transactionsAreListedWhenTheirStartPinsTheConnectionWithoutProxiedIdentities()
      throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, 1);
        RunningBalancer balancer =
            slapds
                .balancer(Duration.ZERO)
                .proxyAuthz(false)
                .restrictions(
                    new Restrictions(
                        Map.of("1.3.6.1.1.21.1", RestrictAction.CONNECTION),
                        RestrictAction.IGNORE,
                        Map.of(),
                        0))
                .start()) {
      balancer.awaitReady(slapds.urls());
      Entry direct = rootDse(slapds.server(0).port());
      Entry through = rootDse(balancer.port());
      Set<String> directTxn = new HashSet<>(values(direct, "supportedExtension"));
      directTxn.retainAll(TXN);
      assertThat(directTxn).as("slapd offers transactions").isNotEmpty();
      assertThat(values(through, "supportedExtension")).containsAll(directTxn);
      assertThat(values(through, "supportedControl").contains(TXN_SPEC))
          .isEqualTo(values(direct, "supportedControl").contains(TXN_SPEC));
    }
  }
}
