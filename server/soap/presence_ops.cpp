// The agent presence service's operations (wsdl/presence.wsdl): gSOAP's generated requests in,
// PresenceService (server/presence/) called as the session's user, generated results out.
#include <algorithm>

#include "server/admin/changes_endpoint.h"
#include "server/core/unexpected.h"
#include "server/soap/op_support.h"

namespace omni {
namespace soap_ops {
namespace {

constexpr std::size_t kEventPage = 200;
constexpr int kMaxWaitSeconds = 120;

std::optional<CallContext> Agent(struct soap* soap, int* rc) {
  *rc = WrongEndpoint(soap, Flavor::kPresence);
  if (*rc != SOAP_OK) return std::nullopt;
  std::string session = soap->header && soap->header->pr__SessionHeader
                            ? soap->header->pr__SessionHeader->sessionId
                            : std::string();
  auto ctx = App(soap).sessions->Resolve(session);
  soap->header = nullptr;  // request headers are not echoed back in the response
  if (ctx.fault) {
    *rc = SendFault(soap, *ctx.fault);
    return std::nullopt;
  }
  if (!App(soap).presence) {
    *rc = SendFault(soap, UnexpectedFault("presence", "the presence service is not configured"));
    return std::nullopt;
  }
  return ctx.value;
}

template <class R>
R* Base(struct soap* soap, const PresenceAnswer& a, R* r) {
  r->success = a.success;
  r->message = a.success ? nullptr : NewString(soap, a.message);
  return r;
}

std::vector<pr__Channel*> Channels(struct soap* soap, const std::vector<PresenceChannel>& in) {
  std::vector<pr__Channel*> out;
  for (const auto& c : in) {
    auto* ch = soap_new_pr__Channel(soap);
    ch->channelId = c.channel_id;
    ch->developerName = c.developer_name;
    out.push_back(ch);
  }
  return out;
}

pr__StatusResult* StatusResult(struct soap* soap, const StatusAnswer& a) {
  auto* r = Base(soap, a, soap_new_pr__StatusResult(soap));
  if (a.success) {
    r->statusId = NewString(soap, a.status_id);
    r->statusName = NewString(soap, a.status_name);
    r->statusApiName = NewString(soap, a.status_api_name);
    r->channels = Channels(soap, a.channels);
  }
  return r;
}

double* NewDouble(struct soap* soap, double v) {
  double* d = static_cast<double*>(soap_malloc(soap, sizeof(double)));
  *d = v;
  return d;
}

std::string* Opt(struct soap* soap, const std::optional<std::string>& v) {
  return v ? NewString(soap, *v) : nullptr;
}
double* Opt(struct soap* soap, const std::optional<double>& v) {
  return v ? NewDouble(soap, *v) : nullptr;
}

time_t EpochSeconds(const std::string& text) {
  struct tm tm = {};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) < 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

}  // namespace
}  // namespace soap_ops
}  // namespace omni

using namespace omni;
using namespace omni::soap_ops;

int __pr__login(struct soap* soap, _pr__login* req, _pr__loginResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->Login(*ctx, req ? req->statusId : "");
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = Base(soap, out.value, soap_new_pr__PresenceResult(soap));
  return SOAP_OK;
}

int __pr__logout(struct soap* soap, _pr__logout*, _pr__logoutResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->Logout(*ctx);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = Base(soap, out.value, soap_new_pr__PresenceResult(soap));
  return SOAP_OK;
}

int __pr__setServicePresenceStatus(struct soap* soap, _pr__setServicePresenceStatus* req,
                                   _pr__setServicePresenceStatusResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->SetStatus(*ctx, req ? req->statusId : "");
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = StatusResult(soap, out.value);
  return SOAP_OK;
}

int __pr__getServicePresenceStatusId(struct soap* soap, _pr__getServicePresenceStatusId*,
                                     _pr__getServicePresenceStatusIdResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->GetStatus(*ctx);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = StatusResult(soap, out.value);
  resp.result->channels.clear();  // the console method answers the status alone
  return SOAP_OK;
}

int __pr__getServicePresenceStatusChannels(struct soap* soap,
                                           _pr__getServicePresenceStatusChannels*,
                                           _pr__getServicePresenceStatusChannelsResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->GetStatusChannels(*ctx);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = Base(soap, out.value, soap_new_pr__ChannelsResult(soap));
  if (out.value.success) resp.result->channels = Channels(soap, out.value.channels);
  return SOAP_OK;
}

int __pr__getAgentWorks(struct soap* soap, _pr__getAgentWorks*, _pr__getAgentWorksResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->GetAgentWorks(*ctx);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = Base(soap, out.value, soap_new_pr__AgentWorksResult(soap));
  for (const auto& w : out.value.works) {
    auto* work = soap_new_pr__Work(soap);
    work->workItemId = w.work_item_id;
    work->workId = w.work_id;
    work->isEngaged = w.engaged;
    resp.result->works.push_back(work);
  }
  return SOAP_OK;
}

int __pr__getAgentWorkload(struct soap* soap, _pr__getAgentWorkload*,
                           _pr__getAgentWorkloadResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->GetAgentWorkload(*ctx);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = Base(soap, out.value, soap_new_pr__WorkloadResult(soap));
  if (out.value.success) {
    resp.result->configuredCapacity = NewDouble(soap, out.value.configured_capacity);
    resp.result->currentWorkload = NewDouble(soap, out.value.current_workload);
  }
  return SOAP_OK;
}

int __pr__acceptAgentWork(struct soap* soap, _pr__acceptAgentWork* req,
                          _pr__acceptAgentWorkResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->AcceptWork(*ctx, req ? req->workId : "");
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = Base(soap, out.value, soap_new_pr__PresenceResult(soap));
  return SOAP_OK;
}
int __pr__declineAgentWork(struct soap* soap, _pr__declineAgentWork* req,
                           _pr__declineAgentWorkResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  std::string reason = req && req->declineReason ? *req->declineReason : "";
  auto out = App(soap).presence->DeclineWork(*ctx, req ? req->workId : "", reason);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = Base(soap, out.value, soap_new_pr__PresenceResult(soap));
  return SOAP_OK;
}
int __pr__closeAgentWork(struct soap* soap, _pr__closeAgentWork* req,
                         _pr__closeAgentWorkResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->CloseWork(*ctx, req ? req->workId : "");
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = Base(soap, out.value, soap_new_pr__PresenceResult(soap));
  return SOAP_OK;
}
int __pr__transferAgentWork(struct soap* soap, _pr__transferAgentWork* req,
                            _pr__transferAgentWorkResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).presence->TransferWork(*ctx, req ? req->workId : "", req ? req->toId : "");
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = Base(soap, out.value, soap_new_pr__PresenceResult(soap));
  return SOAP_OK;
}

int __pr__getEvents(struct soap* soap, _pr__getEvents* req, _pr__getEventsResponse& resp) {
  int rc;
  auto ctx = Agent(soap, &rc);
  if (!ctx) return rc;
  auto* state = static_cast<RequestState*>(soap->user);
  std::optional<std::int64_t> after;
  if (state->events_after)
    after = state->events_after;
  else if (req && req->afterSequence && *req->afterSequence >= 0)
    after = *req->afterSequence;
  int wait = req && req->waitSeconds ? std::clamp(*req->waitSeconds, 0, kMaxWaitSeconds) : 0;
  auto out = App(soap).presence->EventsAfter(*ctx, after, kEventPage);
  if (out.fault) return SendFault(soap, *out.fault);
  if (out.value.events.empty() && wait > 0 && state->may_park) {
    // Nothing yet: wait, holding no thread, for the org's next commit in any server process.
    state->park = RequestState::ParkWish{ChangesChannel(ctx->org_id), out.value.sequence,
                                         std::chrono::milliseconds(wait * 1000L)};
    return Answer(soap, 200, "");
  }
  resp.result = Base(soap, out.value, soap_new_pr__EventsResult(soap));
  resp.result->sequence = out.value.sequence;
  for (const auto& e : out.value.events) {
    auto* ev = soap_new_pr__PresenceEvent(soap);
    ev->sequence = e.sequence;
    ev->type = e.type;
    ev->createdDate = EpochSeconds(e.created_date);
    ev->statusId = Opt(soap, e.status_id);
    ev->statusName = Opt(soap, e.status_name);
    ev->statusApiName = Opt(soap, e.status_api_name);
    ev->channels = Channels(soap, e.channels);
    ev->workItemId = Opt(soap, e.work_item_id);
    ev->workId = Opt(soap, e.work_id);
    ev->configuredCapacity = Opt(soap, e.configured_capacity);
    ev->previousWorkload = Opt(soap, e.previous_workload);
    ev->newWorkload = Opt(soap, e.new_workload);
    resp.result->events.push_back(ev);
  }
  return SOAP_OK;
}
