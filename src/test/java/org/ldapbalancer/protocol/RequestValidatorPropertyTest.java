package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.Modification;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.UnboundIdRequestOracle.Verdict;

/**
 * {@link RequestValidator} against UnboundID's decoder ({@link UnboundIdRequestOracle}): every
 * request UnboundID encodes is valid, and of requests changed in their structure or bytes, the
 * validator accepts exactly those UnboundID reads as requests. UnboundID's stream decoder alone
 * ignores the tags of universal elements and bytes left inside a protocolOp; the oracle adds a
 * comparison with UnboundID's own encoding of what it read, which RFC 4511 and slapd make
 * equivalent (see {@link UnboundIdRequestOracle}).
 *
 * <p>Where the two disagree by design, RFC 4511 (and slapd) decide, and the cases are set apart by
 * {@link #documentedDifference}: slapd and RFC 4511 §4 ignore trailing components, which UnboundID
 * reads as controls or leaves out, and answer an authentication method they do not know, which
 * UnboundID refuses to read; UnboundID takes any value for scope, derefAliases, the size and
 * time limits, a modify operation and an abandoned message ID, and a substrings filter with no
 * substring, which RFC 4511 constrains; and it refuses an extensibleMatch with neither matchingRule
 * nor type, which the grammar allows (§4.5.1.7.7 makes it a semantic rule, and slapd answers such a
 * search rather than disconnect).
 */
class RequestValidatorPropertyTest {
  private static final int EXAMPLES = 20_000;
  private static final long SECONDS = 40;
  private static final String ENVELOPE = "envelope: ";
  private static final String TRAILING = "trailing components ignored (RFC 4511 §4)";

  @Test
  void everyRequestUnboundIdEncodesIsValid() {
    qt().withExamples(3_000)
        .withTestingTime(SECONDS, TimeUnit.SECONDS)
        .forAll(RequestGens.requests())
        .checkAssert(
            request -> {
              assertThat(validate(request.pdu())).as("%s", request).isNull();
              assertThat(UnboundIdRequestOracle.judge(request.pdu()).why())
                  .as("%s", request)
                  .isNull();
            });
  }

  @Test
  void mutatedRequestsAreAcceptedExactlyWhenUnboundIdReadsThem() {
    AtomicInteger bothAccept = new AtomicInteger();
    AtomicInteger bothRefuse = new AtomicInteger();
    AtomicInteger documented = new AtomicInteger();
    AtomicInteger trailing = new AtomicInteger();
    AtomicInteger refusedInside = new AtomicInteger();
    qt().withExamples(EXAMPLES)
        .withTestingTime(SECONDS, TimeUnit.SECONDS)
        .forAll(RequestGens.mutatedRequests())
        .checkAssert(
            mutated -> {
              String ours = validate(mutated.pdu());
              Verdict theirs = UnboundIdRequestOracle.judge(mutated.pdu());
              if ((ours == null) == theirs.accepted()) {
                (ours == null ? bothAccept : bothRefuse).incrementAndGet();
                if (ours != null && !ours.startsWith(ENVELOPE)) {
                  refusedInside.incrementAndGet();
                }
                return;
              }
              String difference = documentedDifference(mutated.pdu(), ours, theirs);
              assertThat(difference)
                  .as(
                      "%s%n validator: %s%n UnboundID: %s",
                      mutated,
                      ours == null ? "valid" : ours,
                      theirs.accepted() ? "valid" : theirs.why())
                  .isNotNull();
              // Trailing components are a designed difference met often (mutations that add an
              // element), counted apart from the rarer value-range ones.
              (TRAILING.equals(difference) ? trailing : documented).incrementAndGet();
            });
    // The mutations reach both sides of the line, not only the obvious one.
    assertThat(bothAccept.get()).as("mutated requests both accept").isGreaterThan(100);
    assertThat(bothRefuse.get()).as("mutated requests both refuse").isGreaterThan(1_000);
    assertThat(refusedInside.get())
        .as("refused inside the protocolOp or controls")
        .isGreaterThan(bothRefuse.get() / 4);
    assertThat(trailing.get()).as("requests with trailing components met").isPositive();
    assertThat(documented.get())
        .as("documented differences met")
        .isLessThan((bothAccept.get() + bothRefuse.get()) / 20);
  }

  /**
   * What the validator says: null when valid. A PDU whose envelope {@link LdapMessage} cannot read
   * never reaches the validator; the balancer refuses it the same way.
   */
  private static String validate(byte[] pdu) {
    try {
      return RequestValidator.check(new LdapMessage().parse(Unpooled.wrappedBuffer(pdu)));
    } catch (MalformedPduException e) {
      return ENVELOPE + e.getMessage();
    }
  }

  /** Whether the PDU, which the validator accepted, carries trailing components it skipped. */
  private static boolean hasTrailingComponents(byte[] pdu) {
    try {
      LdapMessage message = new LdapMessage().parse(Unpooled.wrappedBuffer(pdu));
      RequestValidator validator = new RequestValidator();
      return validator.validate(message) == null
          && (message.hasTrailingComponents() || validator.sawExtensions());
    } catch (MalformedPduException e) {
      return false;
    }
  }

  /** Why the two may disagree on this PDU, or null if they must not. */
  private static String documentedDifference(byte[] pdu, String ours, Verdict theirs) {
    if (ours == null) {
      // RFC 4511 §4: trailing SEQUENCE components with tags not recognised are ignored, as slapd
      // does; UnboundID reads a message's trailing element as controls, and its re-encoding of
      // what it read leaves them out.
      if (hasTrailingComponents(pdu)) {
        return TRAILING;
      }
      // RFC 4511 §4.2: the authentication CHOICE is extensible; the balancer answers another
      // method authMethodNotSupported, as slapd does, where UnboundID refuses to read it.
      if (theirs.why().contains("Invalid credentials type")) {
        return "another authentication method";
      }
      // RFC 4511 §4.5.1.7.7: "If the matchingRule field is absent, the type field MUST be
      // present" is a rule for the server to apply; the ASN.1 has both OPTIONAL.
      return theirs.why().contains("either an attribute name or a matching rule ID")
          ? "extensibleMatch with neither matchingRule nor type"
          : null;
    }
    // The validator must have refused it for that reason, not another.
    String expected = outOfRfcRange(theirs.message());
    return ours.equals(expected) ? expected : null;
  }

  /**
   * The validator's reason for the first value UnboundID reads that RFC 4511 does not allow there,
   * or null.
   */
  private static String outOfRfcRange(LDAPMessage message) {
    if (message.getProtocolOp() instanceof SearchRequestProtocolOp search) {
      // §4.5.1.2, .3: ENUMERATED with named values only (scope 3, subordinates, is a common
      // extension); §4.5.1.4, .5: INTEGER (0 .. maxInt).
      if (search.getScope().intValue() < 0 || search.getScope().intValue() > 3) {
        return "scope: value out of range";
      } else if (search.getDerefPolicy().intValue() < 0 || search.getDerefPolicy().intValue() > 3) {
        return "derefAliases: value out of range";
      } else if (search.getSizeLimit() < 0) {
        return "sizeLimit: value out of range";
      } else if (search.getTimeLimit() < 0) {
        return "timeLimit: value out of range";
      }
      // §4.5.1.7: substrings SEQUENCE SIZE (1..MAX).
      return hasEmptySubstrings(search.getFilter()) ? "filter: substrings: empty" : null;
    }
    if (message.getProtocolOp() instanceof ModifyRequestProtocolOp modify) {
      // §4.6: add (0), delete (1), replace (2); increment (3) is RFC 4525's.
      for (Modification m : modify.getModifications()) {
        int type = m.getModificationType().intValue();
        if (type < 0 || type > 3) {
          return "operation: value out of range";
        }
      }
    }
    if (message.getProtocolOp() instanceof AbandonRequestProtocolOp abandon
        && abandon.getIDToAbandon() < 0) {
      // §4.11: MessageID ::= INTEGER (0 .. maxInt)
      return "message ID to abandon: value out of range";
    }
    return null;
  }

  private static boolean hasEmptySubstrings(Filter filter) {
    switch (filter.getFilterType()) {
      case Filter.FILTER_TYPE_AND, Filter.FILTER_TYPE_OR -> {
        for (Filter component : filter.getComponents()) {
          if (hasEmptySubstrings(component)) {
            return true;
          }
        }
        return false;
      }
      case Filter.FILTER_TYPE_NOT -> {
        return hasEmptySubstrings(filter.getNOTComponent());
      }
      case Filter.FILTER_TYPE_SUBSTRING -> {
        return filter.getSubInitialBytes() == null
            && filter.getSubAnyBytes().length == 0
            && filter.getSubFinalBytes() == null;
      }
      default -> {
        return false;
      }
    }
  }
}
