// Shared pieces of the SOAP operations: the request state behind soap->user, faults, the
// SessionHeader check, and one traits struct per API naming its generated types, so that each
// operation is one template for both the partner and the enterprise endpoint.
// Included only by the SOAP adapters (server/soap/*_ops.cpp). Thread-safety: per request.
#pragma once

#include <optional>
#include <string>

#include "server/soap/faults.h"
#include "server/soap/soap_app.h"
#include "soapH.h"

namespace omni {
namespace soap_ops {

inline const SoapApp& App(struct soap* soap) {
  return *static_cast<RequestState*>(soap->user)->app;
}
inline Flavor FlavorOf(struct soap* soap) { return static_cast<RequestState*>(soap->user)->flavor; }

// A request for the other API's namespace on this endpoint is refused as Salesforce refuses it.
// Every operation passes here first: the connection's output mode is reset to the default, so
// that the xsi:nil mode DoRetrieve turns on for its own response never leaks into the next call
// on the same keep-alive connection.
// Sets the operation's own answer (a fault in Salesforce's shape) and stops gSOAP from writing
// one: SOAP_STOP makes the generated serve function return without serialising a response.
inline int Answer(struct soap* soap, int status, const std::string& body) {
  static_cast<RequestState*>(soap->user)->answer =
      HttpResponse::Of(status, "text/xml; charset=UTF-8", body);
  return SOAP_STOP;
}

inline int WrongEndpoint(struct soap* soap, Flavor wanted) {
  soap_clr_omode(soap, SOAP_XML_NIL);
  Flavor have = FlavorOf(soap);
  if (have == wanted) return SOAP_OK;
  Fault f = UnknownExceptionFault(
      wanted == Flavor::kPresence
          ? std::string("Element {urn:presence.omni-emulator}request invalid at this location")
          : std::string("Element {urn:") + (wanted == Flavor::kPartner ? "partner" : "enterprise") +
                ".soap.sforce.com}request invalid at this location");
  return Answer(soap, 500, FaultEnvelope(have, f));
}

inline int SendFault(struct soap* soap, const Fault& fault) {
  soap->header = nullptr;
  return Answer(soap, 500, FaultEnvelope(FlavorOf(soap), fault));
}

inline std::string* NewString(struct soap* soap, const std::string& s) {
  return soap_new_std__string(soap, -1) ? new (soap_new_std__string(soap, -1)) std::string(s)
                                        : nullptr;
}

struct PartnerTypes {
  static constexpr Flavor kFlavor = Flavor::kPartner;
  using SaveResult = p__SaveResult;
  using UpsertResult = p__UpsertResult;
  using DeleteResult = p__DeleteResult;
  using UndeleteResult = p__UndeleteResult;
  using ErrorT = p__Error;
  using StatusCodeT = enum p__StatusCode;
  using LoginResult = p__LoginResult;
  using UserInfoResult = p__GetUserInfoResult;
  using TimestampResult = p__GetServerTimestampResult;
  static const char* Path() { return "/services/Soap/u/"; }
  // describe* and getUpdated/getDeleted (server/soap/describe_ops.cpp, replication_ops.cpp).
  static constexpr const char* kApiNs = "urn:partner.soap.sforce.com";
  using DescribeGlobalResult = p__DescribeGlobalResult;
  using DescribeGlobalSObject = p__DescribeGlobalSObjectResult;
  using DescribeSObjectResult = p__DescribeSObjectResult;
  using FieldT = p__Field;
  using PicklistEntryT = p__PicklistEntry;
  using ChildRelationshipT = p__ChildRelationship;
  using FieldTypeT = enum p__fieldType;
  using SoapTypeT = enum p__soapType;
  using GetUpdatedResult = p__GetUpdatedResult;
  using GetDeletedResult = p__GetDeletedResult;
  using DeletedRecordT = p__DeletedRecord;
  static int S2FieldType(struct soap* s, const char* t, FieldTypeT* v) {
    return soap_s2p__fieldType(s, t, v);
  }
  static int S2SoapType(struct soap* s, const char* t, SoapTypeT* v) {
    return soap_s2p__soapType(s, t, v);
  }
  static DescribeGlobalResult* NewDescribeGlobal(struct soap* s) {
    return soap_new_p__DescribeGlobalResult(s);
  }
  static DescribeGlobalSObject* NewDescribeGlobalSObject(struct soap* s) {
    return soap_new_p__DescribeGlobalSObjectResult(s);
  }
  static DescribeSObjectResult* NewDescribeSObject(struct soap* s) {
    return soap_new_p__DescribeSObjectResult(s);
  }
  static FieldT* NewField(struct soap* s) { return soap_new_p__Field(s); }
  static PicklistEntryT* NewPicklistEntry(struct soap* s) { return soap_new_p__PicklistEntry(s); }
  static ChildRelationshipT* NewChildRelationship(struct soap* s) {
    return soap_new_p__ChildRelationship(s);
  }
  static GetUpdatedResult* NewGetUpdated(struct soap* s) { return soap_new_p__GetUpdatedResult(s); }
  static GetDeletedResult* NewGetDeleted(struct soap* s) { return soap_new_p__GetDeletedResult(s); }
  static DeletedRecordT* NewDeletedRecord(struct soap* s) { return soap_new_p__DeletedRecord(s); }
  static int S2Status(struct soap* s, const char* t, StatusCodeT* v) {
    return soap_s2p__StatusCode(s, t, v);
  }
  static ErrorT* NewError(struct soap* s) { return soap_new_p__Error(s); }
  static SaveResult* NewSaveResult(struct soap* s) { return soap_new_p__SaveResult(s); }
  static UpsertResult* NewUpsertResult(struct soap* s) { return soap_new_p__UpsertResult(s); }
  static DeleteResult* NewDeleteResult(struct soap* s) { return soap_new_p__DeleteResult(s); }
  static UndeleteResult* NewUndeleteResult(struct soap* s) { return soap_new_p__UndeleteResult(s); }
  static LoginResult* NewLoginResult(struct soap* s) { return soap_new_p__LoginResult(s); }
  static UserInfoResult* NewUserInfo(struct soap* s) { return soap_new_p__GetUserInfoResult(s); }
  static TimestampResult* NewTimestamp(struct soap* s) {
    return soap_new_p__GetServerTimestampResult(s);
  }
  static p__QueryResult* NewQueryResult(struct soap* s) { return soap_new_p__QueryResult(s); }
  static const _p__QueryOptions* QueryOptions(struct soap* s) {
    return s->header ? s->header->p__QueryOptions : nullptr;
  }
  static std::string SessionId(struct soap* s) {
    return s->header && s->header->p__SessionHeader ? s->header->p__SessionHeader->sessionId
                                                    : std::string();
  }
  static bool AllOrNone(struct soap* s) {
    return s->header && s->header->p__AllOrNoneHeader && s->header->p__AllOrNoneHeader->allOrNone;
  }
};

struct EnterpriseTypes {
  static constexpr Flavor kFlavor = Flavor::kEnterprise;
  using SaveResult = e__SaveResult;
  using UpsertResult = e__UpsertResult;
  using DeleteResult = e__DeleteResult;
  using UndeleteResult = e__UndeleteResult;
  using ErrorT = e__Error;
  using StatusCodeT = enum e__StatusCode;
  using LoginResult = e__LoginResult;
  using UserInfoResult = e__GetUserInfoResult;
  using TimestampResult = e__GetServerTimestampResult;
  static const char* Path() { return "/services/Soap/c/"; }
  // describe* and getUpdated/getDeleted (server/soap/describe_ops.cpp, replication_ops.cpp).
  static constexpr const char* kApiNs = "urn:enterprise.soap.sforce.com";
  using DescribeGlobalResult = e__DescribeGlobalResult;
  using DescribeGlobalSObject = e__DescribeGlobalSObjectResult;
  using DescribeSObjectResult = e__DescribeSObjectResult;
  using FieldT = e__Field;
  using PicklistEntryT = e__PicklistEntry;
  using ChildRelationshipT = e__ChildRelationship;
  using FieldTypeT = enum e__fieldType;
  using SoapTypeT = enum e__soapType;
  using GetUpdatedResult = e__GetUpdatedResult;
  using GetDeletedResult = e__GetDeletedResult;
  using DeletedRecordT = e__DeletedRecord;
  static int S2FieldType(struct soap* s, const char* t, FieldTypeT* v) {
    return soap_s2e__fieldType(s, t, v);
  }
  static int S2SoapType(struct soap* s, const char* t, SoapTypeT* v) {
    return soap_s2e__soapType(s, t, v);
  }
  static DescribeGlobalResult* NewDescribeGlobal(struct soap* s) {
    return soap_new_e__DescribeGlobalResult(s);
  }
  static DescribeGlobalSObject* NewDescribeGlobalSObject(struct soap* s) {
    return soap_new_e__DescribeGlobalSObjectResult(s);
  }
  static DescribeSObjectResult* NewDescribeSObject(struct soap* s) {
    return soap_new_e__DescribeSObjectResult(s);
  }
  static FieldT* NewField(struct soap* s) { return soap_new_e__Field(s); }
  static PicklistEntryT* NewPicklistEntry(struct soap* s) { return soap_new_e__PicklistEntry(s); }
  static ChildRelationshipT* NewChildRelationship(struct soap* s) {
    return soap_new_e__ChildRelationship(s);
  }
  static GetUpdatedResult* NewGetUpdated(struct soap* s) { return soap_new_e__GetUpdatedResult(s); }
  static GetDeletedResult* NewGetDeleted(struct soap* s) { return soap_new_e__GetDeletedResult(s); }
  static DeletedRecordT* NewDeletedRecord(struct soap* s) { return soap_new_e__DeletedRecord(s); }
  static int S2Status(struct soap* s, const char* t, StatusCodeT* v) {
    return soap_s2e__StatusCode(s, t, v);
  }
  static ErrorT* NewError(struct soap* s) { return soap_new_e__Error(s); }
  static SaveResult* NewSaveResult(struct soap* s) { return soap_new_e__SaveResult(s); }
  static UpsertResult* NewUpsertResult(struct soap* s) { return soap_new_e__UpsertResult(s); }
  static DeleteResult* NewDeleteResult(struct soap* s) { return soap_new_e__DeleteResult(s); }
  static UndeleteResult* NewUndeleteResult(struct soap* s) { return soap_new_e__UndeleteResult(s); }
  static LoginResult* NewLoginResult(struct soap* s) { return soap_new_e__LoginResult(s); }
  static UserInfoResult* NewUserInfo(struct soap* s) { return soap_new_e__GetUserInfoResult(s); }
  static TimestampResult* NewTimestamp(struct soap* s) {
    return soap_new_e__GetServerTimestampResult(s);
  }
  static e__QueryResult* NewQueryResult(struct soap* s) { return soap_new_e__QueryResult(s); }
  static const _e__QueryOptions* QueryOptions(struct soap* s) {
    return s->header ? s->header->e__QueryOptions : nullptr;
  }
  static std::string SessionId(struct soap* s) {
    return s->header && s->header->e__SessionHeader ? s->header->e__SessionHeader->sessionId
                                                    : std::string();
  }
  static bool AllOrNone(struct soap* s) {
    return s->header && s->header->e__AllOrNoneHeader && s->header->e__AllOrNoneHeader->allOrNone;
  }
};

// Resolves the SessionHeader and reads the other request headers into *opts; on failure the
// fault has been sent and *rc holds the return code.
template <class T>
std::optional<CallContext> Authenticate(struct soap* soap, int* rc, CallOptions* opts = nullptr) {
  *rc = WrongEndpoint(soap, T::kFlavor);
  if (*rc != SOAP_OK) return std::nullopt;
  if (opts) opts->all_or_none = T::AllOrNone(soap);
  auto ctx = App(soap).sessions->Resolve(T::SessionId(soap));
  soap->header = nullptr;  // request headers are not echoed back in the response
  if (ctx.fault) {
    *rc = SendFault(soap, *ctx.fault);
    return std::nullopt;
  }
  static_cast<RequestState*>(soap->user)->limit_info = true;
  return ctx.value;
}

template <class T>
void FillErrors(struct soap* soap, const std::vector<Error>& errors,
                std::vector<typename T::ErrorT*>* out) {
  for (const auto& e : errors) {
    auto* err = T::NewError(soap);
    err->message = e.message;
    err->fields = e.fields;
    T::S2Status(soap, StatusCodeName(e.code), &err->statusCode);
    out->push_back(err);
  }
}

}  // namespace soap_ops
}  // namespace omni
