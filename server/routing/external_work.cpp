#include "server/routing/external_work.h"

#include <cstdlib>
#include <stdexcept>

#include "server/routing/agent_choice.h"

namespace omni::routing {

namespace {

std::string Str(const Record& rec, const char* field) { return Text(rec, field).value_or(""); }

double Num(const std::string& text) {
  return text.empty() ? 0 : std::strtod(text.c_str(), nullptr);
}

const ObjectDef& Obj(const Catalog& c, const char* name) { return *c.FindObject(name); }

std::vector<Record> FindBy(const Catalog& c, RecordWriter& w, const char* object, const char* field,
                           const std::string& value) {
  const ObjectDef& obj = Obj(c, object);
  RowSelect sel;
  sel.where.push_back(FieldTest{obj.FindField(field), FieldTest::Op::kEq, {value}});
  return w.Select(obj, sel);
}

// The PresenceUserConfig's Capacity of the agent: user level, else the profile's (as
// presence_records.h AgentConfig); 0 without one.
double ConfigCapacity(const Catalog& c, RecordWriter& w, const Record& user) {
  auto links = FindBy(c, w, "PresenceUserConfigUser", "UserId", Str(user, "Id"));
  if (links.empty() && !Str(user, "ProfileId").empty()) {
    links = FindBy(c, w, "PresenceUserConfigProfile", "ProfileId", Str(user, "ProfileId"));
  }
  if (links.empty()) return 0;
  auto config = w.Peek(Obj(c, "PresenceUserConfig"), Str(links.back(), "PresenceUserConfigId"));
  return config ? Num(Str(*config, "Capacity")) : 0;
}

// The agent's capacity: their current UserServicePresence's ConfiguredCapacity, else their
// configuration's.
double AgentCapacity(const Catalog& c, RecordWriter& w, const Record& user) {
  for (const auto& p : FindBy(c, w, "UserServicePresence", "UserId", Str(user, "Id"))) {
    if (Str(p, "IsCurrentState") == "true" && !Str(p, "ConfiguredCapacity").empty()) {
      return Num(Str(p, "ConfiguredCapacity"));
    }
  }
  return ConfigCapacity(c, w, user);
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

void OnExternalWorkCreated(const Catalog& c, RecordWriter& w, const Record& work) {
  const std::string psr_id = Str(work, "PendingServiceRoutingId");
  if (psr_id.empty()) return;
  const ObjectDef& psr_obj = Obj(c, "PendingServiceRouting");
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
  auto user = w.Peek(Obj(c, "User"), Str(work, "UserId"));
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
  const double capacity = AgentCapacity(c, w, *user);

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
    for (const auto& other : FindBy(c, w, "AgentWork", "UserId", Str(work, "UserId"))) {
      const std::string status = Str(other, "Status");
      if (Str(other, "Id") == Str(work, "Id")) continue;
      if (status == "Assigned" || status == "Opened") used += Weight(other, capacity);
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
  routed.Set("RequestDateTime",
             Text(*psr, "CustomRequestedDateTime").value_or(Str(*psr, "CreatedDate")));
  routed.Set("AssignedDateTime", now);
  if (auto queue = Text(*psr, "QueueId")) {
    routed.Set("OriginalQueueId", *queue);
    auto group = w.Peek(Obj(c, "Group"), *queue);
    auto config_id = group ? Text(*group, "QueueRoutingConfigId") : std::nullopt;
    auto config = config_id ? w.Peek(Obj(c, "QueueRoutingConfig"), *config_id) : std::nullopt;
    routed.Set("PushTimeout", config ? Text(*config, "PushTimeout").value_or("0") : "0");
  } else {
    routed.Set("PushTimeout", "0");
  }
  Error error;
  if (!w.UpdateAsOrg(Obj(c, "AgentWork"), Str(work, "Id"), routed, &error)) {
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
