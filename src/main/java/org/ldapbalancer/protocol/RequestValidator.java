package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * Checks a whole client request before it is forwarded: the BER structure of every element and the
 * LDAP grammar of the request's protocolOp (RFC 4511 §4.2–§4.14) and of its controls (§4.1.11). A
 * request that is framed well but malformed inside must not reach a shared upstream connection:
 * slapd answers it with a Notice of Disconnection and closes that connection, and every other
 * client's operations on it would fail.
 *
 * <pre>{@code
 * String problem = RequestValidator.check(view.parse(frame));
 * if (problem != null) {
 *   disconnect(ResultCode.PROTOCOL_ERROR, RequestValidator.diagnostic(view.opTag(), problem));
 * }
 * }</pre>
 *
 * <p>One pass over the frame's bytes in place, as {@link Ber} reads them; nothing is allocated and
 * nothing thrown, valid or not. The envelope (message ID, protocolOp extent, controls extent) is
 * {@link LdapMessage#parse}'s; the message ID's value is the caller's to judge. What is checked:
 * definite lengths of at most 4 octets, single-octet tags, each element within its container and
 * every constructed element exactly filled by the elements the grammar allows there, in its order
 * (followed, where slapd ignores them, by well-formed trailing components: RFC 4511 §4's
 * extensibility, see {@link #extensions});
 * BOOLEAN content of one octet; INTEGER and ENUMERATED content of 1 to 4 octets, and the value
 * ranges RFC 4511 gives (scope, derefAliases, limits, modify operation, abandoned message ID). Not
 * checked: what only the server can judge and answers with a result instead of closing the
 * connection (UTF-8, DN and OID syntax, the bind version, attribute descriptions, an
 * extensibleMatch with neither matchingRule nor type).
 *
 * <p>Thread-safety: an instance belongs to one thread (it keeps the filter walk's stack); {@link
 * #check} uses one per thread.
 */
public final class RequestValidator {
  /**
   * How deeply filters may nest: slapd's default {@code olcMaxFilterDepth}. slapd closes the
   * connection of a request nested deeper, so such a request must stop here; anything slapd serves
   * passes.
   */
  public static final int MAX_FILTER_DEPTH = 1000;

  private static final FastThreadLocal<RequestValidator> PER_THREAD =
      new FastThreadLocal<>() {
        @Override
        protected RequestValidator initialValue() {
          return new RequestValidator();
        }
      };

  private static final int BOOLEAN = Ber.BOOLEAN;
  private static final int INTEGER = Ber.INTEGER;
  private static final int OCTET_STRING = Ber.OCTET_STRING;
  private static final int ENUMERATED = Ber.ENUMERATED;
  private static final int SEQUENCE = Ber.SEQUENCE;
  private static final int SET = Ber.SET;

  /** Context-specific primitive [0]..[4] and constructed [3]. */
  private static final int CONTEXT_0 = 0x80;

  private static final int CONTEXT_1 = 0x81;
  private static final int CONTEXT_2 = 0x82;
  private static final int CONTEXT_3 = 0x83;
  private static final int CONTEXT_4 = 0x84;
  private static final int CONTEXT_3_CONSTRUCTED = 0xa3;

  /** Marks a {@link #tagAndLength} with no length octet. */
  private static final int NO_LENGTH = 0x10000;

  // Filter choices (RFC 4511 §4.5.1.7), IMPLICIT tags.
  private static final int AND = 0xa0;
  private static final int OR = 0xa1;
  private static final int NOT = 0xa2;
  private static final int EQUALITY_MATCH = 0xa3;
  private static final int SUBSTRINGS = 0xa4;
  private static final int GREATER_OR_EQUAL = 0xa5;
  private static final int LESS_OR_EQUAL = 0xa6;
  private static final int PRESENT = 0x87;
  private static final int APPROX_MATCH = 0xa8;
  private static final int EXTENSIBLE_MATCH = 0xa9;

  // Where a problem was found: the field names of RFC 4511's ASN.1.
  private static final String[] FIELDS = {
    "protocolOp",
    "version",
    "name",
    "authentication",
    "mechanism",
    "credentials",
    "baseObject",
    "scope",
    "derefAliases",
    "sizeLimit",
    "timeLimit",
    "typesOnly",
    "filter",
    "filter: not",
    "filter: attribute value assertion",
    "filter: substrings",
    "filter: extensibleMatch",
    "attributes",
    "object",
    "changes",
    "change",
    "operation",
    "modification",
    "type",
    "vals",
    "entry",
    "newrdn",
    "deleteoldrdn",
    "newSuperior",
    "ava",
    "message ID to abandon",
    "requestName",
    "requestValue",
    "controls",
    "control",
    "controlType",
    "criticality",
    "controlValue"
  };
  private static final int OP = 0;
  private static final int VERSION = 1;
  private static final int NAME = 2;
  private static final int AUTHENTICATION = 3;
  private static final int MECHANISM = 4;
  private static final int CREDENTIALS = 5;
  private static final int BASE_OBJECT = 6;
  private static final int SCOPE = 7;
  private static final int DEREF_ALIASES = 8;
  private static final int SIZE_LIMIT = 9;
  private static final int TIME_LIMIT = 10;
  private static final int TYPES_ONLY = 11;
  private static final int FILTER = 12;
  private static final int FILTER_NOT = 13;
  private static final int FILTER_AVA = 14;
  private static final int FILTER_SUBSTRINGS = 15;
  private static final int FILTER_EXTENSIBLE = 16;
  private static final int ATTRIBUTES = 17;
  private static final int OBJECT = 18;
  private static final int CHANGES = 19;
  private static final int CHANGE = 20;
  private static final int OPERATION = 21;
  private static final int MODIFICATION = 22;
  private static final int TYPE = 23;
  private static final int VALS = 24;
  private static final int ENTRY = 25;
  private static final int NEWRDN = 26;
  private static final int DELETE_OLD_RDN = 27;
  private static final int NEW_SUPERIOR = 28;
  private static final int AVA = 29;
  private static final int ABANDONED_ID = 30;
  private static final int REQUEST_NAME = 31;
  private static final int REQUEST_VALUE = 32;
  private static final int CONTROLS = 33;
  private static final int CONTROL = 34;
  private static final int CONTROL_TYPE = 35;
  private static final int CRITICALITY = 36;
  private static final int CONTROL_VALUE = 37;

  // What was wrong there.
  private static final String[] PROBLEMS = {
    "missing",
    "unexpected tag",
    "unknown choice",
    "multi-octet tag (LDAP uses single-octet tags only)",
    "truncated length",
    "indefinite length (LDAP allows definite lengths only)",
    "length of more than 4 octets",
    "element overruns its container",
    "BOOLEAN without exactly one content octet",
    "INTEGER or ENUMERATED without 1 to 4 content octets",
    "value out of range",
    "unexpected data after the last field",
    "NULL with content",
    "empty",
    "initial must come first and final last, each at most once",
    "nested more than " + MAX_FILTER_DEPTH + " deep",
    "must hold exactly one filter",
    "not a request",
    "not a Filter (the Assertion control's value, RFC 4528)",
    "not a ValuesReturnFilter (RFC 3876)"
  };
  private static final int MISSING = 0;
  private static final int WRONG_TAG = 1;
  private static final int UNKNOWN_CHOICE = 2;
  private static final int MULTI_OCTET_TAG = 3;
  private static final int TRUNCATED = 4;
  private static final int INDEFINITE = 5;
  private static final int LENGTH_TOO_LONG = 6;
  private static final int OVERRUN = 7;
  private static final int BOOLEAN_SIZE = 8;
  private static final int INTEGER_SIZE = 9;
  private static final int OUT_OF_RANGE = 10;
  private static final int TRAILING = 11;
  private static final int NOT_NULL = 12;
  private static final int EMPTY = 13;
  private static final int SUBSTRING_ORDER = 14;
  private static final int TOO_DEEP = 15;
  private static final int NOT_ONE_FILTER = 16;
  private static final int NOT_A_REQUEST = 17;
  private static final int NOT_AN_ASSERTION = 18;
  private static final int NOT_A_VALUES_RETURN_FILTER = 19;

  /**
   * The controls whose values slapd decodes as filters, and on a malformed one closes the
   * connection (a Notice of Disconnection, "error decoding filter" / "error decoding vrFilter")
   * rather than answer the operation: their values are checked here, or one client's control
   * would cut a shared upstream connection. The OIDs as the bytes of an LDAPOID.
   */
  private static final byte[] ASSERTION_OID = "1.3.6.1.1.12".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] VALUES_RETURN_FILTER_OID =
      "1.2.826.0.1.3344810.2.3".getBytes(StandardCharsets.US_ASCII);

  /** Every field–problem pair's text, made once: failing allocates nothing either. */
  private static final String[] REASONS = reasons();

  private static final String SCOPE_OUT_OF_RANGE = reason(SCOPE, OUT_OF_RANGE);
  private static final String DEREF_OUT_OF_RANGE = reason(DEREF_ALIASES, OUT_OF_RANGE);
  private static final String OPERATION_OUT_OF_RANGE = reason(OPERATION, OUT_OF_RANGE);

  /** The reason a non-request protocolOp fails with. */
  public static final String NOT_A_REQUEST_REASON = reason(OP, NOT_A_REQUEST);

  /** Ends of the filters (and, or, not) the walk is inside, innermost last. */
  private final int[] filterEnds = new int[MAX_FILTER_DEPTH];

  private ByteBuf buf;

  /** Content bounds of the element the last successful {@link #header} read. */
  private int start;

  private int end;

  /** The value of the INTEGER or ENUMERATED the last successful {@link #integer} read. */
  private int value;

  private String failure;

  /** Whether the last request {@link #validate}d had trailing components ({@link #extensions}). */
  private boolean sawExtensions;

  private static String[] reasons() {
    String[] reasons = new String[FIELDS.length * PROBLEMS.length];
    for (int f = 0; f < FIELDS.length; f++) {
      for (int p = 0; p < PROBLEMS.length; p++) {
        reasons[f * PROBLEMS.length + p] = FIELDS[f] + ": " + PROBLEMS[p];
      }
    }
    return reasons;
  }

  private static String reason(int field, int problem) {
    return REASONS[field * PROBLEMS.length + problem];
  }

  /**
   * Checks the request {@code message} was parsed from, with this thread's validator.
   *
   * @return null when the request is valid, otherwise what is wrong (a constant, e.g. {@code
   *     "filter: substrings: empty"})
   */
  public static String check(LdapMessage message) {
    return PER_THREAD.get().validate(message);
  }

  /**
   * For a request {@link #check} refused only because an enumeration holds a value RFC 4511
   * leaves room for ({@code ...}) but no server knows (a search scope or alias dereferencing
   * beyond those defined, a modify operation beyond increment): the diagnostic to answer it with,
   * protocolError, as slapd answers it, leaving the connection open; null for any other problem,
   * which ends the connection.
   */
  public static String refusal(String reason) {
    if (reason == SCOPE_OUT_OF_RANGE) {
      return "invalid scope"; // slapd's words
    }
    if (reason == DEREF_OUT_OF_RANGE) {
      return "invalid deref";
    }
    if (reason == OPERATION_OUT_OF_RANGE) {
      return "unrecognized modify operation";
    }
    return null;
  }

  /**
   * The diagnostic message for a request that {@link #check} refused: it names the request type,
   * e.g. {@code "malformed SearchRequest: filter: unknown choice"}.
   */
  public static String diagnostic(int opTag, String reason) {
    String name = requestName(opTag);
    if (name == null) {
      return "unknown request type 0x" + Integer.toHexString(opTag);
    }
    return "malformed " + name + ": " + reason;
  }

  /** The ASN.1 name of a request's protocolOp, or null if the tag is not a request's. */
  public static String requestName(int opTag) {
    return switch (opTag) {
      case ProtocolOp.BIND_REQUEST -> "BindRequest";
      case ProtocolOp.UNBIND_REQUEST -> "UnbindRequest";
      case ProtocolOp.SEARCH_REQUEST -> "SearchRequest";
      case ProtocolOp.MODIFY_REQUEST -> "ModifyRequest";
      case ProtocolOp.ADD_REQUEST -> "AddRequest";
      case ProtocolOp.DEL_REQUEST -> "DelRequest";
      case ProtocolOp.MODIFY_DN_REQUEST -> "ModifyDNRequest";
      case ProtocolOp.COMPARE_REQUEST -> "CompareRequest";
      case ProtocolOp.ABANDON_REQUEST -> "AbandonRequest";
      case ProtocolOp.EXTENDED_REQUEST -> "ExtendedRequest";
      default -> null;
    };
  }

  /**
   * Whether the last request {@link #validate}d carried trailing components inside its
   * protocolOp (RFC 4511 §4), which were skipped.
   */
  boolean sawExtensions() {
    return sawExtensions;
  }

  /** As {@link #check}, with this instance; only its owning thread may call it. */
  public String validate(LdapMessage message) {
    buf = message.frame();
    failure = null;
    sawExtensions = false;
    int from = message.opContentStart();
    int to = message.opEnd();
    boolean valid =
        switch (message.opTag()) {
          case ProtocolOp.BIND_REQUEST -> bindRequest(from, to);
          // RFC 4511 §4.3: [APPLICATION 2] NULL.
          case ProtocolOp.UNBIND_REQUEST -> from == to || fail(OP, NOT_NULL);
          case ProtocolOp.SEARCH_REQUEST -> searchRequest(from, to);
          case ProtocolOp.MODIFY_REQUEST -> modifyRequest(from, to);
          case ProtocolOp.ADD_REQUEST -> addRequest(from, to);
          // RFC 4511 §4.8: [APPLICATION 10] LDAPDN, a primitive OCTET STRING.
          case ProtocolOp.DEL_REQUEST -> true;
          case ProtocolOp.MODIFY_DN_REQUEST -> modifyDnRequest(from, to);
          case ProtocolOp.COMPARE_REQUEST -> compareRequest(from, to);
          case ProtocolOp.ABANDON_REQUEST -> abandonRequest(from, to);
          case ProtocolOp.EXTENDED_REQUEST -> extendedRequest(from, to);
          default -> fail(OP, NOT_A_REQUEST);
        };
    if (valid && message.hasControls()) {
      valid = controls(message.controlsStart(), message.controlsEnd());
    }
    buf = null;
    return valid ? null : failure;
  }

  /**
   * BindRequest (§4.2): version INTEGER, name LDAPDN, authentication CHOICE { simple [0] OCTET
   * STRING, sasl [3] SaslCredentials }. The version's value is left to the bind handling, which
   * answers an unsupported one.
   */
  private boolean bindRequest(int p, int limit) {
    if (!integer(p, limit, INTEGER, VERSION)) {
      return false;
    }
    if (!expect(end, limit, OCTET_STRING, NAME)) {
      return false;
    }
    p = end;
    if (p >= limit) {
      return fail(AUTHENTICATION, MISSING);
    }
    int tagAndLength = tagAndLength(p, limit);
    int tag = tagOf(tagAndLength);
    if ((tag & 0x1f) == 0x1f) {
      return fail(AUTHENTICATION, MULTI_OCTET_TAG);
    }
    if (!header(p, tagAndLength, limit, AUTHENTICATION)) {
      return false;
    }
    if (tag != CONTEXT_0 && tag != CONTEXT_3_CONSTRUCTED) {
      // Another authentication method (the CHOICE is extensible): well-formed, it is answered
      // authMethodNotSupported (7) by the bind handling, as slapd answers it.
      return extensions(end, limit, OP);
    }
    int authEnd = end;
    if (tag == CONTEXT_3_CONSTRUCTED) {
      // SaslCredentials ::= SEQUENCE { mechanism LDAPString, credentials OCTET STRING OPTIONAL }
      if (!expect(start, authEnd, OCTET_STRING, MECHANISM)) {
        return false;
      }
      if (end < authEnd && sameTagNumber(tagAndLength(end, authEnd), OCTET_STRING)
          && !expect(end, authEnd, OCTET_STRING, CREDENTIALS)) {
        return false;
      }
      if (!extensions(end, authEnd, AUTHENTICATION)) {
        return false;
      }
    }
    return extensions(authEnd, limit, OP);
  }

  /**
   * SearchRequest (§4.5.1): baseObject, scope, derefAliases, sizeLimit, timeLimit, typesOnly,
   * filter, attributes.
   */
  private boolean searchRequest(int p, int limit) {
    if (!expect(p, limit, OCTET_STRING, BASE_OBJECT)) {
      return false;
    }
    // scope 3 is subordinateSubtree (draft-sermersheim-ldap-subordinate-scope), widely used.
    if (!enumerated(end, limit, SCOPE, 3)) {
      return false;
    }
    if (!enumerated(end, limit, DEREF_ALIASES, 3)) {
      return false;
    }
    if (!nonNegative(end, limit, SIZE_LIMIT)) {
      return false;
    }
    if (!nonNegative(end, limit, TIME_LIMIT)) {
      return false;
    }
    if (!bool(end, limit, BOOLEAN, TYPES_ONLY)) {
      return false;
    }
    p = filter(end, limit);
    if (p < 0) {
      return false;
    }
    // AttributeSelection ::= SEQUENCE OF selector LDAPString
    if (!expect(p, limit, SEQUENCE, ATTRIBUTES)) {
      return false;
    }
    int attributesEnd = end;
    for (p = start; p < attributesEnd; p = end) {
      if (!expect(p, attributesEnd, OCTET_STRING, ATTRIBUTES)) {
        return false;
      }
    }
    return extensions(attributesEnd, limit, OP);
  }

  /**
   * Walks the Filter at {@code p} (§4.5.1.7) without recursion: the ends of the and, or and not
   * filters it is inside are kept in {@link #filterEnds}.
   *
   * @return the index just past the filter, or -1 if it is malformed
   */
  private int filter(int p, int limit) {
    int depth = 0;
    do {
      int container = depth == 0 ? limit : filterEnds[depth - 1];
      if (p >= container) {
        fail(FILTER, MISSING);
        return -1;
      }
      int tagAndLength = tagAndLength(p, container);
      int tag = tagOf(tagAndLength);
      if (!isFilterChoice(tag)) {
        fail(FILTER, UNKNOWN_CHOICE);
        return -1;
      }
      if (!header(p, tagAndLength, container, FILTER)) {
        return -1;
      }
      int filterEnd = end;
      switch (tag) {
        case AND, OR -> {
          // SET OF Filter; empty is absolute true or false (RFC 4526).
          if (start < filterEnd) {
            if (depth == MAX_FILTER_DEPTH) {
              fail(FILTER, TOO_DEEP);
              return -1;
            }
            filterEnds[depth++] = filterEnd;
            p = start;
            continue;
          }
        }
        case NOT -> {
          if (depth == MAX_FILTER_DEPTH) {
            fail(FILTER, TOO_DEEP);
            return -1;
          }
          // Exactly one Filter: its extent must be the not's whole content.
          if (start == filterEnd) {
            fail(FILTER_NOT, NOT_ONE_FILTER);
            return -1;
          }
          int child = start;
          int childTagAndLength = tagAndLength(child, filterEnd);
          if (!isFilterChoice(tagOf(childTagAndLength))) {
            fail(FILTER_NOT, UNKNOWN_CHOICE);
            return -1;
          }
          if (!header(child, childTagAndLength, filterEnd, FILTER_NOT)) {
            return -1;
          }
          if (end != filterEnd) {
            fail(FILTER_NOT, NOT_ONE_FILTER);
            return -1;
          }
          filterEnds[depth++] = filterEnd;
          p = child;
          continue;
        }
        case EQUALITY_MATCH, GREATER_OR_EQUAL, LESS_OR_EQUAL, APPROX_MATCH -> {
          if (!attributeValueAssertion(start, filterEnd, FILTER_AVA)) {
            return -1;
          }
        }
        case SUBSTRINGS -> {
          if (!substrings(start, filterEnd)) {
            return -1;
          }
        }
        case PRESENT -> {
          // AttributeDescription, primitive: nothing inside to check.
        }
        default -> { // EXTENSIBLE_MATCH, the last choice isFilterChoice allows
          if (!extensibleMatch(start, filterEnd)) {
            return -1;
          }
        }
      }
      // A whole filter ends at filterEnd: so do the and, or and not filters that end there.
      p = filterEnd;
      while (depth > 0 && p == filterEnds[depth - 1]) {
        depth--;
      }
    } while (depth > 0);
    return p;
  }

  /** [0] to [9]: present [7] is primitive, every other choice constructed. */
  private static boolean isFilterChoice(int tag) {
    return tag == PRESENT || (tag >= AND && tag <= EXTENSIBLE_MATCH && tag != (PRESENT | 0x20));
  }

  /** AttributeValueAssertion ::= SEQUENCE { attributeDesc, assertionValue OCTET STRING }. */
  private boolean attributeValueAssertion(int p, int limit, int field) {
    if (!expect(p, limit, OCTET_STRING, field)) {
      return false;
    }
    if (!expect(end, limit, OCTET_STRING, field)) {
      return false;
    }
    return end == limit || fail(field, TRAILING);
  }

  /**
   * SubstringFilter ::= SEQUENCE { type, substrings SEQUENCE SIZE (1..MAX) OF CHOICE { initial [0],
   * any [1], final [2] } }: initial at most once and first, final at most once and last.
   */
  private boolean substrings(int p, int limit) {
    if (!expect(p, limit, OCTET_STRING, FILTER_SUBSTRINGS)) {
      return false;
    }
    if (!expect(end, limit, SEQUENCE, FILTER_SUBSTRINGS)) {
      return false;
    }
    int listEnd = end;
    if (start == listEnd) {
      return fail(FILTER_SUBSTRINGS, EMPTY);
    }
    boolean first = true;
    for (p = start; p < listEnd; p = end) {
      int tagAndLength = tagAndLength(p, listEnd);
      int tag = tagOf(tagAndLength);
      if (tag == CONTEXT_0 && !first) {
        return fail(FILTER_SUBSTRINGS, SUBSTRING_ORDER);
      } else if (tag != CONTEXT_0 && tag != CONTEXT_1 && tag != CONTEXT_2) {
        return fail(FILTER_SUBSTRINGS, UNKNOWN_CHOICE);
      }
      if (!header(p, tagAndLength, listEnd, FILTER_SUBSTRINGS)) {
        return false;
      }
      if (tag == CONTEXT_2 && end != listEnd) {
        return fail(FILTER_SUBSTRINGS, SUBSTRING_ORDER);
      }
      first = false;
    }
    return listEnd == limit || fail(FILTER_SUBSTRINGS, TRAILING);
  }

  /**
   * MatchingRuleAssertion ::= SEQUENCE { matchingRule [1] OPTIONAL, type [2] OPTIONAL, matchValue
   * [3], dnAttributes [4] BOOLEAN DEFAULT FALSE }. That one of matchingRule and type must be
   * present is the server's to judge (slapd answers, it does not disconnect).
   */
  private boolean extensibleMatch(int p, int limit) {
    // matchingRule [1], then type [2], each optional.
    for (int optional = CONTEXT_1; optional <= CONTEXT_2 && p < limit; optional++) {
      int tagAndLength = tagAndLength(p, limit);
      if (tagOf(tagAndLength) == optional) {
        if (!header(p, tagAndLength, limit, FILTER_EXTENSIBLE)) {
          return false;
        }
        p = end;
      }
    }
    if (!expect(p, limit, CONTEXT_3, FILTER_EXTENSIBLE)) {
      return false;
    }
    p = end;
    if (p < limit && buf.getUnsignedByte(p) == CONTEXT_4) {
      if (!bool(p, limit, CONTEXT_4, FILTER_EXTENSIBLE)) {
        return false;
      }
      p = end;
    }
    return p == limit || fail(FILTER_EXTENSIBLE, TRAILING);
  }

  /**
   * ModifyRequest (§4.6): object, changes SEQUENCE OF change SEQUENCE { operation ENUMERATED (add
   * 0, delete 1, replace 2; increment 3, RFC 4525), modification PartialAttribute }.
   */
  private boolean modifyRequest(int p, int limit) {
    if (!expect(p, limit, OCTET_STRING, OBJECT)) {
      return false;
    }
    if (!expect(end, limit, SEQUENCE, CHANGES)) {
      return false;
    }
    int changesEnd = end;
    for (p = start; p < changesEnd; ) {
      if (!expect(p, changesEnd, SEQUENCE, CHANGE)) {
        return false;
      }
      int changeEnd = end;
      if (!enumerated(start, changeEnd, OPERATION, 3)) {
        return false;
      }
      if (!attribute(end, changeEnd, MODIFICATION)) {
        return false;
      }
      if (end != changeEnd) {
        return fail(CHANGE, TRAILING);
      }
      p = changeEnd;
    }
    return extensions(changesEnd, limit, OP);
  }

  /** AddRequest (§4.7): entry, attributes SEQUENCE OF Attribute. */
  private boolean addRequest(int p, int limit) {
    if (!expect(p, limit, OCTET_STRING, ENTRY)) {
      return false;
    }
    if (!expect(end, limit, SEQUENCE, ATTRIBUTES)) {
      return false;
    }
    int attributesEnd = end;
    for (p = start; p < attributesEnd; p = end) {
      if (!attribute(p, attributesEnd, ATTRIBUTES)) {
        return false;
      }
    }
    return extensions(attributesEnd, limit, OP);
  }

  /**
   * PartialAttribute ::= SEQUENCE { type AttributeDescription, vals SET OF value }. That an added
   * attribute has a value is the server's to judge. Leaves {@link #end} at the attribute's end.
   */
  private boolean attribute(int p, int limit, int field) {
    if (!expect(p, limit, SEQUENCE, field)) {
      return false;
    }
    int attributeEnd = end;
    if (!expect(start, attributeEnd, OCTET_STRING, TYPE)) {
      return false;
    }
    if (!expect(end, attributeEnd, SET, VALS)) {
      return false;
    }
    int valsEnd = end;
    if (valsEnd != attributeEnd) {
      return fail(field, TRAILING);
    }
    for (p = start; p < valsEnd; p = end) {
      if (!expect(p, valsEnd, OCTET_STRING, VALS)) {
        return false;
      }
    }
    end = attributeEnd;
    return true;
  }

  /**
   * ModifyDNRequest (§4.9): entry, newrdn, deleteoldrdn BOOLEAN, newSuperior [0] LDAPDN OPTIONAL.
   */
  private boolean modifyDnRequest(int p, int limit) {
    if (!expect(p, limit, OCTET_STRING, ENTRY)) {
      return false;
    }
    if (!expect(end, limit, OCTET_STRING, NEWRDN)) {
      return false;
    }
    if (!bool(end, limit, BOOLEAN, DELETE_OLD_RDN)) {
      return false;
    }
    if (end < limit && sameTagNumber(tagAndLength(end, limit), CONTEXT_0)
        && !expect(end, limit, CONTEXT_0, NEW_SUPERIOR)) {
      return false;
    }
    return extensions(end, limit, OP);
  }

  /** CompareRequest (§4.10): entry, ava AttributeValueAssertion. */
  private boolean compareRequest(int p, int limit) {
    if (!expect(p, limit, OCTET_STRING, ENTRY)) {
      return false;
    }
    if (!expect(end, limit, SEQUENCE, AVA)) {
      return false;
    }
    int avaEnd = end;
    if (!expect(start, avaEnd, OCTET_STRING, AVA) || !expect(end, avaEnd, OCTET_STRING, AVA)) {
      return false;
    }
    return extensions(end, avaEnd, AVA) && extensions(avaEnd, limit, OP);
  }

  /** AbandonRequest (§4.11): [APPLICATION 16] MessageID, INTEGER (0 .. maxInt). */
  private boolean abandonRequest(int p, int limit) {
    int length = limit - p;
    if (length < 1 || length > 4) {
      return fail(ABANDONED_ID, INTEGER_SIZE);
    }
    return buf.getByte(p) >= 0 || fail(ABANDONED_ID, OUT_OF_RANGE);
  }

  /** ExtendedRequest (§4.12): requestName [0] LDAPOID, requestValue [1] OCTET STRING OPTIONAL. */
  private boolean extendedRequest(int p, int limit) {
    if (!expect(p, limit, CONTEXT_0, REQUEST_NAME)) {
      return false;
    }
    if (end < limit && sameTagNumber(tagAndLength(end, limit), CONTEXT_1)
        && !expect(end, limit, CONTEXT_1, REQUEST_VALUE)) {
      return false;
    }
    return extensions(end, limit, OP);
  }

  /**
   * Controls (§4.1.11): [0] SEQUENCE OF Control, each SEQUENCE { controlType LDAPOID, criticality
   * BOOLEAN DEFAULT FALSE, controlValue OCTET STRING OPTIONAL } in that order.
   */
  private boolean controls(int p, int limit) {
    if (!header(p, tagAndLength(p, limit), limit, CONTROLS)) {
      return false;
    }
    int controlsEnd = end;
    for (p = start; p < controlsEnd; ) {
      if (!expect(p, controlsEnd, SEQUENCE, CONTROL)) {
        return false;
      }
      int controlEnd = end;
      if (!expect(start, controlEnd, OCTET_STRING, CONTROL_TYPE)) {
        return false;
      }
      int valueKind = filterValued(start, end);
      if (end < controlEnd && tagOf(tagAndLength(end, controlEnd)) == BOOLEAN) {
        if (!bool(end, controlEnd, BOOLEAN, CRITICALITY)) {
          return false;
        }
      }
      if (end < controlEnd && tagOf(tagAndLength(end, controlEnd)) == OCTET_STRING) {
        if (!expect(end, controlEnd, OCTET_STRING, CONTROL_VALUE)) {
          return false;
        }
        int valueEnd = end;
        if (valueKind != 0 && !filterValue(valueKind, start, valueEnd)) {
          return false;
        }
        end = valueEnd;
      }
      if (end != controlEnd) {
        return fail(CONTROL, TRAILING);
      }
      p = controlEnd;
    }
    return true;
  }

  /**
   * {@link #NOT_AN_ASSERTION} or {@link #NOT_A_VALUES_RETURN_FILTER} when the controlType from
   * {@code from} to {@code to} names one of the controls whose value is a filter, else 0.
   */
  private int filterValued(int from, int to) {
    int length = to - from;
    if (length == ASSERTION_OID.length && sameBytes(from, ASSERTION_OID)) {
      return NOT_AN_ASSERTION;
    }
    if (length == VALUES_RETURN_FILTER_OID.length && sameBytes(from, VALUES_RETURN_FILTER_OID)) {
      return NOT_A_VALUES_RETURN_FILTER;
    }
    return 0;
  }

  private boolean sameBytes(int from, byte[] expected) {
    for (int i = 0; i < expected.length; i++) {
      if (buf.getByte(from + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The value of an Assertion control (exactly one Filter) or of a ValuesReturnFilter control
   * (SEQUENCE OF SimpleFilterItem: the Filter choices but and, or and not), from {@code p} to
   * {@code limit}. A failure names the control, not the part of the filter.
   */
  private boolean filterValue(int kind, int p, int limit) {
    if (kind == NOT_AN_ASSERTION) {
      return filter(p, limit) == limit || fail(CONTROL_VALUE, kind);
    }
    if (!expect(p, limit, SEQUENCE, CONTROL_VALUE) || end != limit) {
      return fail(CONTROL_VALUE, kind);
    }
    int itemsEnd = end;
    for (p = start; p < itemsEnd; ) {
      int tag = tagOf(tagAndLength(p, itemsEnd));
      if (tag == AND || tag == OR || tag == NOT) {
        return fail(CONTROL_VALUE, kind);
      }
      p = filter(p, itemsEnd);
      if (p < 0) {
        return fail(CONTROL_VALUE, kind);
      }
    }
    return true;
  }

  /** A BOOLEAN, tagged {@code tag}: exactly one content octet, of any value (X.690 §8.2). */
  private boolean bool(int p, int limit, int tag, int field) {
    if (!expect(p, limit, tag, field)) {
      return false;
    }
    return end - start == 1 || fail(field, BOOLEAN_SIZE);
  }

  /** An ENUMERATED from 0 to {@code max}. */
  private boolean enumerated(int p, int limit, int field, int max) {
    if (!integer(p, limit, ENUMERATED, field)) {
      return false;
    }
    return (value >= 0 && value <= max) || fail(field, OUT_OF_RANGE);
  }

  /** An INTEGER (0 .. maxInt). */
  private boolean nonNegative(int p, int limit, int field) {
    if (!integer(p, limit, INTEGER, field)) {
      return false;
    }
    return value >= 0 || fail(field, OUT_OF_RANGE);
  }

  /**
   * An INTEGER or ENUMERATED of 1 to 4 content octets, the most an int holds; sets {@link #value}.
   */
  private boolean integer(int p, int limit, int tag, int field) {
    // Most are one octet (a scope, a limit of 0): tag, length and value in one read.
    if (p + 2 < limit) {
      int element = buf.getUnsignedMedium(p);
      if ((element >>> 8) == (tag << 8 | 1)) {
        value = (byte) element;
        start = p + 2;
        end = p + 3;
        return true;
      }
    }
    if (!expect(p, limit, tag, field)) {
      return false;
    }
    int length = end - start;
    if (length < 1 || length > 4) {
      return fail(field, INTEGER_SIZE);
    }
    int v = buf.getByte(start); // sign-extended
    for (int i = start + 1; i < end; i++) {
      v = (v << 8) | buf.getUnsignedByte(i);
    }
    value = v;
    return true;
  }

  /** The element at {@code p} with tag {@code tag}, within {@code limit}. */
  private boolean expect(int p, int limit, int tag, int field) {
    if (p >= limit) {
      return fail(field, MISSING);
    }
    int tagAndLength = tagAndLength(p, limit);
    int actual = tagOf(tagAndLength);
    if (actual != tag) {
      return fail(field, (actual & 0x1f) == 0x1f ? MULTI_OCTET_TAG : WRONG_TAG);
    }
    return header(p, tagAndLength, limit, field);
  }

  /**
   * The tag octet at {@code p} (which must be below {@code limit}) and the length octet after it,
   * read together: one read per element instead of two, which is most of the walk's cost. {@link
   * #NO_LENGTH} is set when the element ends after its tag.
   */
  private int tagAndLength(int p, int limit) {
    return p + 1 < limit ? buf.getUnsignedShort(p) : (buf.getUnsignedByte(p) << 8) | NO_LENGTH;
  }

  private static int tagOf(int tagAndLength) {
    return (tagAndLength >>> 8) & 0xff;
  }

  /**
   * Whether the element's tag is {@code tag} in either form, primitive or constructed: an optional
   * field in the wrong form is that field malformed, not an extension to skip.
   */
  private static boolean sameTagNumber(int tagAndLength, int tag) {
    return (tagOf(tagAndLength) | 0x20) == (tag | 0x20);
  }

  /**
   * Reads the length of the element at {@code p}, whose tag the caller has already found to be one
   * the grammar allows there (so a single octet), and sets {@link #start} and {@link #end} to its
   * content's bounds, which must lie within {@code limit}.
   *
   * @param tagAndLength what {@link #tagAndLength} read at {@code p}
   */
  private boolean header(int p, int tagAndLength, int limit, int field) {
    if ((tagAndLength & NO_LENGTH) != 0) {
      return fail(field, TRUNCATED);
    }
    int first = tagAndLength & 0xff;
    int i = p + 2;
    int length;
    if (first < 0x80) {
      length = first;
    } else if (first == 0x80) {
      return fail(field, INDEFINITE);
    } else {
      int count = first & 0x7f;
      if (count > 4) {
        return fail(field, LENGTH_TOO_LONG);
      }
      if (count > limit - i) {
        return fail(field, TRUNCATED);
      }
      long value = 0;
      for (int k = 0; k < count; k++) {
        value = (value << 8) | buf.getUnsignedByte(i++);
      }
      if (value > Integer.MAX_VALUE) {
        return fail(field, OVERRUN);
      }
      length = (int) value;
    }
    if (length > limit - i) {
      return fail(field, OVERRUN);
    }
    start = i;
    end = i + length;
    return true;
  }

  /**
   * RFC 4511 §4: "clients and servers MUST (unless otherwise specified) ignore trailing SEQUENCE
   * components whose tags they do not recognize". From {@code p} to {@code limit}, any number of
   * well-formed elements (a single-octet tag, a definite length within the container); their
   * content is not looked into. Allowed where slapd ignores them too (after a request's last
   * field, in SaslCredentials, in a Compare's assertion); inside filters, attributes, changes and
   * controls slapd answers them with a Notice of Disconnection or an error, so there they stay
   * refused ({@link #TRAILING}) and never reach a shared connection.
   */
  private boolean extensions(int p, int limit, int field) {
    if (p < limit) {
      sawExtensions = true;
    }
    while (p < limit) {
      int tagAndLength = tagAndLength(p, limit);
      if ((tagOf(tagAndLength) & 0x1f) == 0x1f) {
        return fail(field, MULTI_OCTET_TAG);
      }
      if (!header(p, tagAndLength, limit, field)) {
        return false;
      }
      p = end;
    }
    return true;
  }

  private boolean fail(int field, int problem) {
    failure = reason(field, problem);
    return false;
  }
}
