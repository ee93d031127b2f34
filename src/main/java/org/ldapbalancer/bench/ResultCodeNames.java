package org.ldapbalancer.bench;

/** Names of LDAP result codes (RFC 4511 Appendix A) for the report. */
final class ResultCodeNames {
  private ResultCodeNames() {}

  static String name(int code) {
    return switch (code) {
      case 0 -> "success";
      case 1 -> "operationsError";
      case 2 -> "protocolError";
      case 3 -> "timeLimitExceeded";
      case 4 -> "sizeLimitExceeded";
      case 7 -> "authMethodNotSupported";
      case 8 -> "strongerAuthRequired";
      case 10 -> "referral";
      case 11 -> "adminLimitExceeded";
      case 13 -> "confidentialityRequired";
      case 16 -> "noSuchAttribute";
      case 17 -> "undefinedAttributeType";
      case 19 -> "constraintViolation";
      case 21 -> "invalidAttributeSyntax";
      case 32 -> "noSuchObject";
      case 34 -> "invalidDNSyntax";
      case 48 -> "inappropriateAuthentication";
      case 49 -> "invalidCredentials";
      case 50 -> "insufficientAccessRights";
      case 51 -> "busy";
      case 52 -> "unavailable";
      case 53 -> "unwillingToPerform";
      case 54 -> "loopDetect";
      case 64 -> "namingViolation";
      case 65 -> "objectClassViolation";
      case 68 -> "entryAlreadyExists";
      case 80 -> "other";
      default -> "resultCode" + code;
    };
  }
}
