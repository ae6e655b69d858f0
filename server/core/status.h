// Salesforce status and exception codes as values: the closed set this emulator answers with.
//
// A per-record problem (create/update/... result with success=false) is an Error with a StatusCode;
// a problem that fails the whole call is a Fault with an ExceptionCode. Adapters turn these into
// wire shapes in one place (server/soap/faults.*). Plain data; thread-compatible.
#pragma once

#include <string>
#include <vector>

namespace omni {

// The StatusCode values (partner WSDL v44 enumeration) the emulator produces.
enum class StatusCode {
  kAllOrNoneOperationRolledBack,
  kCannotInsertUpdateActivateEntity,
  kDeleteFailed,
  kDuplicateValue,
  kEntityIsDeleted,
  kFieldIntegrityException,
  kInvalidCrossReferenceKey,
  kInvalidFieldForInsertUpdate,
  kInvalidIdField,
  kInvalidOrNullForRestrictedPicklist,
  kInvalidType,
  kInvalidTypeOnFieldInRecord,
  kMalformedId,
  kRequiredFieldMissing,
  kStringTooLong,
  kUndeleteFailed,
  kInvalidTypeForOperation,
  kNumberOutsideValidRange,
  kInvalidFieldFault,  // INVALID_FIELD as a per-record status
  kMissingArgument,
  kDuplicateExternalId,
  kUnknownException,  // an unexpected failure of one record (a change listener threw)
  kDuplicateDeveloperName,
  kUnableToLockRow,  // another transaction holds a record the write needs (or won a deadlock)
};

// The ExceptionCode values (fault enumeration) the emulator produces.
enum class ExceptionCode {
  kInvalidLogin,
  kInvalidSessionId,
  kInvalidField,
  kInvalidType,
  kInvalidIdField,
  kExceededIdLimit,
  kMalformedQuery,
  kInvalidQueryLocator,
  kInvalidReplicationDate,
  kInvalidOperation,
  kUnknownException,
  kApiDisabledForOrg,
  kInvalidTypeForOperation,
  kInvalidSoapHeader,
  kMalformedId,
  kInvalidQueryFilterOperator,
  kNumberOutsideValidRange,
  kPasswordLockout,
  kInvalidNewPassword,
  kUnableToLockRow,
};

// Which fault element carries the code (ApiFault subtypes of the fault namespace).
enum class FaultKind {
  kApiFault,              // <sf:fault xsi:type="sf:ApiFault">
  kLoginFault,            // LoginFault; faultcode is unprefixed on the wire
  kUnexpectedErrorFault,  // invalid session and similar
  kInvalidFieldFault,     // ApiQueryFault: carries row and column
  kInvalidSObjectFault,   // ApiQueryFault
  kMalformedQueryFault,   // ApiQueryFault
  kInvalidIdFault,
  kInvalidQueryLocatorFault,
  kInvalidNewPasswordFault,
};

const char* StatusCodeName(StatusCode code);
const char* ExceptionCodeName(ExceptionCode code);
const char* FaultKindName(FaultKind kind);
bool FaultKindHasPosition(FaultKind kind);

// A per-record error, as in <errors><fields/>*<message/><statusCode/></errors>.
struct Error {
  StatusCode code;
  std::string message;
  std::vector<std::string> fields;
};

// A whole-call failure, as a SOAP fault. row/column are -1 when the fault has no position.
struct Fault {
  ExceptionCode code;
  FaultKind kind;
  std::string message;
  int row = -1;
  int column = -1;
};

// The canonical faults, with Salesforce's exact messages (see the wire notes, section 2).
Fault InvalidSessionFault();
Fault InvalidLoginFault();
// A login refused because the user is locked out after too many wrong passwords.
Fault PasswordLockoutFault();
Fault InvalidTypeFault(const std::string& type_name);
Fault MissingTypeFault();
Fault NoSuchColumnFault(const std::string& field, const std::string& object);
Fault ExceededIdLimitFault(int limit);
Fault UnknownExceptionFault(const std::string& message);
// Lock contention (a deadlock, a lock timeout, a serialization failure): UNABLE_TO_LOCK_ROW with
// Salesforce's text, per record where the record failed, else for the call.
Error UnableToLockRowError();
Fault UnableToLockRowFault();

}  // namespace omni
