// getUpdated and getDeleted on both endpoints: the generated requests (dates are time_t, UTC)
// go to ReplicationService (server/dispatcher/replication.h), which applies Salesforce's date
// rules and reads the store; this file copies the outcome into the generated result types.
// One template per operation for both APIs. Thread-safety: per request.
#include "server/dispatcher/replication.h"
#include "server/soap/op_support.h"

namespace omni {
namespace soap_ops {

namespace {

const ReplicationService& Replicator(struct soap* soap) { return *App(soap).replication; }

}  // namespace

template <class T, class Req, class Resp>
int DoGetUpdated(struct soap* soap, Req* req, Resp& resp) {
  int rc;
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  auto out = Replicator(soap).GetUpdated(*ctx, req->sObjectType, req->startDate, req->endDate);
  if (out.fault) return SendFault(soap, *out.fault);
  auto* r = T::NewGetUpdated(soap);
  r->ids = std::move(out.value.ids);
  r->latestDateCovered = out.value.latest_date_covered;
  resp.result = r;
  return SOAP_OK;
}

template <class T, class Req, class Resp>
int DoGetDeleted(struct soap* soap, Req* req, Resp& resp) {
  int rc;
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  auto out = Replicator(soap).GetDeleted(*ctx, req->sObjectType, req->startDate, req->endDate);
  if (out.fault) return SendFault(soap, *out.fault);
  auto* r = T::NewGetDeleted(soap);
  for (const auto& d : out.value.deleted_records) {
    auto* rec = T::NewDeletedRecord(soap);
    rec->deletedDate = d.deleted_date;
    rec->id = d.id;
    r->deletedRecords.push_back(rec);
  }
  r->earliestDateAvailable = out.value.earliest_date_available;
  r->latestDateCovered = out.value.latest_date_covered;
  resp.result = r;
  return SOAP_OK;
}

}  // namespace soap_ops
}  // namespace omni

using omni::soap_ops::EnterpriseTypes;
using omni::soap_ops::PartnerTypes;

int __p__getUpdated(struct soap* s, _p__getUpdated* req, _p__getUpdatedResponse& resp) {
  return omni::soap_ops::DoGetUpdated<PartnerTypes>(s, req, resp);
}
int __p__getDeleted(struct soap* s, _p__getDeleted* req, _p__getDeletedResponse& resp) {
  return omni::soap_ops::DoGetDeleted<PartnerTypes>(s, req, resp);
}
int __e__getUpdated(struct soap* s, _e__getUpdated* req, _e__getUpdatedResponse& resp) {
  return omni::soap_ops::DoGetUpdated<EnterpriseTypes>(s, req, resp);
}
int __e__getDeleted(struct soap* s, _e__getDeleted* req, _e__getDeletedResponse& resp) {
  return omni::soap_ops::DoGetDeleted<EnterpriseTypes>(s, req, resp);
}
