package org.ldapbalancer.monitor;

import org.ldapbalancer.protocol.ProtocolOp;

/**
 * The operation types counted, as the {@code op} label names them: every request that is
 * answered (RFC 4511 §4.2–§4.12). Abandon and Unbind have no response and are not counted.
 * lloadd's cn=Monitor counts two classes, Bind and Other; {@link #isBind} folds these into them.
 */
public final class OpType {
  public static final int BIND = 0;
  public static final int SEARCH = 1;
  public static final int MODIFY = 2;
  public static final int ADD = 3;
  public static final int DELETE = 4;
  public static final int MODRDN = 5;
  public static final int COMPARE = 6;
  public static final int EXTENDED = 7;

  /** How many types there are; indexes run from 0 to {@code COUNT - 1}. */
  public static final int COUNT = 8;

  private static final String[] LABELS = {
    "bind", "search", "modify", "add", "delete", "modrdn", "compare", "extended"
  };

  private OpType() {}

  /** The index of a request's type, or -1 for a tag that is not an answered request. */
  public static int ofRequest(int requestTag) {
    return switch (requestTag) {
      case ProtocolOp.BIND_REQUEST -> BIND;
      case ProtocolOp.SEARCH_REQUEST -> SEARCH;
      case ProtocolOp.MODIFY_REQUEST -> MODIFY;
      case ProtocolOp.ADD_REQUEST -> ADD;
      case ProtocolOp.DEL_REQUEST -> DELETE;
      case ProtocolOp.MODIFY_DN_REQUEST -> MODRDN;
      case ProtocolOp.COMPARE_REQUEST -> COMPARE;
      case ProtocolOp.EXTENDED_REQUEST -> EXTENDED;
      default -> -1;
    };
  }

  /** The index of the type a final response answers, or -1 for any other tag. */
  public static int ofResponse(int responseTag) {
    return switch (responseTag) {
      case ProtocolOp.BIND_RESPONSE -> BIND;
      case ProtocolOp.SEARCH_RESULT_DONE -> SEARCH;
      case ProtocolOp.MODIFY_RESPONSE -> MODIFY;
      case ProtocolOp.ADD_RESPONSE -> ADD;
      case ProtocolOp.DEL_RESPONSE -> DELETE;
      case ProtocolOp.MODIFY_DN_RESPONSE -> MODRDN;
      case ProtocolOp.COMPARE_RESPONSE -> COMPARE;
      case ProtocolOp.EXTENDED_RESPONSE -> EXTENDED;
      default -> -1;
    };
  }

  /** The {@code op} label of a type index. */
  public static String label(int type) {
    return LABELS[type];
  }

  /** Whether the type is lloadd's Bind class (every other type is its Other class). */
  public static boolean isBind(int type) {
    return type == BIND;
  }
}
