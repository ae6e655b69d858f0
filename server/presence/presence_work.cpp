// The agent's answers to pushed work (presence_service.h: AcceptWork, DeclineWork, CloseWork),
// each one OrgWrites transaction that first locks the agent's User row, as every presence change
// does, then the work item, then the AgentWork (after the org's routing lock), so that an answer, a
// status change and an external router's AgentWork create for one agent take turns in every process
// (CATALOG-DECISIONS N).
#include <cstdio>

#include "server/core/sf_id.h"
#include "server/presence/presence_records.h"
#include "server/presence/presence_service.h"

namespace omni {

using presence::Obj;
using presence::Refuse;
using presence::Text;

namespace {

// Whole seconds from `from` to `to` (API time texts); "" when either is not a time.
std::string Seconds(const std::string& from, const std::string& to) {
  auto a = presence::ParseTime(from), b = presence::ParseTime(to);
  if (!a || !b) return "";
  return std::to_string((*b - *a) / 1000);
}

// The agent's AgentWork with that Id, locked; nullopt (and *a refused) when it is not one of
// theirs or not in `status`.
std::optional<Record> TheirWork(OrgTx& tx, const CallContext& ctx, const std::string& work_id,
                                const char* status, PresenceAnswer* a) {
  if (!tx.Lock(Obj(tx, "User"), ctx.user_id)) {
    Refuse(a, "The user does not exist");
    return std::nullopt;
  }
  if (!presence::CurrentPresence(tx, ctx.user_id)) {
    Refuse(a, "The agent is not logged in to Omni-Channel");
    return std::nullopt;
  }
  const ObjectDef& obj = Obj(tx, "AgentWork");
  auto id = NormalizeId(work_id);
  auto seen = id && KeyPrefixOf(*id) == obj.key_prefix ? tx.Read(obj, *id) : std::nullopt;
  // The work item before the AgentWork (whose lock takes the org's routing lock): a call changing
  // the item waits for routing at its commit, so holding routing while waiting for the item
  // could deadlock.
  if (seen && Text(*seen, "UserId") == ctx.user_id) {
    const std::string item_id = Text(*seen, "WorkItemId");
    if (const ObjectDef* item_obj = tx.catalog().FindByKeyPrefix(KeyPrefixOf(item_id))) {
      tx.Lock(*item_obj, item_id);
    }
  }
  auto work = seen ? tx.Lock(obj, *id) : std::nullopt;
  if (!work || Text(*work, "UserId") != ctx.user_id) {
    Refuse(a, "No AgentWork of the agent has the Id " + work_id);
    return std::nullopt;
  }
  if (Text(*work, "Status") != status) {
    Refuse(a, "The AgentWork " + work_id + " is " + Text(*work, "Status") + ", not " + status);
    return std::nullopt;
  }
  return work;
}

bool Write(OrgTx& tx, const ObjectDef& obj, const std::string& id, const Record& changes,
           PresenceAnswer* a) {
  Error error;
  if (tx.Update(obj, id, changes, &error)) return true;
  return Refuse(a, error.message);
}

// The request the work was pushed for: PendingServiceRoutingId, else the work item's.
std::vector<std::string> RequestsOf(OrgTx& tx, const Record& work) {
  std::string psr = Text(work, "PendingServiceRoutingId");
  if (!psr.empty()) {
    if (tx.Read(Obj(tx, "PendingServiceRouting"), psr)) return {psr};
    return {};
  }
  std::vector<std::string> out;
  for (const auto& r :
       tx.FindBy(Obj(tx, "PendingServiceRouting"), "WorkItemId", Text(work, "WorkItemId"))) {
    out.push_back(Text(r, "Id"));
  }
  return out;
}

// The decline reason the agent's configuration offers under that label, developer name or Id;
// "" when none.
std::string ConfiguredReason(OrgTx& tx, const Record& config, const std::string& given) {
  auto given_id = NormalizeId(given);
  for (const auto& link : tx.FindBy(Obj(tx, "PresenceConfigDeclineReason"), "PresenceUserConfigId",
                                    Text(config, "Id"))) {
    auto reason = tx.Read(Obj(tx, "PresenceDeclineReason"), Text(link, "PresenceDeclineReasonId"));
    if (!reason) continue;
    if (Text(*reason, "MasterLabel") == given || Text(*reason, "DeveloperName") == given ||
        (given_id && *given_id == Text(*reason, "Id"))) {
      return Text(*reason, "MasterLabel");
    }
  }
  return "";
}

}  // namespace

bool presence::Decline(OrgTx& tx, const std::string& user_id, const Record& work,
                       const Record& config, const DeclineKind& kind, PresenceAnswer* a) {
  auto presence_now = presence::CurrentPresence(tx, user_id);
  // N4: the capacity in use when declining, this work included.
  double capacity = presence_now && !Text(*presence_now, "ConfiguredCapacity").empty()
                        ? std::stod(Text(*presence_now, "ConfiguredCapacity"))
                        : presence::ConfiguredCapacity(config);
  double in_use = 0;
  for (const auto& w : presence::OpenWork(tx, user_id)) in_use += presence::WorkWeight(w, capacity);
  Record declined;
  declined.Set("Status", kind.status);
  declined.Set(kind.time_field, tx.now());
  if (!kind.reason.empty()) declined.Set("DeclineReason", kind.reason);
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", in_use);
  declined.Set("AgentCapacityWhenDeclined", std::string(text));
  if (!Write(tx, Obj(tx, "AgentWork"), Text(work, "Id"), declined, a)) return false;
  Record again;
  again.Set("IsPushed", "false");
  if (presence_now) again.Set("LastDeclinedAgentSession", Text(*presence_now, "Name"));
  for (const auto& psr : RequestsOf(tx, work)) {
    if (!Write(tx, Obj(tx, "PendingServiceRouting"), psr, again, a)) return false;
  }
  const std::string next_status = Text(config, kind.status_field);
  if (!next_status.empty()) {
    StatusAnswer moved;
    presence::EnterStatus(tx, user_id, next_status, &moved);
  }
  return true;
}

namespace {

template <class Fn>
Outcome<PresenceAnswer> InTx(OrgWrites* writes, const CallContext& ctx, Fn fn) {
  PresenceAnswer answer;
  auto run = writes->Run(ctx, [&](OrgTx& tx) { return fn(tx, &answer); });
  if (run.fault) return Outcome<PresenceAnswer>::Fail(*run.fault);
  Outcome<PresenceAnswer> out;
  out.value = std::move(answer);
  return out;
}

}  // namespace

Outcome<PresenceAnswer> PresenceService::AcceptWork(const CallContext& ctx,
                                                    const std::string& work_id) {
  return InTx(writes_, ctx, [&](OrgTx& tx, PresenceAnswer* a) {
    auto work = TheirWork(tx, ctx, work_id, "Assigned", a);
    if (!work) return false;
    std::string requested = Text(*work, "RequestDateTime");
    if (requested.empty()) requested = Text(*work, "AssignedDateTime");
    if (requested.empty()) requested = Text(*work, "CreatedDate");
    Record opened;
    opened.Set("Status", "Opened");
    opened.Set("AcceptDateTime", tx.now());
    std::string speed = Seconds(requested, tx.now());
    if (!speed.empty()) opened.Set("SpeedToAnswer", speed);
    const ObjectDef& work_obj = Obj(tx, "AgentWork");
    if (!Write(tx, work_obj, Text(*work, "Id"), opened, a)) return false;
    // The work item becomes the agent's: its request leaves routing with it (K3), and a chat
    // waiting for an agent is in progress.
    const std::string item_id = Text(*work, "WorkItemId");
    const ObjectDef* item_obj = tx.catalog().FindByKeyPrefix(KeyPrefixOf(item_id));
    auto item = item_obj ? tx.Lock(*item_obj, item_id) : std::nullopt;
    if (item) {
      Record mine;
      mine.Set("OwnerId", ctx.user_id);
      if (item_obj->name == "LiveChatTranscript" &&
          (Text(*item, "Status").empty() || Text(*item, "Status") == "Waiting")) {
        mine.Set("Status", "InProgress");
      }
      if (!Write(tx, *item_obj, item_id, mine, a)) return false;
    }
    if (!presence::EndOtherOpenWork(tx, *work, a)) return false;  // a transfer completes (N10)
    Error error;
    for (const auto& psr : RequestsOf(tx, *work)) {
      if (!tx.Delete(Obj(tx, "PendingServiceRouting"), psr, &error))
        return Refuse(a, error.message);
    }
    a->success = true;
    return true;
  });
}

Outcome<PresenceAnswer> PresenceService::DeclineWork(const CallContext& ctx,
                                                     const std::string& work_id,
                                                     const std::string& reason) {
  return InTx(writes_, ctx, [&](OrgTx& tx, PresenceAnswer* a) {
    auto work = TheirWork(tx, ctx, work_id, "Assigned", a);
    if (!work) return false;
    auto config = presence::AgentConfig(tx, ctx.user_id);
    if (!config || Text(*config, "OptionsIsDeclineEnabled") != "true") {
      return Refuse(a, "The agent's presence configuration does not allow declining work");
    }
    std::string label;
    if (!reason.empty()) {
      if (Text(*config, "OptionsIsDeclineReasonEnabled") != "true") {
        return Refuse(a, "The agent's presence configuration does not enable decline reasons");
      }
      label = ConfiguredReason(tx, *config, reason);
      if (label.empty()) {
        return Refuse(
            a, "'" + reason + "' is not a decline reason of the agent's presence configuration");
      }
    }
    if (!presence::Decline(tx, ctx.user_id, *work, *config,
                           {"Declined", "DeclineDateTime", label, "PresenceStatusOnDeclineId"},
                           a)) {
      return false;
    }
    a->success = true;
    return true;
  });
}

Outcome<PresenceAnswer> PresenceService::CloseWork(const CallContext& ctx,
                                                   const std::string& work_id) {
  return InTx(writes_, ctx, [&](OrgTx& tx, PresenceAnswer* a) {
    auto work = TheirWork(tx, ctx, work_id, "Opened", a);
    if (!work) return false;
    Record closed;
    closed.Set("Status", "Closed");
    closed.Set("CloseDateTime", tx.now());
    // N4: no console tabs to watch, so the work was active all the time it was open.
    std::string handle = Seconds(Text(*work, "AcceptDateTime"), tx.now());
    if (!handle.empty()) {
      closed.Set("HandleTime", handle);
      closed.Set("ActiveTime", handle);
    }
    if (!Write(tx, Obj(tx, "AgentWork"), Text(*work, "Id"), closed, a)) return false;
    a->success = true;
    return true;
  });
}

}  // namespace omni
