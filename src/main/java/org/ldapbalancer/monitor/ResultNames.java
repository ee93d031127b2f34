package org.ldapbalancer.monitor;

/**
 * The {@code result} label of a result code: its name in RFC 4511 Appendix A (and the later
 * registrations in RFC 3909, RFC 4370's neighbours and RFC 6171), else the number.
 */
public final class ResultNames {
  private ResultNames() {}

  public static String name(int code) {
    return switch (code) {
      case 0 -> "success";
      case 1 -> "operationsError";
      case 2 -> "protocolError";
      case 3 -> "timeLimitExceeded";
      case 4 -> "sizeLimitExceeded";
      case 5 -> "compareFalse";
      case 6 -> "compareTrue";
      case 7 -> "authMethodNotSupported";
      case 8 -> "strongerAuthRequired";
      case 10 -> "referral";
      case 11 -> "adminLimitExceeded";
      case 12 -> "unavailableCriticalExtension";
      case 13 -> "confidentialityRequired";
      case 14 -> "saslBindInProgress";
      case 16 -> "noSuchAttribute";
      case 17 -> "undefinedAttributeType";
      case 18 -> "inappropriateMatching";
      case 19 -> "constraintViolation";
      case 20 -> "attributeOrValueExists";
      case 21 -> "invalidAttributeSyntax";
      case 32 -> "noSuchObject";
      case 33 -> "aliasProblem";
      case 34 -> "invalidDNSyntax";
      case 36 -> "aliasDereferencingProblem";
      case 48 -> "inappropriateAuthentication";
      case 49 -> "invalidCredentials";
      case 50 -> "insufficientAccessRights";
      case 51 -> "busy";
      case 52 -> "unavailable";
      case 53 -> "unwillingToPerform";
      case 54 -> "loopDetect";
      case 64 -> "namingViolation";
      case 65 -> "objectClassViolation";
      case 66 -> "notAllowedOnNonLeaf";
      case 67 -> "notAllowedOnRDN";
      case 68 -> "entryAlreadyExists";
      case 69 -> "objectClassModsProhibited";
      case 71 -> "affectsMultipleDSAs";
      case 80 -> "other";
      case 118 -> "canceled";
      case 119 -> "noSuchOperation";
      case 120 -> "tooLate";
      case 121 -> "cannotCancel";
      case 122 -> "assertionFailed";
      case 123 -> "authorizationDenied";
      default -> Integer.toString(code);
    };
  }
}
