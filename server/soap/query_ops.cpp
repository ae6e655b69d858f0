// The SOQL calls of both endpoints: query, queryAll and queryMore. Each reads QueryOptions
// (batchSize), runs the QueryService, and writes the QueryResult: partner rows as sObjects whose
// fields (and parent relationships) are DOM elements, enterprise rows as typed DOM elements.
#include "server/dispatcher/query_service.h"
#include "server/soap/op_support.h"
#include "server/soap/records_xml.h"

namespace omni {
namespace soap_ops {

namespace {

// QueryOptions.batchSize, 0 when the header is absent; read before the headers are dropped.
template <class T>
int BatchSize(struct soap* soap) {
  const auto* opts = T::QueryOptions(soap);
  return opts && opts->batchSize ? *opts->batchSize : 0;
}

ps__sObject* PartnerRow(struct soap* soap, const QueryRecord& rec) {
  auto* o = soap_new_ps__sObject(soap);
  o->type = rec.type;
  o->Id = nullptr;
  bool id_selected = false;
  for (const auto& [name, value] : rec.fields) {
    if (name != "Id") continue;
    id_selected = true;
    if (const auto* v = std::get_if<Value>(&value); v && *v) o->Id = NewString(soap, **v);
  }
  // Salesforce writes a selected Id twice in partner rows: as sObject.Id and among the fields.
  o->__any = WriteQueryFields(soap, rec, id_selected);
  return o;
}

template <class T, class Result>
void FillPage(struct soap* soap, const QueryPage& page, Result* result) {
  result->done = page.done;
  result->queryLocator = page.locator ? NewString(soap, *page.locator) : nullptr;
  result->size = page.size;
  for (const auto& rec : page.records) {
    if constexpr (T::kFlavor == Flavor::kPartner) {
      result->records.push_back(PartnerRow(soap, rec));
    } else {
      result->records.push_back(
          WriteEnterpriseQueryRecord(soap, "urn:enterprise.soap.sforce.com", "records", rec));
    }
  }
}

template <class T, class Resp>
int DoQuery(struct soap* soap, const std::string& soql, bool include_deleted, Resp& resp) {
  int batch = BatchSize<T>(soap);
  int rc;
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).queries->Query(*ctx, soql, include_deleted, batch);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = T::NewQueryResult(soap);
  FillPage<T>(soap, out.value, resp.result);
  return SOAP_OK;
}

template <class T, class Resp>
int DoQueryMore(struct soap* soap, const std::string& locator, Resp& resp) {
  int batch = BatchSize<T>(soap);
  int rc;
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).queries->QueryMore(*ctx, locator, batch);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = T::NewQueryResult(soap);
  FillPage<T>(soap, out.value, resp.result);
  return SOAP_OK;
}

}  // namespace

}  // namespace soap_ops
}  // namespace omni

using omni::soap_ops::EnterpriseTypes;
using omni::soap_ops::PartnerTypes;

int __p__query(struct soap* s, _p__query* req, _p__queryResponse& resp) {
  return omni::soap_ops::DoQuery<PartnerTypes>(s, req->queryString, false, resp);
}
int __p__queryAll(struct soap* s, _p__queryAll* req, _p__queryAllResponse& resp) {
  return omni::soap_ops::DoQuery<PartnerTypes>(s, req->queryString, true, resp);
}
int __p__queryMore(struct soap* s, _p__queryMore* req, _p__queryMoreResponse& resp) {
  return omni::soap_ops::DoQueryMore<PartnerTypes>(s, req->queryLocator, resp);
}
int __e__query(struct soap* s, _e__query* req, _e__queryResponse& resp) {
  return omni::soap_ops::DoQuery<EnterpriseTypes>(s, req->queryString, false, resp);
}
int __e__queryAll(struct soap* s, _e__queryAll* req, _e__queryAllResponse& resp) {
  return omni::soap_ops::DoQuery<EnterpriseTypes>(s, req->queryString, true, resp);
}
int __e__queryMore(struct soap* s, _e__queryMore* req, _e__queryMoreResponse& resp) {
  return omni::soap_ops::DoQueryMore<EnterpriseTypes>(s, req->queryLocator, resp);
}
