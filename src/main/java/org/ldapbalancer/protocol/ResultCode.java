package org.ldapbalancer.protocol;

/** The result codes (RFC 4511 §4.1.9, Appendix A) the balancer itself sends or inspects. */
public final class ResultCode {
  public static final int SUCCESS = 0;
  public static final int OPERATIONS_ERROR = 1;
  public static final int PROTOCOL_ERROR = 2;
  public static final int AUTH_METHOD_NOT_SUPPORTED = 7;
  public static final int TIME_LIMIT_EXCEEDED = 3;
  public static final int SIZE_LIMIT_EXCEEDED = 4;
  public static final int ADMIN_LIMIT_EXCEEDED = 11;
  public static final int UNAVAILABLE_CRITICAL_EXTENSION = 12;
  public static final int SASL_BIND_IN_PROGRESS = 14;
  public static final int CONSTRAINT_VIOLATION = 19;
  public static final int NO_SUCH_OBJECT = 32;
  public static final int INAPPROPRIATE_AUTHENTICATION = 48;
  public static final int INVALID_CREDENTIALS = 49;
  public static final int INSUFFICIENT_ACCESS_RIGHTS = 50;
  public static final int BUSY = 51;
  public static final int UNAVAILABLE = 52;
  public static final int UNWILLING_TO_PERFORM = 53;
  public static final int OTHER = 80;
  /** RFC 3909 §2: the answer of an operation that was cancelled. */
  public static final int CANCELED = 118;
  /** RFC 3909 §2: Cancel named no operation in progress. */
  public static final int NO_SUCH_OPERATION = 119;
  /** RFC 3909 §2: the operation can no longer be cancelled. */
  public static final int TOO_LATE = 120;
  /** RFC 3909 §2: the operation cannot be cancelled (Bind, StartTLS, Cancel, ...). */
  public static final int CANNOT_CANCEL = 121;

  private ResultCode() {}
}
