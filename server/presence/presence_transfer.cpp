// transferAgentWork (presence_service.h TransferWork): the agent hands their accepted (Opened)
// AgentWork to a queue or to another agent, as the guide's external-routing chapter describes
// ("Agent transfers the work to an external routing queue" / "... to another agent").
//
// To a queue: a NEW PendingServiceRouting with IsTransfer true, written by the routing code's
// own EnterRouting (its field rules, K4), the work item given to the queue and the agent's
// AgentWork Transferred (CATALOG-DECISIONS N8). To an agent: no request; a second AgentWork,
// Assigned, for the target agent (N9); the first stays Opened until the target accepts, when
// EndOtherOpenWork makes it Transferred (N10).
//
// LIMITATIONS: the v44 console has no transfer method (the agent transfers in the console's
// UI); the operation, its refusals and their messages are the emulator's own.
//
// One OrgWrites transaction in the lock order of every Omni-Channel change: the User rows (the
// agent's, and the target agent's: both in Id order, so that two agents transferring to each
// other never deadlock), then the work item, then AgentWork, then PendingServiceRouting.
#include <cstdlib>

#include "server/core/sf_id.h"
#include "server/presence/presence_records.h"
#include "server/presence/presence_service.h"
#include "server/routing/agent_choice.h"
#include "server/routing/pending_routing.h"

namespace omni {

using presence::Obj;
using presence::Refuse;
using presence::Text;

namespace {

bool Write(OrgTx& tx, const ObjectDef& obj, const std::string& id, const Record& changes,
           PresenceAnswer* a) {
  Error error;
  if (tx.Update(obj, id, changes, &error)) return true;
  return Refuse(a, error.message);
}

// N8: the agent's part of the work ends as a close does (CloseDateTime, HandleTime from
// AcceptDateTime, ActiveTime = HandleTime as N5), with Status Transferred.
Record TransferredFields(OrgTx& tx, const Record& work) {
  Record out;
  out.Set("Status", "Transferred");
  out.Set("CloseDateTime", tx.now());
  auto accepted = presence::ParseTime(Text(work, "AcceptDateTime"));
  auto now = presence::ParseTime(tx.now());
  if (accepted && now) {
    std::string seconds = std::to_string((*now - *accepted) / 1000);
    out.Set("HandleTime", seconds);
    out.Set("ActiveTime", seconds);
  }
  return out;
}

// The agent's capacity: the current status period's ConfiguredCapacity, else the
// configuration's (as external_work.cpp's capacity check).
double CapacityOf(OrgTx& tx, const Record& presence_now, const std::string& user_id) {
  std::string configured = Text(presence_now, "ConfiguredCapacity");
  if (!configured.empty()) return std::strtod(configured.c_str(), nullptr);
  auto config = presence::AgentConfig(tx, user_id);
  return config ? presence::ConfiguredCapacity(*config) : 0;
}

// Scenario 4: to a queue with a routing configuration.
bool ToQueue(OrgTx& tx, const Record& work, const ObjectDef& item_obj, const Record& item,
             const std::string& queue_id, PresenceAnswer* a) {
  // Consulted, not locked (as RoutingFor does): every transfer to a busy queue reads it.
  auto queue = tx.Read(Obj(tx, "Group"), queue_id);
  if (!queue) return Refuse(a, "No queue has the Id " + queue_id);
  if (Text(*queue, "Type") != "Queue") return Refuse(a, "The group " + queue_id + " isn't a queue");
  if (Text(*queue, "QueueRoutingConfigId").empty()) {
    return Refuse(a, "The queue " + queue_id +
                         " has no routing configuration (QueueRoutingConfigId): Omni-Channel "
                         "can't route work from it");
  }
  std::string error_text;
  auto rc = routing::RoutingCatalog::Resolve(tx.catalog(), &error_text);
  if (!rc) throw std::runtime_error(error_text);
  if (!rc->IsWorkItem(item_obj)) {
    return Refuse(a, "A " + item_obj.name + " can't wait in a queue for Omni-Channel routing");
  }
  RecordWriter& writer = tx.Writer();
  Record moved = item;
  moved.Set("OwnerId", queue_id);
  auto routing = routing::RoutingFor(*rc, writer, item_obj, moved);
  if (!routing) {
    return Refuse(a, "The work item " + Text(item, "Id") + " can't be routed from the queue " +
                         queue_id +
                         " (it is closed, or its routing configuration or service channel is "
                         "gone)");
  }
  if (!Write(tx, Obj(tx, "AgentWork"), Text(work, "Id"), TransferredFields(tx, work), a)) {
    return false;
  }
  // LIMITATIONS: the work item is the queue's at once (N8); a real org may leave a chat with the
  // first agent until another accepts it.
  // The request first, then the owner: the routing listener keeps a request for the queue the
  // item moves to (K3), so the router's Create event carries IsTransfer true from the start.
  routing::EnterRouting(*rc, writer, item_obj, moved, *routing, true);
  Record owner;
  owner.Set("OwnerId", queue_id);
  return Write(tx, item_obj, Text(item, "Id"), owner, a);
}

// Scenario 5: to an agent (target locked by the caller).
bool ToAgent(OrgTx& tx, const Record& work, const Record& target, PresenceAnswer* a) {
  const std::string target_id = Text(target, "Id");
  auto there = presence::CurrentPresence(tx, target_id);
  if (!there) return Refuse(a, "The agent " + target_id + " is not logged in to Omni-Channel");
  const std::string channel = Text(work, "ServiceChannelId");
  bool carries = false;
  for (const auto& c : presence::StatusChannels(tx, Text(*there, "ServicePresenceStatusId"))) {
    carries = carries || c.channel_id == channel;
  }
  if (!carries) {
    return Refuse(a, "The agent " + target_id +
                         " is in a presence status without the work's service channel " + channel);
  }
  const double capacity = CapacityOf(tx, *there, target_id);
  double used = 0;
  for (const auto& w : presence::OpenWork(tx, target_id)) {
    used += presence::WorkWeight(w, capacity);
  }
  const double needed = presence::WorkWeight(work, capacity);
  if (used + needed > capacity + 1e-9) {
    return Refuse(a, "The agent " + target_id +
                         " doesn't have enough capacity for this work item (capacity " +
                         routing::CapacityText(capacity) + ", in use " +
                         routing::CapacityText(used) + ", needed " + routing::CapacityText(needed) +
                         ")");
  }
  // N9: pushed to the target as external routing pushes (N2), from the first work's routing.
  Record second;
  second.type = "AgentWork";
  second.Set("UserId", target_id);
  second.Set("WorkItemId", Text(work, "WorkItemId"));
  second.Set("ServiceChannelId", channel);
  second.Set("Status", "Assigned");
  second.Set("RequestDateTime", tx.now());
  second.Set("AssignedDateTime", tx.now());
  for (const char* f : {"OriginalQueueId", "CapacityWeight", "CapacityPercentage"}) {
    if (!Text(work, f).empty()) second.Set(f, Text(work, f));
  }
  second.Set("PushTimeout", Text(work, "PushTimeout").empty() ? "0" : Text(work, "PushTimeout"));
  Error error;
  if (!tx.Create(second, &error)) return Refuse(a, error.message);
  return true;
}

}  // namespace

bool presence::EndOtherOpenWork(OrgTx& tx, const Record& accepted, PresenceAnswer* a) {
  const ObjectDef& obj = Obj(tx, "AgentWork");
  for (const auto& other : tx.FindBy(obj, "WorkItemId", Text(accepted, "WorkItemId"))) {
    if (Text(other, "Id") == Text(accepted, "Id") || Text(other, "Status") != "Opened") continue;
    // Locked (after the work item, as the order says) and checked again: its agent may have
    // closed it meanwhile.
    auto held = tx.Lock(obj, Text(other, "Id"));
    if (!held || Text(*held, "Status") != "Opened") continue;
    if (!Write(tx, obj, Text(*held, "Id"), TransferredFields(tx, *held), a)) return false;
  }
  return true;
}

Outcome<PresenceAnswer> PresenceService::TransferWork(const CallContext& ctx,
                                                      const std::string& work_id,
                                                      const std::string& to_id) {
  PresenceAnswer answer;
  auto run = writes_->Run(ctx, [&](OrgTx& tx) {
    PresenceAnswer* a = &answer;
    const ObjectDef& user_obj = Obj(tx, "User");
    const ObjectDef& group_obj = Obj(tx, "Group");
    auto to = NormalizeId(to_id);
    const bool to_user = to && KeyPrefixOf(*to) == user_obj.key_prefix;
    if (!to || (!to_user && KeyPrefixOf(*to) != group_obj.key_prefix)) {
      return Refuse(a, "The target " + to_id + " is neither a queue nor a user");
    }
    if (to_user && *to == ctx.user_id) {
      return Refuse(a, "The agent can't transfer work to themselves");
    }
    // The User rows first: both, in Id order, when the target is an agent.
    std::optional<Record> me, target;
    if (to_user && *to < ctx.user_id) target = tx.Lock(user_obj, *to);
    me = tx.Lock(user_obj, ctx.user_id);
    if (to_user && *to > ctx.user_id) target = tx.Lock(user_obj, *to);
    if (!me) return Refuse(a, "The user does not exist");
    if (to_user && !target) return Refuse(a, "No user has the Id " + to_id);
    if (!presence::CurrentPresence(tx, ctx.user_id)) {
      return Refuse(a, "The agent is not logged in to Omni-Channel");
    }
    // The work item before the AgentWork: read the work unlocked to learn its item, lock the
    // item, then lock the work and check it again.
    const ObjectDef& work_obj = Obj(tx, "AgentWork");
    auto wid = NormalizeId(work_id);
    auto peek =
        wid && KeyPrefixOf(*wid) == work_obj.key_prefix ? tx.Read(work_obj, *wid) : std::nullopt;
    if (!peek || Text(*peek, "UserId") != ctx.user_id) {
      return Refuse(a, "No AgentWork of the agent has the Id " + work_id);
    }
    const std::string item_id = Text(*peek, "WorkItemId");
    const ObjectDef* item_obj = tx.catalog().FindByKeyPrefix(KeyPrefixOf(item_id));
    auto item = item_obj ? tx.Lock(*item_obj, item_id) : std::nullopt;
    if (!item) return Refuse(a, "The work item " + item_id + " of the AgentWork is gone");
    auto work = tx.Lock(work_obj, *wid);
    if (!work || Text(*work, "UserId") != ctx.user_id) {
      return Refuse(a, "No AgentWork of the agent has the Id " + work_id);
    }
    if (Text(*work, "Status") != "Opened") {
      return Refuse(a, "The AgentWork " + work_id + " is " + Text(*work, "Status") +
                           ", not Opened: only accepted work can be transferred");
    }
    // One transfer at a time (N9): work pushed for the item and not yet answered is a transfer
    // still pending.
    for (const auto& other : tx.FindBy(work_obj, "WorkItemId", item_id)) {
      if (Text(other, "Id") == Text(*work, "Id")) continue;
      if (Text(other, "Status") == "Assigned") {
        return Refuse(a, "The work item " + item_id + " has a transfer pending (AgentWork " +
                             Text(other, "Id") + " is Assigned)");
      }
      if (to_user && Text(other, "Status") == "Opened" && Text(other, "UserId") == *to) {
        return Refuse(a, "The agent " + *to + " already has the work item " + item_id);
      }
    }
    bool done =
        to_user ? ToAgent(tx, *work, *target, a) : ToQueue(tx, *work, *item_obj, *item, *to, a);
    if (!done) return false;
    a->success = true;
    return true;
  });
  if (run.fault) return Outcome<PresenceAnswer>::Fail(*run.fault);
  Outcome<PresenceAnswer> out;
  out.value = std::move(answer);
  return out;
}

}  // namespace omni
