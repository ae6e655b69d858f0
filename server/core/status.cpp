#include "server/core/status.h"

namespace omni {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kAllOrNoneOperationRolledBack:
      return "ALL_OR_NONE_OPERATION_ROLLED_BACK";
    case StatusCode::kCannotInsertUpdateActivateEntity:
      return "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY";
    case StatusCode::kDeleteFailed:
      return "DELETE_FAILED";
    case StatusCode::kDuplicateValue:
      return "DUPLICATE_VALUE";
    case StatusCode::kEntityIsDeleted:
      return "ENTITY_IS_DELETED";
    case StatusCode::kFieldIntegrityException:
      return "FIELD_INTEGRITY_EXCEPTION";
    case StatusCode::kUnableToLockRow:
      return "UNABLE_TO_LOCK_ROW";
    case StatusCode::kInvalidCrossReferenceKey:
      return "INVALID_CROSS_REFERENCE_KEY";
    case StatusCode::kInvalidFieldForInsertUpdate:
      return "INVALID_FIELD_FOR_INSERT_UPDATE";
    case StatusCode::kInvalidIdField:
      return "INVALID_ID_FIELD";
    case StatusCode::kInvalidOrNullForRestrictedPicklist:
      return "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST";
    case StatusCode::kInvalidType:
      return "INVALID_TYPE";
    case StatusCode::kInvalidTypeOnFieldInRecord:
      return "INVALID_TYPE_ON_FIELD_IN_RECORD";
    case StatusCode::kMalformedId:
      return "MALFORMED_ID";
    case StatusCode::kRequiredFieldMissing:
      return "REQUIRED_FIELD_MISSING";
    case StatusCode::kStringTooLong:
      return "STRING_TOO_LONG";
    case StatusCode::kUndeleteFailed:
      return "UNDELETE_FAILED";
    case StatusCode::kInvalidTypeForOperation:
      return "INVALID_TYPE_FOR_OPERATION";
    case StatusCode::kNumberOutsideValidRange:
      return "NUMBER_OUTSIDE_VALID_RANGE";
    case StatusCode::kInvalidFieldFault:
      return "INVALID_FIELD";
    case StatusCode::kMissingArgument:
      return "MISSING_ARGUMENT";
    case StatusCode::kDuplicateExternalId:
      return "DUPLICATE_EXTERNAL_ID";
    case StatusCode::kUnknownException:
      return "UNKNOWN_EXCEPTION";
    case StatusCode::kDuplicateDeveloperName:
      return "DUPLICATE_DEVELOPER_NAME";
  }
  return "UNKNOWN_EXCEPTION";
}

const char* ExceptionCodeName(ExceptionCode code) {
  switch (code) {
    case ExceptionCode::kInvalidLogin:
      return "INVALID_LOGIN";
    case ExceptionCode::kInvalidSessionId:
      return "INVALID_SESSION_ID";
    case ExceptionCode::kInvalidField:
      return "INVALID_FIELD";
    case ExceptionCode::kInvalidType:
      return "INVALID_TYPE";
    case ExceptionCode::kInvalidIdField:
      return "INVALID_ID_FIELD";
    case ExceptionCode::kExceededIdLimit:
      return "EXCEEDED_ID_LIMIT";
    case ExceptionCode::kMalformedQuery:
      return "MALFORMED_QUERY";
    case ExceptionCode::kInvalidQueryLocator:
      return "INVALID_QUERY_LOCATOR";
    case ExceptionCode::kInvalidReplicationDate:
      return "INVALID_REPLICATION_DATE";
    case ExceptionCode::kInvalidOperation:
      return "INVALID_OPERATION";
    case ExceptionCode::kUnknownException:
      return "UNKNOWN_EXCEPTION";
    case ExceptionCode::kApiDisabledForOrg:
      return "API_DISABLED_FOR_ORG";
    case ExceptionCode::kInvalidTypeForOperation:
      return "INVALID_TYPE_FOR_OPERATION";
    case ExceptionCode::kInvalidSoapHeader:
      return "INVALID_SOAP_HEADER";
    case ExceptionCode::kMalformedId:
      return "MALFORMED_ID";
    case ExceptionCode::kNumberOutsideValidRange:
      return "NUMBER_OUTSIDE_VALID_RANGE";
    case ExceptionCode::kInvalidQueryFilterOperator:
      return "INVALID_QUERY_FILTER_OPERATOR";
    case ExceptionCode::kPasswordLockout:
      return "PASSWORD_LOCKOUT";
    case ExceptionCode::kInvalidNewPassword:
      return "INVALID_NEW_PASSWORD";
    case ExceptionCode::kUnableToLockRow:
      return "UNABLE_TO_LOCK_ROW";
  }
  return "UNKNOWN_EXCEPTION";
}

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kApiFault:
      return "ApiFault";
    case FaultKind::kLoginFault:
      return "LoginFault";
    case FaultKind::kUnexpectedErrorFault:
      return "UnexpectedErrorFault";
    case FaultKind::kInvalidFieldFault:
      return "InvalidFieldFault";
    case FaultKind::kInvalidSObjectFault:
      return "InvalidSObjectFault";
    case FaultKind::kMalformedQueryFault:
      return "MalformedQueryFault";
    case FaultKind::kInvalidIdFault:
      return "InvalidIdFault";
    case FaultKind::kInvalidQueryLocatorFault:
      return "InvalidQueryLocatorFault";
    case FaultKind::kInvalidNewPasswordFault:
      return "InvalidNewPasswordFault";
  }
  return "ApiFault";
}

bool FaultKindHasPosition(FaultKind kind) {
  return kind == FaultKind::kInvalidFieldFault || kind == FaultKind::kInvalidSObjectFault ||
         kind == FaultKind::kMalformedQueryFault;
}

Fault InvalidSessionFault() {
  return {ExceptionCode::kInvalidSessionId, FaultKind::kUnexpectedErrorFault,
          "Invalid Session ID found in SessionHeader: Illegal Session"};
}

Fault InvalidLoginFault() {
  return {ExceptionCode::kInvalidLogin, FaultKind::kLoginFault,
          "Invalid username, password, security token; or user locked out."};
}

// LIMITATIONS: no capture of the real lockout fault was found (real orgs often answer a locked-out
// user with INVALID_LOGIN); the code is the WSDL's PASSWORD_LOCKOUT and the text the SOAP API
// guide's description of that code (CATALOG-DECISIONS J3).
Fault PasswordLockoutFault() {
  return {ExceptionCode::kPasswordLockout, FaultKind::kLoginFault,
          "The user has exceeded the allowed number of login attempts. The user must contact the "
          "administrator to regain login access."};
}

Fault InvalidTypeFault(const std::string& type_name) {
  return {ExceptionCode::kInvalidType, FaultKind::kInvalidSObjectFault,
          "sObject type '" + type_name + "' is not supported."};
}

Fault MissingTypeFault() {
  return {ExceptionCode::kInvalidType, FaultKind::kInvalidSObjectFault,
          "Missing entity type information. sObject requires a separate 'type' field be sent."};
}

Fault NoSuchColumnFault(const std::string& field, const std::string& object) {
  return {ExceptionCode::kInvalidField, FaultKind::kInvalidFieldFault,
          "No such column '" + field + "' on entity '" + object +
              "'. If you are attempting to use a custom field, be sure to append the '__c' after "
              "the custom field name. Please reference your WSDL or the describe call for the "
              "appropriate names."};
}

Fault ExceededIdLimitFault(int limit) {
  return {ExceptionCode::kExceededIdLimit, FaultKind::kApiFault,
          "record limit reached. cannot submit more than " + std::to_string(limit) +
              " records into this call"};
}

Fault UnknownExceptionFault(const std::string& message) {
  return {ExceptionCode::kUnknownException, FaultKind::kUnexpectedErrorFault, message};
}

// The text of API errors for a record that could not be locked (SaveResult's message in real
// orgs; newer releases append " or N records: <ids>", CATALOG-DECISIONS P1).
constexpr const char* kUnableToLockRowText = "unable to obtain exclusive access to this record";

Error UnableToLockRowError() { return {StatusCode::kUnableToLockRow, kUnableToLockRowText, {}}; }

// LIMITATIONS: the fault element of a whole-call UNABLE_TO_LOCK_ROW is not captured publicly; the
// generic UnexpectedErrorFault is used, as for UNKNOWN_EXCEPTION (CATALOG-DECISIONS P1).
Fault UnableToLockRowFault() {
  return {ExceptionCode::kUnableToLockRow, FaultKind::kUnexpectedErrorFault, kUnableToLockRowText};
}

}  // namespace omni
