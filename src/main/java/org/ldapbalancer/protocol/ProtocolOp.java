package org.ldapbalancer.protocol;

/** The protocolOp tags of RFC 4511 §4.2–4.14, as they appear on the wire. */
public final class ProtocolOp {
  public static final int BIND_REQUEST = 0x60;
  public static final int BIND_RESPONSE = 0x61;
  public static final int UNBIND_REQUEST = 0x42;
  public static final int SEARCH_REQUEST = 0x63;
  public static final int SEARCH_RESULT_ENTRY = 0x64;
  public static final int SEARCH_RESULT_DONE = 0x65;
  public static final int SEARCH_RESULT_REFERENCE = 0x73;
  public static final int MODIFY_REQUEST = 0x66;
  public static final int MODIFY_RESPONSE = 0x67;
  public static final int ADD_REQUEST = 0x68;
  public static final int ADD_RESPONSE = 0x69;
  public static final int DEL_REQUEST = 0x4a;
  public static final int DEL_RESPONSE = 0x6b;
  public static final int MODIFY_DN_REQUEST = 0x6c;
  public static final int MODIFY_DN_RESPONSE = 0x6d;
  public static final int COMPARE_REQUEST = 0x6e;
  public static final int COMPARE_RESPONSE = 0x6f;
  public static final int ABANDON_REQUEST = 0x50;
  public static final int EXTENDED_REQUEST = 0x77;
  public static final int EXTENDED_RESPONSE = 0x78;
  public static final int INTERMEDIATE_RESPONSE = 0x79;

  private ProtocolOp() {}

  /**
   * The tag of the final response to a request, or -1 for requests that have none (Unbind,
   * Abandon) and for tags that are not requests.
   */
  public static int responseTagFor(int requestTag) {
    return switch (requestTag) {
      case BIND_REQUEST -> BIND_RESPONSE;
      case SEARCH_REQUEST -> SEARCH_RESULT_DONE;
      case MODIFY_REQUEST -> MODIFY_RESPONSE;
      case ADD_REQUEST -> ADD_RESPONSE;
      case DEL_REQUEST -> DEL_RESPONSE;
      case MODIFY_DN_REQUEST -> MODIFY_DN_RESPONSE;
      case COMPARE_REQUEST -> COMPARE_RESPONSE;
      case EXTENDED_REQUEST -> EXTENDED_RESPONSE;
      default -> -1;
    };
  }

  /** A request's name for log lines ("search", "modify", ...). */
  public static String requestName(int requestTag) {
    return switch (requestTag) {
      case BIND_REQUEST -> "bind";
      case SEARCH_REQUEST -> "search";
      case MODIFY_REQUEST -> "modify";
      case ADD_REQUEST -> "add";
      case DEL_REQUEST -> "delete";
      case MODIFY_DN_REQUEST -> "modrdn";
      case COMPARE_REQUEST -> "compare";
      case EXTENDED_REQUEST -> "extended operation";
      default -> "request 0x" + Integer.toHexString(requestTag);
    };
  }

  /** Whether a response with this tag ends its operation. */
  public static boolean isFinalResponse(int tag) {
    return switch (tag) {
      case BIND_RESPONSE,
          SEARCH_RESULT_DONE,
          MODIFY_RESPONSE,
          ADD_RESPONSE,
          DEL_RESPONSE,
          MODIFY_DN_RESPONSE,
          COMPARE_RESPONSE,
          EXTENDED_RESPONSE -> true;
      default -> false;
    };
  }

  /** Whether a response with this tag may come before the final one. */
  public static boolean isIntermediateResponse(int tag) {
    return tag == SEARCH_RESULT_ENTRY
        || tag == SEARCH_RESULT_REFERENCE
        || tag == INTERMEDIATE_RESPONSE;
  }
}
