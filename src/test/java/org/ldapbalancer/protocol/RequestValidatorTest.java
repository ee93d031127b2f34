package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hand-made requests of every type, valid and not, each with the reason {@link RequestValidator}
 * must give (null: valid). The elements are written out one by one with {@link #tlv}; where an
 * element itself is the defect, its octets are given literally.
 */
class RequestValidatorTest {
  private static final String DN = "dc=example,dc=com";

  // --- the two requests of the issue -------------------------------------------------------

  @Test
  void aSearchRequestHoldingOnlyItsBaseIsRefused() {
    byte[] pdu = ByteBufUtil.decodeHexDump("30180201016313041164633d6578616d706c652c64633d636f6d");
    String reason = check(pdu);
    assertThat(reason).isEqualTo("scope: missing");
    assertThat(RequestValidator.diagnostic(ProtocolOp.SEARCH_REQUEST, reason))
        .isEqualTo("malformed SearchRequest: scope: missing");
  }

  @Test
  void aControlWhoseCriticalityHasTag0x19IsRefused() {
    byte[] control = tlv(0x30, str(0x04, "1.2.3.4"), raw(0x19, 0x01, 0xff));
    assertThat(check(message(validSearch(), tlv(0xa0, control))))
        .isEqualTo("control: unexpected data after the last field");
  }

  // --- every request type -------------------------------------------------------------------

  static Stream<Arguments> requests() {
    return Stream.of(
        // BindRequest
        valid("simple bind", bind(raw(0x02, 0x01, 0x03), str(0x04, DN), str(0x80, "secret"))),
        valid("anonymous bind", bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), raw(0x80, 0x00))),
        valid(
            "version left to the bind handling",
            bind(raw(0x02, 0x01, 0x02), raw(0x04, 0x00), raw(0x80, 0x00))),
        valid(
            "SASL bind without credentials",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), tlv(0xa3, str(0x04, "EXTERNAL")))),
        valid(
            "SASL bind with credentials",
            bind(
                raw(0x02, 0x01, 0x03),
                raw(0x04, 0x00),
                tlv(0xa3, str(0x04, "PLAIN"), str(0x04, "\0jo\0pw")))),
        invalid(
            "bind without a version",
            bind(str(0x04, DN), raw(0x80, 0x00)),
            "version: unexpected tag"),
        invalid(
            "bind version of 5 octets",
            bind(raw(0x02, 0x05, 0, 0, 0, 0, 3), raw(0x04, 0x00), raw(0x80, 0x00)),
            "version: INTEGER or ENUMERATED without 1 to 4 content octets"),
        invalid(
            "bind name as a constructed string",
            bind(raw(0x02, 0x01, 0x03), tlv(0x24, raw(0x04, 0x00)), raw(0x80, 0x00)),
            "name: unexpected tag"),
        invalid(
            "bind without authentication",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00)),
            "authentication: missing"),
        // Another authentication method: the bind handling answers authMethodNotSupported.
        valid(
            "bind with authentication [1]",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), raw(0x81, 0x00))),
        valid(
            "SASL credentials as a primitive [3]",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), str(0x83, "PLAIN"))),
        invalid(
            "bind with an authentication overrunning the request",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), raw(0x82, 0x05)),
            "authentication: element overruns its container"),
        invalid(
            "bind with an authentication of a multi-octet tag",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), raw(0x9f, 0x20, 0x00)),
            "authentication: multi-octet tag (LDAP uses single-octet tags only)"),
        invalid(
            "SASL without a mechanism",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), raw(0xa3, 0x00)),
            "mechanism: missing"),
        // RFC 4511 §4: trailing components are ignored (slapd does too), if well-formed.
        valid(
            "SASL with a third field",
            bind(
                raw(0x02, 0x01, 0x03),
                raw(0x04, 0x00),
                tlv(0xa3, str(0x04, "PLAIN"), raw(0x04, 0x00), raw(0x04, 0x00)))),
        valid(
            "SASL without credentials, then an extension",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), tlv(0xa3, str(0x04, "EXTERNAL"),
                str(0x89, "x")))),
        invalid(
            "SASL credentials constructed",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), tlv(0xa3, str(0x04, "PLAIN"),
                tlv(0x24, str(0x04, "x")))),
            "credentials: unexpected tag"),
        valid(
            "bind with an element after the authentication",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), raw(0x80, 0x00), raw(0x04, 0x00))),
        invalid(
            "bind with a trailing element that overruns",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), raw(0x80, 0x00), raw(0x89, 0x05)),
            "protocolOp: element overruns its container"),
        invalid(
            "bind with a trailing element with a multi-octet tag",
            bind(raw(0x02, 0x01, 0x03), raw(0x04, 0x00), raw(0x80, 0x00), raw(0x9f, 0x20, 0x00)),
            "protocolOp: multi-octet tag (LDAP uses single-octet tags only)"),

        // UnbindRequest
        valid("unbind", raw(0x42, 0x00)),
        invalid("unbind with content", raw(0x42, 0x01, 0x00), "protocolOp: NULL with content"),

        // SearchRequest
        valid("search", validSearch()),
        valid(
            "search, scope subordinates (3)",
            search(3, 0, raw(0x02, 0x01, 0x00), present("objectClass"), tlv(0x30))),
        valid(
            "search, limits of 4 octets",
            search(
                2, 3, raw(0x02, 0x04, 0x7f, 0xff, 0xff, 0xff), present("objectClass"), tlv(0x30))),
        valid(
            "search, long-form lengths",
            search(
                0,
                0,
                raw(0x02, 0x81, 0x01, 0x00),
                raw(0x87, 0x82, 0x00, 0x02, 'c', 'n'),
                raw(0x30, 0x84, 0, 0, 0, 0))),
        invalid(
            "search, scope 4",
            search(4, 0, raw(0x02, 0x01, 0x00), present("cn"), tlv(0x30)),
            "scope: value out of range"),
        invalid(
            "search, scope -1",
            search(-1, 0, raw(0x02, 0x01, 0x00), present("cn"), tlv(0x30)),
            "scope: value out of range"),
        invalid(
            "search, derefAliases 4",
            search(0, 4, raw(0x02, 0x01, 0x00), present("cn"), tlv(0x30)),
            "derefAliases: value out of range"),
        invalid(
            "search, scope as an INTEGER",
            tlv(
                0x63,
                str(0x04, DN),
                raw(0x02, 0x01, 0x00),
                raw(0x0a, 0x01, 0x00),
                raw(0x02, 0x01, 0x00),
                raw(0x02, 0x01, 0x00),
                raw(0x01, 0x01, 0x00),
                present("cn"),
                tlv(0x30)),
            "scope: unexpected tag"),
        invalid(
            "search, negative sizeLimit",
            search(0, 0, raw(0x02, 0x01, 0xff), present("cn"), tlv(0x30)),
            "sizeLimit: value out of range"),
        invalid(
            "search, empty sizeLimit",
            search(0, 0, raw(0x02, 0x00), present("cn"), tlv(0x30)),
            "sizeLimit: INTEGER or ENUMERATED without 1 to 4 content octets"),
        invalid(
            "search, typesOnly of 2 octets",
            tlv(
                0x63,
                str(0x04, DN),
                raw(0x0a, 0x01, 0x00),
                raw(0x0a, 0x01, 0x00),
                raw(0x02, 0x01, 0x00),
                raw(0x02, 0x01, 0x00),
                raw(0x01, 0x02, 0x00, 0x00),
                present("cn"),
                tlv(0x30)),
            "typesOnly: BOOLEAN without exactly one content octet"),
        invalid(
            "search, no attributes",
            tlv(0x63, searchHead(0, 0), present("cn")),
            "attributes: missing"),
        invalid(
            "search, an attribute that is not an OCTET STRING",
            search(0, 0, raw(0x02, 0x01, 0x00), present("cn"), tlv(0x30, raw(0x02, 0x01, 0x00))),
            "attributes: unexpected tag"),
        valid(
            "search, data after the attributes",
            tlv(0x63, searchHead(0, 0), present("cn"), tlv(0x30), raw(0x04, 0x00))),
        invalid(
            "search, indefinite length after the attributes",
            tlv(0x63, searchHead(0, 0), present("cn"), tlv(0x30), raw(0xa9, 0x80)),
            "protocolOp: indefinite length (LDAP allows definite lengths only)"),
        invalid(
            "search, an attribute overrunning the list",
            tlv(0x63, searchHead(0, 0), present("cn"), raw(0x30, 0x02, 0x04, 0x05)),
            "attributes: element overruns its container"),
        invalid(
            "search, indefinite length",
            tlv(0x63, searchHead(0, 0), present("cn"), raw(0x30, 0x80)),
            "attributes: indefinite length (LDAP allows definite lengths only)"),
        invalid(
            "search, a length of 5 octets",
            tlv(0x63, searchHead(0, 0), present("cn"), raw(0x30, 0x85, 0, 0, 0, 0, 0)),
            "attributes: length of more than 4 octets"),
        invalid(
            "search, length octets cut short",
            tlv(0x63, searchHead(0, 0), present("cn"), raw(0x30, 0x82, 0x00)),
            "attributes: truncated length"),
        invalid(
            "search, a multi-octet tag",
            tlv(0x63, searchHead(0, 0), present("cn"), raw(0x3f, 0x30, 0x00)),
            "attributes: multi-octet tag (LDAP uses single-octet tags only)"),

        // Filters, in a SearchRequest
        validFilter("and", tlv(0xa0, present("cn"), eq("uid", "jo"))),
        validFilter("empty and (RFC 4526)", tlv(0xa0)),
        validFilter("empty or (RFC 4526)", tlv(0xa1)),
        validFilter(
            "or of and and not",
            tlv(0xa1, tlv(0xa0, present("cn")), tlv(0xa2, eq("uid", "jo")), tlv(0xa0))),
        validFilter("not of an empty and", tlv(0xa2, tlv(0xa0))),
        validFilter("not not not", tlv(0xa2, tlv(0xa2, tlv(0xa2, present("cn"))))),
        validFilter(
            "greaterOrEqual, lessOrEqual, approxMatch",
            tlv(
                0xa0,
                tlv(0xa5, str(0x04, "n"), str(0x04, "1")),
                tlv(0xa6, str(0x04, "n"), str(0x04, "9")),
                tlv(0xa8, str(0x04, "cn"), raw(0x04, 0x00)))),
        validFilter(
            "substrings initial any any final",
            substrings(str(0x80, "a"), str(0x81, "b"), str(0x81, "c"), str(0x82, "d"))),
        validFilter("substrings any only", substrings(str(0x81, "b"))),
        validFilter("substrings initial only", substrings(str(0x80, "a"))),
        validFilter("substrings final only", substrings(str(0x82, "a"))),
        validFilter(
            "extensibleMatch, all fields",
            tlv(
                0xa9,
                str(0x81, "caseExactMatch"),
                str(0x82, "cn"),
                str(0x83, "Jo"),
                raw(0x84, 0x01, 0xff))),
        validFilter("extensibleMatch, value only (left to the server)", tlv(0xa9, str(0x83, "Jo"))),
        validFilter(
            "extensibleMatch, dnAttributes FALSE given",
            tlv(0xa9, str(0x82, "cn"), str(0x83, "Jo"), raw(0x84, 0x01, 0x00))),
        invalidFilter("an unknown choice [10]", tlv(0xaa, present("cn")), "filter: unknown choice"),
        invalidFilter("present, constructed", tlv(0xa7, str(0x04, "cn")), "filter: unknown choice"),
        invalidFilter("equalityMatch, primitive", str(0x83, "cn"), "filter: unknown choice"),
        invalidFilter(
            "an unknown choice inside an and",
            tlv(0xa0, present("cn"), raw(0x04, 0x00)),
            "filter: unknown choice"),
        invalidFilter(
            "a filter overrunning its and",
            tlv(0xa0, raw(0x87, 0x05, 'c', 'n')),
            "filter: element overruns its container"),
        invalidFilter("not of nothing", tlv(0xa2), "filter: not: must hold exactly one filter"),
        invalidFilter(
            "not of two filters",
            tlv(0xa2, present("cn"), present("sn")),
            "filter: not: must hold exactly one filter"),
        invalidFilter(
            "not of a non-filter", tlv(0xa2, str(0x04, "cn")), "filter: not: unknown choice"),
        invalidFilter(
            "equalityMatch without a value",
            tlv(0xa3, str(0x04, "cn")),
            "filter: attribute value assertion: missing"),
        invalidFilter(
            "equalityMatch with a third field",
            tlv(0xa3, str(0x04, "cn"), str(0x04, "a"), str(0x04, "b")),
            "filter: attribute value assertion: unexpected data after the last field"),
        invalidFilter("substrings with none", substrings(), "filter: substrings: empty"),
        invalidFilter(
            "substrings initial second",
            substrings(str(0x81, "a"), str(0x80, "b")),
            "filter: substrings: initial must come first and final last, each at most once"),
        invalidFilter(
            "substrings initial twice",
            substrings(str(0x80, "a"), str(0x80, "b")),
            "filter: substrings: initial must come first and final last, each at most once"),
        invalidFilter(
            "substrings any after final",
            substrings(str(0x82, "a"), str(0x81, "b")),
            "filter: substrings: initial must come first and final last, each at most once"),
        invalidFilter(
            "substrings final twice",
            substrings(str(0x82, "a"), str(0x82, "b")),
            "filter: substrings: initial must come first and final last, each at most once"),
        invalidFilter(
            "substrings choice [3]",
            substrings(str(0x83, "a")),
            "filter: substrings: unknown choice"),
        invalidFilter(
            "substrings choice constructed",
            substrings(tlv(0xa0, str(0x04, "a"))),
            "filter: substrings: unknown choice"),
        invalidFilter(
            "substrings type missing",
            tlv(0xa4, tlv(0x30, str(0x80, "a"))),
            "filter: substrings: unexpected tag"),
        invalidFilter(
            "extensibleMatch without a value",
            tlv(0xa9, str(0x82, "cn")),
            "filter: extensibleMatch: missing"),
        invalidFilter(
            "extensibleMatch type before matchingRule",
            tlv(0xa9, str(0x82, "cn"), str(0x81, "caseExactMatch"), str(0x83, "Jo")),
            "filter: extensibleMatch: unexpected tag"),
        invalidFilter(
            "extensibleMatch dnAttributes of 2 octets",
            tlv(0xa9, str(0x83, "Jo"), raw(0x84, 0x02, 0x00, 0x00)),
            "filter: extensibleMatch: BOOLEAN without exactly one content octet"),
        invalidFilter(
            "extensibleMatch, a field after dnAttributes",
            tlv(0xa9, str(0x83, "Jo"), raw(0x84, 0x01, 0xff), str(0x83, "x")),
            "filter: extensibleMatch: unexpected data after the last field"),

        // ModifyRequest
        valid(
            "modify, every operation",
            tlv(
                0x66,
                str(0x04, DN),
                tlv(
                    0x30,
                    change(0, "cn", "a"),
                    change(1, "cn"),
                    change(2, "cn", "b", "c"),
                    change(3, "n", "1")))),
        valid("modify, no changes", tlv(0x66, str(0x04, DN), tlv(0x30))),
        invalid(
            "modify, operation 4",
            tlv(0x66, str(0x04, DN), tlv(0x30, change(4, "cn"))),
            "operation: value out of range"),
        invalid(
            "modify, vals as a SEQUENCE",
            tlv(
                0x66,
                str(0x04, DN),
                tlv(
                    0x30,
                    tlv(
                        0x30,
                        raw(0x0a, 0x01, 0x02),
                        tlv(0x30, str(0x04, "cn"), tlv(0x30, str(0x04, "x")))))),
            "vals: unexpected tag"),
        invalid(
            "modify, a change without modification",
            tlv(0x66, str(0x04, DN), tlv(0x30, tlv(0x30, raw(0x0a, 0x01, 0x02)))),
            "modification: missing"),
        invalid(
            "modify, a change with a third field",
            tlv(
                0x66,
                str(0x04, DN),
                tlv(
                    0x30,
                    tlv(
                        0x30,
                        raw(0x0a, 0x01, 0x02),
                        tlv(0x30, str(0x04, "cn"), tlv(0x31)),
                        raw(0x04, 0x00)))),
            "change: unexpected data after the last field"),
        invalid(
            "modify, a value that is not an OCTET STRING",
            tlv(
                0x66,
                str(0x04, DN),
                tlv(
                    0x30,
                    tlv(
                        0x30,
                        raw(0x0a, 0x01, 0x02),
                        tlv(0x30, str(0x04, "cn"), tlv(0x31, raw(0x02, 0x01, 0x00)))))),
            "vals: unexpected tag"),
        invalid("modify, changes missing", tlv(0x66, str(0x04, DN)), "changes: missing"),

        // AddRequest
        valid(
            "add",
            tlv(
                0x68,
                str(0x04, DN),
                tlv(0x30, attribute("objectClass", "top", "dc"), attribute("dc", "example")))),
        valid(
            "add, an attribute without values (left to the server)",
            tlv(0x68, str(0x04, DN), tlv(0x30, attribute("dc")))),
        invalid(
            "add, an attribute with a third field",
            tlv(
                0x68,
                str(0x04, DN),
                tlv(0x30, tlv(0x30, str(0x04, "dc"), tlv(0x31), raw(0x04, 0x00)))),
            "attributes: unexpected data after the last field"),
        invalid(
            "add, an attribute without type",
            tlv(0x68, str(0x04, DN), tlv(0x30, tlv(0x30, tlv(0x31)))),
            "type: unexpected tag"),
        invalid(
            "add, attributes as a SET",
            tlv(0x68, str(0x04, DN), tlv(0x31)),
            "attributes: unexpected tag"),

        // DelRequest
        valid("delete", str(0x4a, DN)),
        valid("delete of the root DSE", raw(0x4a, 0x00)),
        invalid("delete, constructed", tlv(0x6a, str(0x04, DN)), "protocolOp: not a request"),

        // ModifyDNRequest
        valid("modify DN", tlv(0x6c, str(0x04, DN), str(0x04, "dc=x"), raw(0x01, 0x01, 0xff))),
        valid(
            "modify DN with newSuperior",
            tlv(
                0x6c,
                str(0x04, DN),
                str(0x04, "dc=x"),
                raw(0x01, 0x01, 0x00),
                str(0x80, "dc=com"))),
        invalid(
            "modify DN without deleteoldrdn",
            tlv(0x6c, str(0x04, DN), str(0x04, "dc=x")),
            "deleteoldrdn: missing"),
        invalid(
            "modify DN, empty deleteoldrdn",
            tlv(0x6c, str(0x04, DN), str(0x04, "dc=x"), raw(0x01, 0x00)),
            "deleteoldrdn: BOOLEAN without exactly one content octet"),
        invalid(
            "modify DN, newSuperior constructed",
            tlv(
                0x6c,
                str(0x04, DN),
                str(0x04, "dc=x"),
                raw(0x01, 0x01, 0x00),
                tlv(0xa0, str(0x04, "dc=com"))),
            "newSuperior: unexpected tag"),
        valid(
            "modify DN, a field after newSuperior",
            tlv(
                0x6c,
                str(0x04, DN),
                str(0x04, "dc=x"),
                raw(0x01, 0x01, 0x00),
                str(0x80, "dc=com"),
                raw(0x04, 0x00))),
        valid(
            "modify DN, an extension without newSuperior",
            tlv(0x6c, str(0x04, DN), str(0x04, "dc=x"), raw(0x01, 0x01, 0x00), str(0x89, "x"))),

        // CompareRequest
        valid("compare", tlv(0x6e, str(0x04, DN), tlv(0x30, str(0x04, "dc"), str(0x04, "x")))),
        invalid(
            "compare without a value",
            tlv(0x6e, str(0x04, DN), tlv(0x30, str(0x04, "dc"))),
            "ava: missing"),
        valid(
            "compare, ava with a third field",
            tlv(0x6e, str(0x04, DN), tlv(0x30, str(0x04, "dc"), str(0x04, "x"), str(0x04, "y")))),
        valid(
            "compare, a field after the ava",
            tlv(0x6e, str(0x04, DN), tlv(0x30, str(0x04, "dc"), str(0x04, "x")), raw(0x04, 0x00))),

        // AbandonRequest
        valid("abandon", raw(0x50, 0x01, 0x05)),
        valid("abandon of 2^31-1", raw(0x50, 0x04, 0x7f, 0xff, 0xff, 0xff)),
        invalid(
            "abandon, empty",
            raw(0x50, 0x00),
            "message ID to abandon: INTEGER or ENUMERATED without 1 to 4 content octets"),
        invalid(
            "abandon, 5 octets",
            raw(0x50, 0x05, 0x00, 0x7f, 0xff, 0xff, 0xff),
            "message ID to abandon: INTEGER or ENUMERATED without 1 to 4 content octets"),
        invalid(
            "abandon, negative",
            raw(0x50, 0x01, 0x80),
            "message ID to abandon: value out of range"),

        // ExtendedRequest
        valid("extended, name only", tlv(0x77, str(0x80, Oids.WHO_AM_I))),
        valid("extended, name and value", tlv(0x77, str(0x80, "1.2.3"), str(0x81, "v"))),
        valid("extended, empty value", tlv(0x77, str(0x80, "1.2.3"), raw(0x81, 0x00))),
        invalid("extended, without name", tlv(0x77), "requestName: missing"),
        invalid(
            "extended, name as an OCTET STRING",
            tlv(0x77, str(0x04, "1.2.3")),
            "requestName: unexpected tag"),
        invalid(
            "extended, value before name",
            tlv(0x77, str(0x81, "v"), str(0x80, "1.2.3")),
            "requestName: unexpected tag"),
        invalid(
            "extended, value constructed",
            tlv(0x77, str(0x80, "1.2.3"), tlv(0xa1, str(0x04, "v"))),
            "requestValue: unexpected tag"),
        valid(
            "extended, a field after the value",
            tlv(0x77, str(0x80, "1.2.3"), str(0x81, "v"), str(0x81, "w"))),
        valid(
            "extended, an extension without a value",
            tlv(0x77, str(0x80, "1.2.3"), str(0x89, "w"))),

        // Not requests
        invalid(
            "a SearchResultDone",
            tlv(0x65, raw(0x0a, 0x01, 0x00), raw(0x04, 0x00), raw(0x04, 0x00)),
            "protocolOp: not a request"),
        invalid(
            "an ExtendedResponse",
            tlv(0x78, raw(0x0a, 0x01, 0x00), raw(0x04, 0x00), raw(0x04, 0x00)),
            "protocolOp: not a request"),
        invalid("[APPLICATION 17]", raw(0x71, 0x00), "protocolOp: not a request"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void requestsAreJudged(String what, byte[] op, String reason) {
    assertThat(check(message(op))).as(what).isEqualTo(reason);
  }

  // --- controls -----------------------------------------------------------------------------

  static Stream<Arguments> controls() {
    return Stream.of(
        valid("type only", tlv(0x30, str(0x04, "1.2.3"))),
        valid("type and criticality", tlv(0x30, str(0x04, "1.2.3"), raw(0x01, 0x01, 0xff))),
        valid("type and value", tlv(0x30, str(0x04, "1.2.3"), str(0x04, "v"))),
        valid(
            "all three, and a second control",
            cat(
                tlv(0x30, str(0x04, "1.2.3"), raw(0x01, 0x01, 0x00), raw(0x04, 0x00)),
                tlv(0x30, str(0x04, "1.2.4")))),
        valid("none at all", new byte[0]),
        invalid(
            "value before criticality",
            tlv(0x30, str(0x04, "1.2.3"), raw(0x04, 0x00), raw(0x01, 0x01, 0xff)),
            "control: unexpected data after the last field"),
        invalid(
            "criticality twice",
            tlv(0x30, str(0x04, "1.2.3"), raw(0x01, 0x01, 0xff), raw(0x01, 0x01, 0xff)),
            "control: unexpected data after the last field"),
        invalid(
            "criticality of 2 octets",
            tlv(0x30, str(0x04, "1.2.3"), raw(0x01, 0x02, 0, 0)),
            "criticality: BOOLEAN without exactly one content octet"),
        invalid("without a type", tlv(0x30, raw(0x01, 0x01, 0xff)), "controlType: unexpected tag"),
        invalid("empty", tlv(0x30), "controlType: missing"),
        invalid("not a SEQUENCE", tlv(0x31, str(0x04, "1.2.3")), "control: unexpected tag"),
        invalid(
            "value overrunning the control",
            cat(raw(0x30, 0x09), str(0x04, "1.2.3"), raw(0x04, 0x03)),
            "controlValue: element overruns its container"),
        invalid(
            "a bare OCTET STRING after a control",
            cat(tlv(0x30, str(0x04, "1.2.3")), raw(0x04, 0x00)),
            "control: unexpected tag"),

        // Values slapd decodes as filters, closing the connection on a malformed one.
        valid(
            "Assertion, a filter",
            tlv(0x30, str(0x04, ASSERTION), raw(0x01, 0x01, 0xff),
                tlv(0x04, tlv(0xa0, present("cn"), tlv(0xa3, str(0x04, "sn"), str(0x04, "x")))))),
        valid("Assertion without a value (slapd answers it)", tlv(0x30, str(0x04, ASSERTION))),
        invalid(
            "Assertion, not a filter",
            tlv(0x30, str(0x04, ASSERTION), raw(0x01, 0x01, 0xff), raw(0x04, 0x02, 0x01, 0x02)),
            "controlValue: not a Filter (the Assertion control's value, RFC 4528)"),
        invalid(
            "Assertion, a filter and more",
            tlv(0x30, str(0x04, ASSERTION), tlv(0x04, present("cn"), present("sn"))),
            "controlValue: not a Filter (the Assertion control's value, RFC 4528)"),
        invalid(
            "Assertion, an empty value",
            tlv(0x30, str(0x04, ASSERTION), raw(0x04, 0x00)),
            "controlValue: not a Filter (the Assertion control's value, RFC 4528)"),
        valid(
            "ValuesReturnFilter, two items",
            tlv(0x30, str(0x04, VALUES_RETURN),
                tlv(0x04, tlv(0x30, present("cn"), tlv(0xa3, str(0x04, "sn"), str(0x04, "x")))))),
        invalid(
            "ValuesReturnFilter, not a SEQUENCE",
            tlv(0x30, str(0x04, VALUES_RETURN), tlv(0x04, present("cn"))),
            "controlValue: not a ValuesReturnFilter (RFC 3876)"),
        invalid(
            "ValuesReturnFilter, an and",
            tlv(0x30, str(0x04, VALUES_RETURN), tlv(0x04, tlv(0x30, tlv(0xa0, present("cn"))))),
            "controlValue: not a ValuesReturnFilter (RFC 3876)"),
        invalid(
            "ValuesReturnFilter, a malformed item",
            tlv(0x30, str(0x04, VALUES_RETURN), tlv(0x04, tlv(0x30, tlv(0xa3, str(0x04, "sn"))))),
            "controlValue: not a ValuesReturnFilter (RFC 3876)"),
        valid(
            "another control's value is not looked into",
            tlv(0x30, str(0x04, "1.3.6.1.1.13"), raw(0x04, 0x02, 0x01, 0x02))));
  }

  private static final String ASSERTION = "1.3.6.1.1.12";
  private static final String VALUES_RETURN = "1.2.826.0.1.3344810.2.3";

  @ParameterizedTest(name = "{0}")
  @MethodSource("controls")
  void controlsAreJudged(String what, byte[] controlsContent, String reason) {
    assertThat(check(message(validSearch(), tlv(0xa0, controlsContent))))
        .as(what)
        .isEqualTo(reason);
    // Controls are checked on every request, even those without a response.
    assertThat(check(message(raw(0x50, 0x01, 0x05), tlv(0xa0, controlsContent))))
        .as(what)
        .isEqualTo(reason);
  }

  @Test
  void controlsAreCheckedOnlyWhenTheRequestIsValid() {
    assertThat(check(message(raw(0x42, 0x01, 0x00), tlv(0xa0, tlv(0x31)))))
        .isEqualTo("protocolOp: NULL with content");
  }

  // --- filter depth -------------------------------------------------------------------------

  @Test
  void filtersNestUpToSlapdsDefaultDepth() {
    int max = RequestValidator.MAX_FILTER_DEPTH;
    assertThat(check(message(searchWith(nested(0xa0, max, present("cn")))))).isNull();
    assertThat(check(message(searchWith(nested(0xa2, max, present("cn")))))).isNull();
    // Empty and/or at the deepest level opens nothing more.
    assertThat(check(message(searchWith(nested(0xa1, max, tlv(0xa0)))))).isNull();
    assertThat(check(message(searchWith(nested(0xa0, max + 1, present("cn"))))))
        .isEqualTo("filter: nested more than 1000 deep");
    assertThat(check(message(searchWith(nested(0xa2, max + 1, present("cn"))))))
        .isEqualTo("filter: nested more than 1000 deep");
  }

  @Test
  void aDeepFilterFollowedBySiblingsIsWalkedToItsEnd() {
    // and( not(not(and(cn))), present, or() ) then attributes: the walk must come back out
    // of every level at the right place.
    byte[] filter = tlv(0xa0, nested(0xa2, 2, tlv(0xa0, present("cn"))), present("sn"), tlv(0xa1));
    assertThat(check(message(searchWith(filter)))).isNull();
    byte[] shortened = filter.clone();
    shortened[1]--; // the and now ends inside or()
    assertThat(check(message(searchWith(shortened)))).isNotNull();
  }

  // --- reasons and use ----------------------------------------------------------------------

  @Test
  void diagnosticsNameTheRequestType() {
    assertThat(RequestValidator.diagnostic(ProtocolOp.MODIFY_DN_REQUEST, "entry: missing"))
        .isEqualTo("malformed ModifyDNRequest: entry: missing");
    assertThat(RequestValidator.diagnostic(0x65, RequestValidator.NOT_A_REQUEST_REASON))
        .isEqualTo("unknown request type 0x65");
    for (int tag : new int[] {0x60, 0x42, 0x63, 0x66, 0x68, 0x4a, 0x6c, 0x6e, 0x50, 0x77}) {
      assertThat(RequestValidator.requestName(tag)).as("0x%x", tag).endsWith("Request");
    }
  }

  @Test
  void theSameReasonObjectEveryTime() {
    byte[] pdu = message(search(9, 0, raw(0x02, 0x01, 0x00), present("cn"), tlv(0x30)));
    assertThat(check(pdu)).isSameAs(check(pdu));
  }

  @Test
  void aFrameThatStartsInsideALargerBufferIsReadAtItsOwnIndexes() throws Exception {
    byte[] pdu = message(validSearch());
    ByteBuf buf = Unpooled.buffer();
    buf.writeBytes(new byte[] {0x04, 0x7f, 0x30}); // junk the validator must not look at
    buf.writeBytes(pdu);
    buf.readerIndex(3);
    assertThat(RequestValidator.check(new LdapMessage().parse(buf))).isNull();
    buf.setByte(3 + pdu.length - 5, 0x0b); // the length of the last attribute, "mail"
    assertThat(RequestValidator.check(new LdapMessage().parse(buf))).isNotNull();
  }

  @Test
  void checkingAllocatesNothing() throws Exception {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    LdapMessage valid =
        new LdapMessage()
            .parse(
                Unpooled.wrappedBuffer(
                    message(
                        searchWith(
                            tlv(
                                0xa0,
                                present("objectClass"),
                                substrings(str(0x80, "a"), str(0x82, "z")),
                                tlv(0xa2, eq("uid", "jo")))),
                        tlv(0xa0, tlv(0x30, str(0x04, "1.2.3"))))));
    LdapMessage invalid =
        new LdapMessage().parse(Unpooled.wrappedBuffer(message(searchWith(substrings()))));
    for (int i = 0; i < 20_000; i++) { // warm up the thread's validator and the JIT
      RequestValidator.check(valid);
      RequestValidator.check(invalid);
    }
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    int failures = 0;
    for (int i = 0; i < 100_000; i++) {
      if (RequestValidator.check(valid) != null || RequestValidator.check(invalid) == null) {
        failures++;
      }
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    assertThat(failures).isZero();
    // 200,000 checks: a single allocation each would be megabytes. What remains is the
    // measurement's own.
    assertThat(allocated).isLessThan(10_000);
  }

  // --- building requests --------------------------------------------------------------------

  private static Arguments valid(String what, byte[] op) {
    return Arguments.of(what, op, null);
  }

  private static Arguments invalid(String what, byte[] op, String reason) {
    return Arguments.of(what, op, reason);
  }

  private static Arguments validFilter(String what, byte[] filter) {
    return Arguments.of("filter: " + what, searchWith(filter), null);
  }

  private static Arguments invalidFilter(String what, byte[] filter, String reason) {
    return Arguments.of("filter: " + what, searchWith(filter), reason);
  }

  static String check(byte[] pdu) {
    try {
      return RequestValidator.check(new LdapMessage().parse(Unpooled.wrappedBuffer(pdu)));
    } catch (MalformedPduException e) {
      throw new AssertionError("the test's own envelope is malformed", e);
    }
  }

  /** An LDAPMessage with message ID 1 around {@code op}, and {@code controls} if given. */
  static byte[] message(byte[] op, byte[]... controls) {
    return tlv(0x30, raw(0x02, 0x01, 0x01), op, cat(controls));
  }

  private static byte[] bind(byte[]... fields) {
    return tlv(0x60, fields);
  }

  private static byte[] validSearch() {
    return searchWith(tlv(0xa0, eq("objectClass", "person"), eq("uid", "jo")));
  }

  private static byte[] searchWith(byte[] filter) {
    return tlv(0x63, searchHead(2, 0), filter, tlv(0x30, str(0x04, "cn"), str(0x04, "mail")));
  }

  /** baseObject, scope, derefAliases, sizeLimit 0, timeLimit 0, typesOnly FALSE. */
  private static byte[] searchHead(int scope, int deref) {
    return cat(
        str(0x04, DN),
        raw(0x0a, 0x01, scope),
        raw(0x0a, 0x01, deref),
        raw(0x02, 0x01, 0x00),
        raw(0x02, 0x01, 0x00),
        raw(0x01, 0x01, 0x00));
  }

  private static byte[] search(
      int scope, int deref, byte[] sizeLimit, byte[] filter, byte[] attributes) {
    return tlv(
        0x63,
        str(0x04, DN),
        raw(0x0a, 0x01, scope),
        raw(0x0a, 0x01, deref),
        sizeLimit,
        raw(0x02, 0x01, 0x00),
        raw(0x01, 0x01, 0x00),
        filter,
        attributes);
  }

  private static byte[] present(String type) {
    return str(0x87, type);
  }

  private static byte[] eq(String type, String value) {
    return tlv(0xa3, str(0x04, type), str(0x04, value));
  }

  private static byte[] substrings(byte[]... parts) {
    return tlv(0xa4, str(0x04, "cn"), tlv(0x30, parts));
  }

  /** {@code depth} filters of choice {@code tag}, each holding the next, around {@code inner}. */
  private static byte[] nested(int tag, int depth, byte[] inner) {
    byte[] filter = inner;
    for (int i = 0; i < depth; i++) {
      filter = tlv(tag, filter);
    }
    return filter;
  }

  private static byte[] change(int operation, String type, String... values) {
    return tlv(0x30, raw(0x0a, 0x01, operation), attribute(type, values));
  }

  private static byte[] attribute(String type, String... values) {
    byte[][] vals = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      vals[i] = str(0x04, values[i]);
    }
    return tlv(0x30, str(0x04, type), tlv(0x31, vals));
  }

  /** An element with a definite length in its shortest form. */
  static byte[] tlv(int tag, byte[]... content) {
    byte[] value = cat(content);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n <= 0xff) {
      out.write(0x81);
      out.write(n);
    } else if (n <= 0xffff) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  static byte[] str(int tag, String value) {
    return tlv(tag, value.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] raw(int... octets) {
    byte[] bytes = new byte[octets.length];
    for (int i = 0; i < octets.length; i++) {
      bytes[i] = (byte) octets[i];
    }
    return bytes;
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
