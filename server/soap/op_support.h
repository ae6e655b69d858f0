// Shared pieces of the SOAP operations: the request state behind soap->user, faults, the
// SessionHeader check, and one traits struct per API naming its generated types, so that each
// operation is one template for both the partner and the enterprise endpoint.
// Included only by the SOAP adapters (server/soap/*_ops.cpp). Thread-safety: per request.
#pragma once

#include <optional>
#include <string>

#include "server/soap/faults.h"
#include "server/soap/soap_app.h"
#include "server/transport/raw_http.h"
#include "soapH.h"

namespace omni {
namespace soap_ops {

inline const SoapApp& App(struct soap* soap) { return *static_cast<RequestState*>(soap->user)->app; }
inline Flavor FlavorOf(struct soap* soap) { return static_cast<RequestState*>(soap->user)->flavor; }

// A request for the other API's namespace on this endpoint is refused as Salesforce refuses it.
// Every operation passes here first: the connection's output mode is reset to the default, so
// that the xsi:nil mode DoRetrieve turns on for its own response never leaks into the next call
// on the same keep-alive connection.
inline int WrongEndpoint(struct soap* soap, Flavor wanted) {
  soap_clr_omode(soap, SOAP_XML_NIL);
  Flavor have = FlavorOf(soap);
  if (have == wanted) return SOAP_OK;
  Fault f = UnknownExceptionFault(
      std::string("Element {urn:") + (wanted == Flavor::kPartner ? "partner" : "enterprise") +
      ".soap.sforce.com}request invalid at this location");
  return SendRaw(soap, 500, "text/xml; charset=UTF-8", FaultEnvelope(have, f));
}

inline int SendFault(struct soap* soap, const Fault& fault) {
  soap->header = nullptr;
  return SendRaw(soap, 500, "text/xml; charset=UTF-8", FaultEnvelope(FlavorOf(soap), fault));
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
  static int S2Status(struct soap* s, const char* t, StatusCodeT* v) {
    return soap_s2p__StatusCode(s, t, v);
  }
  static ErrorT* NewError(struct soap* s) { return soap_new_p__Error(s); }
  static SaveResult* NewSaveResult(struct soap* s) { return soap_new_p__SaveResult(s); }
  static UpsertResult* NewUpsertResult(struct soap* s) { return soap_new_p__UpsertResult(s); }
  static DeleteResult* NewDeleteResult(struct soap* s) { return soap_new_p__DeleteResult(s); }
  static UndeleteResult* NewUndeleteResult(struct soap* s) {
    return soap_new_p__UndeleteResult(s);
  }
  static LoginResult* NewLoginResult(struct soap* s) { return soap_new_p__LoginResult(s); }
  static UserInfoResult* NewUserInfo(struct soap* s) { return soap_new_p__GetUserInfoResult(s); }
  static TimestampResult* NewTimestamp(struct soap* s) {
    return soap_new_p__GetServerTimestampResult(s);
  }
  static std::string SessionId(struct soap* s) {
    return s->header && s->header->p__SessionHeader ? s->header->p__SessionHeader->sessionId
                                                    : std::string();
  }
  static bool AllOrNone(struct soap* s) {
    return s->header && s->header->p__AllOrNoneHeader &&
           s->header->p__AllOrNoneHeader->allOrNone;
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
  static int S2Status(struct soap* s, const char* t, StatusCodeT* v) {
    return soap_s2e__StatusCode(s, t, v);
  }
  static ErrorT* NewError(struct soap* s) { return soap_new_e__Error(s); }
  static SaveResult* NewSaveResult(struct soap* s) { return soap_new_e__SaveResult(s); }
  static UpsertResult* NewUpsertResult(struct soap* s) { return soap_new_e__UpsertResult(s); }
  static DeleteResult* NewDeleteResult(struct soap* s) { return soap_new_e__DeleteResult(s); }
  static UndeleteResult* NewUndeleteResult(struct soap* s) {
    return soap_new_e__UndeleteResult(s);
  }
  static LoginResult* NewLoginResult(struct soap* s) { return soap_new_e__LoginResult(s); }
  static UserInfoResult* NewUserInfo(struct soap* s) { return soap_new_e__GetUserInfoResult(s); }
  static TimestampResult* NewTimestamp(struct soap* s) {
    return soap_new_e__GetServerTimestampResult(s);
  }
  static std::string SessionId(struct soap* s) {
    return s->header && s->header->e__SessionHeader ? s->header->e__SessionHeader->sessionId
                                                    : std::string();
  }
  static bool AllOrNone(struct soap* s) {
    return s->header && s->header->e__AllOrNoneHeader &&
           s->header->e__AllOrNoneHeader->allOrNone;
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
