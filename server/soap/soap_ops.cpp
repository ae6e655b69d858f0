// The SOAP operations of both endpoints: the functions soapcpp2's soap_serve_request() calls
// (__p__create for the partner API, __e__create for the enterprise API, ...). Each converts the
// generated request type into the dispatcher's terms, calls it, and converts the outcome back.
// The two APIs share one template per operation, parameterised by a traits struct that names
// the generated types of that API (server/soap/op_support.h).
#include <ctime>

#include "server/core/sf_id.h"
#include "server/soap/op_support.h"
#include "server/soap/records_xml.h"

// The XML namespace table of every connection: soapcpp2's SoapBinding.nsmap (the presence
// service's two included) plus the enterprise sObject namespace, which no generated code names
// (its types are read as DOM).
SOAP_NMAC struct Namespace namespaces[] = {
    {"SOAP-ENV", "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/*/soap-envelope",
     nullptr},
    {"SOAP-ENC", "http://schemas.xmlsoap.org/soap/encoding/", "http://www.w3.org/*/soap-encoding",
     nullptr},
    {"xsi", "http://www.w3.org/2001/XMLSchema-instance", "http://www.w3.org/*/XMLSchema-instance",
     nullptr},
    {"xsd", "http://www.w3.org/2001/XMLSchema", "http://www.w3.org/*/XMLSchema", nullptr},
    {"es", "urn:sobject.enterprise.soap.sforce.com", nullptr, nullptr},
    {"p", "urn:partner.soap.sforce.com", nullptr, nullptr},
    {"ps", "urn:sobject.partner.soap.sforce.com", nullptr, nullptr},
    {"pf", "urn:fault.partner.soap.sforce.com", nullptr, nullptr},
    {"e", "urn:enterprise.soap.sforce.com", nullptr, nullptr},
    {"ef", "urn:fault.enterprise.soap.sforce.com", nullptr, nullptr},
    {"pr", "urn:presence.omni-emulator", nullptr, nullptr},
    {"prf", "urn:fault.presence.omni-emulator", nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr}};

namespace omni {
namespace soap_ops {

template <class T, class R>
R* FillResult(struct soap* soap, R* r, const RecordResult& in) {
  r->success = in.success;
  r->id = in.id ? NewString(soap, *in.id) : nullptr;
  FillErrors<T>(soap, in.errors, &r->errors);
  return r;
}

template <class T, class Resp, class MakeResult>
int ReplyResults(struct soap* soap, const Outcome<std::vector<RecordResult>>& out, Resp& resp,
                 MakeResult make) {
  if (out.fault) return SendFault(soap, *out.fault);
  for (const auto& r : out.value) resp.result.push_back(make(r));
  return SOAP_OK;
}

// Partner sObjects: typed type/fieldsToNull/Id plus DOM field elements.
std::optional<Fault> ToRecords(const std::vector<ps__sObject*>& in, std::vector<Record>* out) {
  for (const ps__sObject* o : in) {
    Record rec;
    // A nil sObject is a record without a type: the dispatcher refuses it as Salesforce does.
    if (!o) {
      out->push_back(std::move(rec));
      continue;
    }
    rec.type = o->type;
    for (const auto& n : o->fieldsToNull) {
      if (!n.empty()) rec.fields_to_null.push_back(n);
    }
    if (o->Id && !o->Id->empty()) rec.fields.emplace_back("Id", *o->Id);
    if (auto fault = ReadFieldElements(o->__any, &rec)) return fault;
    out->push_back(std::move(rec));
  }
  return std::nullopt;
}

std::optional<Fault> ToRecords(const std::vector<xsd__anyType>& in, std::vector<Record>* out) {
  for (const auto& node : in) {
    Record rec;
    if (auto fault = ReadEnterpriseSObject(node, &rec)) return fault;
    out->push_back(std::move(rec));
  }
  return std::nullopt;
}

template <class T, class Req, class Resp>
int DoCreateOrUpdate(struct soap* soap, Req* req, Resp& resp, bool update) {
  int rc;
  CallOptions opts;
  auto ctx = Authenticate<T>(soap, &rc, &opts);
  if (!ctx) return rc;
  std::vector<Record> records;
  if (auto fault = ToRecords(req->sObjects, &records)) return SendFault(soap, *fault);
  Dispatcher& d = *App(soap).dispatcher;
  auto out =
      update ? d.Update(*ctx, std::move(records), opts) : d.Create(*ctx, std::move(records), opts);
  return ReplyResults<T>(soap, out, resp, [&](const RecordResult& r) {
    return FillResult<T>(soap, T::NewSaveResult(soap), r);
  });
}

template <class T, class Req, class Resp>
int DoUpsert(struct soap* soap, Req* req, Resp& resp) {
  int rc;
  CallOptions opts;
  auto ctx = Authenticate<T>(soap, &rc, &opts);
  if (!ctx) return rc;
  std::vector<Record> records;
  if (auto fault = ToRecords(req->sObjects, &records)) return SendFault(soap, *fault);
  auto out = App(soap).dispatcher->Upsert(*ctx, req->externalIDFieldName, std::move(records), opts);
  return ReplyResults<T>(soap, out, resp, [&](const RecordResult& r) {
    auto* u = FillResult<T>(soap, T::NewUpsertResult(soap), r);
    u->created = r.created;
    return u;
  });
}

template <class T, bool undelete, class Req, class Resp>
int DoBin(struct soap* soap, Req* req, Resp& resp) {
  int rc;
  CallOptions opts;
  auto ctx = Authenticate<T>(soap, &rc, &opts);
  if (!ctx) return rc;
  Dispatcher& d = *App(soap).dispatcher;
  if constexpr (undelete) {
    return ReplyResults<T>(
        soap, d.Undelete(*ctx, req->ids, opts), resp,
        [&](const RecordResult& r) { return FillResult<T>(soap, T::NewUndeleteResult(soap), r); });
  } else {
    return ReplyResults<T>(soap, d.Delete(*ctx, req->ids, opts), resp, [&](const RecordResult& r) {
      return FillResult<T>(soap, T::NewDeleteResult(soap), r);
    });
  }
}

bool FieldListNamesId(const std::string& list) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(pos, comma - pos);
    item.erase(0, item.find_first_not_of(" \t\r\n"));
    item.erase(item.find_last_not_of(" \t\r\n") + 1);
    if (ToLower(item) == "id") return true;
    pos = comma + 1;
  }
  return false;
}

template <class T, class Req, class Resp, class MakeRecord>
int DoRetrieve(struct soap* soap, Req* req, Resp& resp, MakeRecord make) {
  int rc;
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).dispatcher->Retrieve(*ctx, req->fieldList, req->sObjectType, req->ids);
  if (out.fault) return SendFault(soap, *out.fault);
  bool id_selected = FieldListNamesId(req->fieldList);
  for (const auto& rec : out.value) resp.result.push_back(make(rec, id_selected));
  // An id that finds no record answers <result xsi:nil="true"/> in its position (the WSDL's
  // result is nillable; clients pair results with ids by position). gSOAP leaves null pointers
  // of a vector out unless the nil output mode is on.
  soap_set_omode(soap, SOAP_XML_NIL);
  return SOAP_OK;
}

template <class T>
typename T::UserInfoResult* MakeUserInfo(struct soap* soap, const UserInfo& u) {
  auto* r = T::NewUserInfo(soap);
  r->accessibilityMode = false;
  r->chatterExternal = false;
  r->currencySymbol = NewString(soap, "$");
  r->orgAttachmentFileSizeLimit = 5242880;
  r->orgDefaultCurrencyIsoCode = NewString(soap, "USD");
  r->orgDefaultCurrencyLocale = NewString(soap, "en_US");
  r->orgDisallowHtmlAttachments = false;
  r->orgHasPersonAccounts = false;
  r->organizationId = u.org_id;
  r->organizationMultiCurrency = false;
  r->organizationName = u.org_name;
  r->profileId = u.profile_id;
  r->roleId = nullptr;
  r->sessionSecondsValid = u.session_seconds_valid;
  r->userDefaultCurrencyIsoCode = nullptr;
  r->userEmail = u.email;
  r->userFullName = u.full_name;
  r->userId = u.user_id;
  r->userLanguage = u.language;
  r->userLocale = u.locale;
  r->userName = u.username;
  r->userTimeZone = u.time_zone;
  r->userType = "Standard";
  r->userUiSkin = "Theme3";
  return r;
}

template <class T, class Req, class Resp>
int DoLogin(struct soap* soap, Req* req, Resp& resp) {
  int rc = WrongEndpoint(soap, T::kFlavor);
  if (rc != SOAP_OK) return rc;
  soap->header = nullptr;
  const SoapApp& app = App(soap);
  auto out = app.sessions->Login(req->username, req->password);
  if (out.fault) return SendFault(soap, *out.fault);
  auto* r = T::NewLoginResult(soap);
  std::string org15 = out.value.user.org_id.substr(0, 15);
  r->metadataServerUrl =
      NewString(soap, app.base_url + "/services/Soap/m/" + app.api_version + "/" + org15);
  r->passwordExpired = false;
  r->sandbox = true;
  r->serverUrl = NewString(soap, app.base_url + T::Path() + app.api_version + "/" + org15);
  r->sessionId = NewString(soap, out.value.session_id);
  r->userId = NewString(soap, out.value.user.user_id);
  r->userInfo = MakeUserInfo<T>(soap, out.value.user);
  resp.result = r;
  return SOAP_OK;
}

template <class T, class Resp>
int DoGetUserInfo(struct soap* soap, Resp& resp) {
  int rc;
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).sessions->GetUserInfo(*ctx);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = MakeUserInfo<T>(soap, out.value);
  return SOAP_OK;
}

template <class T, class Resp>
int DoLogout(struct soap* soap, Resp&) {
  int rc;
  std::string session = T::SessionId(soap);
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).sessions->Logout(session);
  if (out.fault) return SendFault(soap, *out.fault);
  return SOAP_OK;
}

template <class T, class Resp>
int DoServerTimestamp(struct soap* soap, Resp& resp) {
  int rc;
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  resp.result = T::NewTimestamp(soap);
  resp.result->timestamp = static_cast<std::time_t>(App(soap).clock->Now(ctx->org_id) / 1000);
  return SOAP_OK;
}

ps__sObject* PartnerRecord(struct soap* soap, const std::optional<Record>& rec, bool with_id) {
  if (!rec) return nullptr;
  auto* o = soap_new_ps__sObject(soap);
  o->type = rec->type;
  const Value* id = rec->Find("Id");
  o->Id = id && *id ? NewString(soap, **id) : nullptr;
  o->__any = WriteQueryFields(soap, ToQueryRecord(*rec), with_id);
  return o;
}

}  // namespace soap_ops
}  // namespace omni

using omni::soap_ops::EnterpriseTypes;
using omni::soap_ops::PartnerTypes;

// Partner endpoint (/services/Soap/u/44.0).
int __p__login(struct soap* s, _p__login* req, _p__loginResponse& resp) {
  return omni::soap_ops::DoLogin<PartnerTypes>(s, req, resp);
}
int __p__create(struct soap* s, _p__create* req, _p__createResponse& resp) {
  return omni::soap_ops::DoCreateOrUpdate<PartnerTypes>(s, req, resp, false);
}
int __p__update(struct soap* s, _p__update* req, _p__updateResponse& resp) {
  return omni::soap_ops::DoCreateOrUpdate<PartnerTypes>(s, req, resp, true);
}
int __p__upsert(struct soap* s, _p__upsert* req, _p__upsertResponse& resp) {
  return omni::soap_ops::DoUpsert<PartnerTypes>(s, req, resp);
}
int __p__delete(struct soap* s, _p__delete* req, _p__deleteResponse& resp) {
  return omni::soap_ops::DoBin<PartnerTypes, false>(s, req, resp);
}
int __p__undelete(struct soap* s, _p__undelete* req, _p__undeleteResponse& resp) {
  return omni::soap_ops::DoBin<PartnerTypes, true>(s, req, resp);
}
int __p__retrieve(struct soap* s, _p__retrieve* req, _p__retrieveResponse& resp) {
  return omni::soap_ops::DoRetrieve<PartnerTypes>(
      s, req, resp, [s](const std::optional<omni::Record>& r, bool with_id) {
        return omni::soap_ops::PartnerRecord(s, r, with_id);
      });
}
int __p__logout(struct soap* s, _p__logout*, _p__logoutResponse& resp) {
  return omni::soap_ops::DoLogout<PartnerTypes>(s, resp);
}
int __p__getServerTimestamp(struct soap* s, _p__getServerTimestamp*,
                            _p__getServerTimestampResponse& resp) {
  return omni::soap_ops::DoServerTimestamp<PartnerTypes>(s, resp);
}
int __p__getUserInfo(struct soap* s, _p__getUserInfo*, _p__getUserInfoResponse& resp) {
  return omni::soap_ops::DoGetUserInfo<PartnerTypes>(s, resp);
}

// Enterprise endpoint (/services/Soap/c/44.0).
int __e__login(struct soap* s, _e__login* req, _e__loginResponse& resp) {
  return omni::soap_ops::DoLogin<EnterpriseTypes>(s, req, resp);
}
int __e__create(struct soap* s, _e__create* req, _e__createResponse& resp) {
  return omni::soap_ops::DoCreateOrUpdate<EnterpriseTypes>(s, req, resp, false);
}
int __e__update(struct soap* s, _e__update* req, _e__updateResponse& resp) {
  return omni::soap_ops::DoCreateOrUpdate<EnterpriseTypes>(s, req, resp, true);
}
int __e__upsert(struct soap* s, _e__upsert* req, _e__upsertResponse& resp) {
  return omni::soap_ops::DoUpsert<EnterpriseTypes>(s, req, resp);
}
int __e__delete(struct soap* s, _e__delete* req, _e__deleteResponse& resp) {
  return omni::soap_ops::DoBin<EnterpriseTypes, false>(s, req, resp);
}
int __e__undelete(struct soap* s, _e__undelete* req, _e__undeleteResponse& resp) {
  return omni::soap_ops::DoBin<EnterpriseTypes, true>(s, req, resp);
}
int __e__retrieve(struct soap* s, _e__retrieve* req, _e__retrieveResponse& resp) {
  return omni::soap_ops::DoRetrieve<EnterpriseTypes>(
      s, req, resp, [s](const std::optional<omni::Record>& r, bool) {
        return omni::WriteEnterpriseSObject(s, "urn:enterprise.soap.sforce.com", "result", r);
      });
}
int __e__logout(struct soap* s, _e__logout*, _e__logoutResponse& resp) {
  return omni::soap_ops::DoLogout<EnterpriseTypes>(s, resp);
}
int __e__getServerTimestamp(struct soap* s, _e__getServerTimestamp*,
                            _e__getServerTimestampResponse& resp) {
  return omni::soap_ops::DoServerTimestamp<EnterpriseTypes>(s, resp);
}
int __e__getUserInfo(struct soap* s, _e__getUserInfo*, _e__getUserInfoResponse& resp) {
  return omni::soap_ops::DoGetUserInfo<EnterpriseTypes>(s, resp);
}
