package org.ldapbalancer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.ConfigParser;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.server.Balancer;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * OpenLDAP's {@code lloadd-sasl.conf} (kept unchanged in {@code src/test/resources/openldap-tests})
 * with {@code @SASL_MECH@} as {@code "saslmech=DIGEST-MD5"} and three real slapd servers that know
 * the SASL user {@code manager} (password {@code secret}) and let it act as {@code
 * cn=Manager,dc=example,dc=com}, as OpenLDAP's own test servers do: the balancer binds every
 * regular connection with DIGEST-MD5 and the proxied searches of its clients succeed.
 */
@Timeout(180)
class LloaddSaslConfigurationIT {
  private static final String MANAGER = String.join("\n",
      "dn: cn=Manager," + DirectoryData.SUFFIX,
      "objectClass: organizationalRole",
      "objectClass: simpleSecurityObject",
      "cn: Manager",
      "userPassword: secret",
      // "authz-policy to": may act as anyone, itself (the authzid) and the clients alike.
      "authzTo: {0}dn.regex:.*",
      "");
  private static final String SASL = String.join("\n",
      "authz-regexp \"^uid=([^,]+),(cn=[^,]+,)*cn=auth$\" \"cn=$1," + DirectoryData.SUFFIX + "\"",
      "sasl-host 127.0.0.1",
      "");

  @TempDir Path dir;

  @Test
  void everyRegularConnectionBindsWithDigestMd5AndClientsAreServed() throws Exception {
    List<SlapdServer.Builder> builders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      builders.add(SlapdServer.builder().users(3).extraLdif(MANAGER).globalConfig(SASL));
    }
    try (SlapdGroup slapds = SlapdGroup.start(builders)) {
      String text;
      try (InputStream in = getClass().getResourceAsStream("/openldap-tests/lloadd-sasl.conf")) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      for (int i = 0; i < 3; i++) {
        text = text.replace("@URI" + (i + 2) + "@", slapds.server(i).url() + "/");
      }
      text = text.replace("@SASL_MECH@", "\"saslmech=DIGEST-MD5\"");
      Path file = dir.resolve("lloadd-sasl.conf");
      Files.writeString(file, text);

      BalancerConfig config = ConfigParser.parse(file);
      assertThat(config.bindConf().method()).isEqualTo(BindMethod.SASL);
      try (Balancer balancer = Balancer.start(config, List.of(LdapUrl.parse("ldap://127.0.0.1:0")))) {
        int port = balancer.listenAddresses().get(0).getPort();
        await("every server's regular connections bound").atMost(Duration.ofSeconds(30))
            .until(() -> balancer.readyConnections().size() == 3
                && balancer.readyConnections().values().stream().allMatch(n -> n >= 3));
        for (int i = 0; i < 30; i++) {
          assertThat(anonymousSearch(port)).isEqualTo(1);
        }
      }
    }
  }

  private static int anonymousSearch(int port) throws LDAPException {
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", port)) {
      return c.search(DirectoryData.PEOPLE_DN, SearchScope.ONE, "(uid=user.1)", "cn")
          .getEntryCount();
    }
  }
}
