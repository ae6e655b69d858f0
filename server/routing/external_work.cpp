#include "server/routing/external_work.h"

#include <cstdlib>
#include <stdexcept>

#include "server/routing/agent_choice.h"
#include "server/routing/agent_state.h"

namespace omni::routing {

namespace {

double Num(const std::string& text) {
  return text.empty() ? 0 : std::strtod(text.c_str(), nullptr);
}

// The agent's capacity: their current UserServicePresence's ConfiguredCapacity, else their
// configuration's (an external router may push to an agent who is not logged in).
double AgentCapacity(const RoutingCatalog& rc, RecordWriter& w, const std::string& user_id) {
  RowSelect current;
  current.where = {Is(*rc.presence, "UserId", user_id), Is(*rc.presence, "IsCurrentState", "true")};
  for (const auto& p : w.Select(*rc.presence, current)) {
    if (!Str(p, "ConfiguredCapacity").empty()) return Num(Str(p, "ConfiguredCapacity"));
  }
  auto config = AgentConfig(rc, w, user_id);
  return config ? Num(Str(*config, "Capacity")) : 0;
}

double Weight(const Record& work, double capacity) {
  if (!Str(work, "CapacityWeight").empty()) return Num(Str(work, "CapacityWeight"));
  if (!Str(work, "CapacityPercentage").empty()) {
    return Num(Str(work, "CapacityPercentage")) * capacity / 100.0;
  }
  return 0;
}

[[noreturn]] void Refuse(const std::string& message, std::vector<std::string> fields = {}) {
  throw ChangeRefused(Error{StatusCode::kFieldIntegrityException, message, std::move(fields)});
}

}  // namespace

void OnExternalWorkCreated(const RoutingCatalog& rc, RecordWriter& w, const Record& work) {
  const std::string psr_id = Str(work, "PendingServiceRoutingId");
  if (psr_id.empty()) return;
  const ObjectDef& psr_obj = *rc.psr;
  // The org's own pushes (the routing engine's) are for requests of the other models.
  auto seen = w.Peek(psr_obj, psr_id);
  // Gone since the create checked its references (an accept deleted it while the create waited
  // for the routing lock): the answer the reference check gives a moment later.
  if (!seen) {
    throw ChangeRefused(
        Error{StatusCode::kInvalidCrossReferenceKey, "invalid cross reference id", {}});
  }
  if (Str(*seen, "RoutingModel") != "ExternalRouting") return;
  // The insert took the org's routing lock (RoutingListener::SerializesWrites), so the capacity
  // read below is exact without locking the agent. Holding that lock, never wait for a row: a
  // request another transaction is changing is refused, as a real org refuses a row it cannot
  // lock.
  auto psr = w.TryRead(psr_obj, psr_id);
  if (!psr) {
    throw ChangeRefused(Error{StatusCode::kUnableToLockRow,
                              "unable to obtain exclusive access to this record",
                              {"PendingServiceRoutingId"}});
  }
  if (Str(*psr, "RoutingModel") != "ExternalRouting") return;
  auto user = w.Peek(*rc.user, Str(work, "UserId"));
  // LIMITATIONS: the real org's texts for these refusals are not public (N1).
  if (Str(*psr, "WorkItemId") != Str(work, "WorkItemId")) {
    Refuse("The work item isn't the one of the PendingServiceRouting " + psr_id, {"WorkItemId"});
  }
  if (!user) Refuse("The agent doesn't exist", {"UserId"});
  // One push at a time (O5): under the routing lock a second router's create for a request
  // already pushed is refused, so no request is ever Assigned to two agents.
  if (Str(*psr, "IsPushed") == "true") {
    Refuse("The PendingServiceRouting " + psr_id +
               " is already pushed to an agent; route it again once it is declined or times out",
           {"PendingServiceRoutingId"});
  }
  const double capacity = AgentCapacity(rc, w, Str(work, "UserId"));

  Record routed;
  // The work takes the request's capacity when the router names none.
  if (Str(work, "CapacityWeight").empty() && Str(work, "CapacityPercentage").empty()) {
    if (auto v = Text(*psr, "CapacityWeight")) routed.Set("CapacityWeight", *v);
    if (auto v = Text(*psr, "CapacityPercentage")) routed.Set("CapacityPercentage", *v);
  }
  Record weighed = work;
  for (const auto& [name, v] : routed.fields) weighed.Set(name, v);
  if (Str(work, "ShouldSkipCapacityCheck") != "true") {
    double used = 0;
    RowSelect open;
    open.where = {Is(*rc.work, "UserId", Str(work, "UserId")),
                  In(*rc.work, "Status", {"Assigned", "Opened"})};
    for (const auto& other : w.Select(*rc.work, open)) {
      if (Str(other, "Id") != Str(work, "Id")) used += Weight(other, capacity);
    }
    const double needed = Weight(weighed, capacity);
    if (used + needed > capacity + 1e-9) {
      Refuse("The agent doesn't have enough capacity for this work item (capacity " +
                 routing::CapacityText(capacity) + ", in use " + routing::CapacityText(used) +
                 "); set ShouldSkipCapacityCheck to assign it anyway",
             {"UserId"});
    }
  }
  const std::string now = Str(work, "CreatedDate");
  routed.Set("RequestDateTime", RequestOf(*psr).requested);
  routed.Set("AssignedDateTime", now);
  const std::string queue = Str(*psr, "QueueId");
  if (!queue.empty()) routed.Set("OriginalQueueId", queue);
  routed.Set("PushTimeout", QueuePushTimeout(rc, w, queue));
  Error error;
  if (!w.UpdateAsOrg(*rc.work, Str(work, "Id"), routed, &error)) {
    throw std::runtime_error("routing the external AgentWork: " + error.message);
  }
  Record pushed;
  pushed.Set("IsPushed", "true");
  pushed.Set("IsPushAttempted", "true");
  if (!w.UpdateAsOrg(psr_obj, psr_id, pushed, &error)) {
    throw std::runtime_error("pushing the PendingServiceRouting: " + error.message);
  }
}

}  // namespace omni::routing
