package org.ldapbalancer.protocol;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.protocol.SearchResultEntryProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.SearchScope;
import java.util.List;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** QuickTheories generators of LDAP values, built on UnboundID's protocol op classes. */
final class LdapGens {
  /** Lengths at which a BER length field changes size, or an encoding changes form. */
  private static final List<Integer> BOUNDARIES = List.of(0, 127, 128, 255, 256, 65535, 65536);

  private LdapGens() {}

  static Gen<Integer> messageIds() {
    return Generate.oneOf(
        integers().between(1, Integer.MAX_VALUE),
        Generate.pick(List.of(1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 0x7fffff,
            0x800000, Integer.MAX_VALUE)));
  }

  /** A length near one of {@link #BOUNDARIES}, or a small one. */
  static Gen<Integer> lengthsNearBoundaries(int max) {
    Gen<Integer> near =
        Generate.pick(BOUNDARIES)
            .zip(integers().between(-6, 6), (b, d) -> Math.max(0, Math.min(max, b + d)));
    return Generate.frequency(
        org.quicktheories.api.Pair.of(3, near),
        org.quicktheories.api.Pair.of(2, integers().between(0, 40)));
  }

  /** Code points from every UTF-8 length, no surrogates (they are not characters). */
  static Gen<Integer> codePoints() {
    return Generate.frequency(
        org.quicktheories.api.Pair.of(6, integers().between(0x20, 0x7e)),
        org.quicktheories.api.Pair.of(2, integers().between(0xa0, 0x7ff)),
        org.quicktheories.api.Pair.of(1, integers().between(0x800, 0xd7ff)),
        org.quicktheories.api.Pair.of(1, integers().between(0xe000, 0xfffd)),
        org.quicktheories.api.Pair.of(1, integers().between(0x10000, 0x10ffff)));
  }

  static Gen<String> text(int minLength, int maxLength) {
    return Generate.intArrays(integers().between(minLength, maxLength), codePoints())
        .map(cps -> new String(cps, 0, cps.length));
  }

  /** ASCII filler of a length near a boundary, so whole elements cross length-form limits. */
  static Gen<String> filler() {
    return lengthsNearBoundaries(65542).map("x"::repeat);
  }

  static Gen<String> dns() {
    return text(0, 30).zip(filler(), (t, f) -> t.isEmpty() && f.isEmpty() ? "" : "cn=" + t + f
        + ",dc=example,dc=com");
  }

  static Gen<String> attributeNames() {
    return integers().between(1, 20).zip(integers().between(0, 9999),
        (n, k) -> "attr" + k + "x".repeat(n));
  }

  static Gen<SearchRequestProtocolOp> searchRequests() {
    Gen<List<String>> attributes =
        lists().of(attributeNames()).ofSizes(Generate.pick(List.of(0, 1, 2, 5, 40)));
    Gen<Filter> filters =
        attributeNames().zip(text(0, 300), Filter::createEqualityFilter);
    Gen<Integer> limits = integers().between(0, Integer.MAX_VALUE);
    return dns().zip(attributes, filters, limits,
        (dn, attrs, filter, limit) ->
            new SearchRequestProtocolOp(dn, SearchScope.definedValueOf(limit % 3),
                DereferencePolicy.definedValueOf(limit % 4), limit, limit % 3600,
                limit % 2 == 0, filter, attrs));
  }

  static Gen<byte[]> bytes(int max) {
    return Generate.byteArrays(lengthsNearBoundaries(max),
        Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
  }

  /** A control with an OID the SDK has no special decoder for, so it round-trips as it is. */
  static Gen<Control> controls() {
    Gen<String> oids = integers().between(0, 100000).map(n -> "1.3.6.1.4.1.99999." + n);
    Gen<ASN1OctetString> values =
        Generate.oneOf(Generate.constant((ASN1OctetString) null),
            bytes(300).map(b -> new ASN1OctetString(b)));
    return oids.zip(Generate.booleans(), values, Control::new);
  }

  static Gen<List<Control>> controlLists() {
    return lists().of(controls()).ofSizeBetween(0, 3);
  }

  static Gen<SearchResultEntryProtocolOp> searchResultEntries() {
    Gen<Attribute> attribute =
        attributeNames().zip(lists().of(bytes(70000)).ofSizeBetween(1, 3),
            (name, values) -> new Attribute(name, values.toArray(byte[][]::new)));
    return dns().zip(lists().of(attribute).ofSizeBetween(0, 4), SearchResultEntryProtocolOp::new);
  }

  static Gen<SearchResultDoneProtocolOp> searchResultDones() {
    Gen<List<String>> referrals =
        lists().of(text(0, 10).map(t -> "ldap://h.example.com/" + t.codePoints().count()))
            .ofSizeBetween(0, 2);
    return integers().between(0, 123).zip(dns(), text(0, 300), referrals,
        SearchResultDoneProtocolOp::new);
  }
}
