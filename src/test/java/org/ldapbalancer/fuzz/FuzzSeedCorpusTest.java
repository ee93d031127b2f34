package org.ldapbalancer.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.BindRequest;
import org.ldapbalancer.protocol.Controls;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.Requests;

/**
 * The committed seed files are the ones {@link SeedCorpus} describes, and each seed is what its
 * name says: otherwise the regression inputs of the fuzz targets would quietly test less than they
 * claim.
 */
class FuzzSeedCorpusTest {

  @Test
  void everySeedIsCommittedAsWritten() throws IOException {
    for (Map.Entry<String, Map<String, byte[]>> dir : SeedCorpus.byDirectory().entrySet()) {
      for (Map.Entry<String, byte[]> seed : dir.getValue().entrySet()) {
        String path = dir.getKey() + "/" + seed.getKey();
        try (InputStream in = FuzzSeedCorpusTest.class.getResourceAsStream(path)) {
          assertThat(in)
              .as("%s (run SeedCorpus.main, see bench/fuzz --write-seeds)", path)
              .isNotNull();
          assertThat(in.readAllBytes()).as(path).isEqualTo(seed.getValue());
        }
      }
    }
  }

  @Test
  void validSeedsAreCanonicalForUnboundIdAndReadByTheMessageView() {
    SeedCorpus.pdus()
        .forEach(
            (name, pdu) -> {
              if (name.startsWith("valid-")) {
                assertThat(Pdus.canonicalOrNull(pdu)).as(name).isNotNull();
                assertThat(Pdus.parseOrNull(Pdus.exact(pdu))).as(name).isNotNull();
              }
            });
  }

  @Test
  void edgeSeedsAreAcceptedAndMalformedOnesRejectedByTheMessageView() {
    SeedCorpus.pdus()
        .forEach(
            (name, pdu) -> {
              if (name.startsWith("edge-")) {
                assertThat(Pdus.parseOrNull(Pdus.exact(pdu))).as(name).isNotNull();
              } else if (name.startsWith("malformed-")) {
                assertThat(Pdus.parseOrNull(Pdus.exact(pdu))).as(name).isNull();
              }
            });
  }

  @Test
  void badSeedsAreFramedButRejectedByTheReaderTheyName() {
    SeedCorpus.pdus()
        .forEach(
            (name, pdu) -> {
              if (!name.startsWith("bad-")) {
                return;
              }
              LdapMessage view = Pdus.parseOrNull(Pdus.exact(pdu));
              assertThat(view).as(name).isNotNull();
              assertThatThrownBy(
                      () -> {
                        if (name.startsWith("bad-bind-")) {
                          BindRequest.parse(view);
                        } else if (name.startsWith("bad-abandon-")) {
                          Requests.abandonedMessageId(view);
                        } else if (name.startsWith("bad-extended-")) {
                          Requests.extendedRequestName(view);
                        } else if (name.startsWith("bad-control-")) {
                          Controls.hasProxiedAuthorization(view);
                        }
                      })
                  .as(name)
                  .isInstanceOf(MalformedPduException.class);
            });
  }
}
