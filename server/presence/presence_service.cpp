// The console methods (presence_service.h); the events are in presence_events.cpp.
#include "server/presence/presence_service.h"

#include <cstdio>

#include "server/presence/presence_records.h"
#include "server/sessions/secure_random.h"

namespace omni {

using presence::Obj;
using presence::Text;

namespace {

// The console's refusals. LIMITATIONS: the real console's callbacks only say success=false;
// these messages are the emulator's own wording.
const char* const kNotLoggedIn = "The agent is not logged in to Omni-Channel";
const char* const kNoConfig =
    "The agent has no presence configuration (PresenceUserConfigUser or "
    "PresenceUserConfigProfile)";

std::string NoSuchStatus(const std::string& id) { return "No presence status has the Id " + id; }

template <class A>
A Refused(const std::string& message) {
  A a;
  a.success = false;
  a.message = message;
  return a;
}

// A Live Agent session id of the agent's own (M2), not the SOAP session.
std::string NewAgentSession() {
  unsigned char bytes[16];
  std::string error;
  if (!SecureRandomBytes(bytes, sizeof bytes, &error)) throw std::runtime_error(error);
  std::string out = "LA";
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    out += hex;
  }
  return out;
}

// Ends the agent's current status period (M1).
bool EndPresence(OrgTx& tx, const Record& current, Error* error) {
  Record end;
  end.Set("IsCurrentState", "false");
  end.Set("StatusEndDate", tx.now());
  auto start = presence::ParseTime(Text(current, "StatusStartDate"));
  auto now = presence::ParseTime(tx.now());
  if (start && now) end.Set("StatusDuration", std::to_string((*now - *start) / 1000));
  return tx.Update(Obj(tx, "UserServicePresence"), Text(current, "Id"), end, error);
}

// Starts a status period of the login with Live Agent session `session`.
bool StartPresence(OrgTx& tx, const std::string& user_id, const Record& status,
                   const Record& config, const std::string& session, Error* error) {
  std::string status_id = Text(status, "Id");
  Record p;
  p.type = "UserServicePresence";
  p.Set("Name", session);
  p.Set("UserId", user_id);
  p.Set("OwnerId", user_id);
  p.Set("ServicePresenceStatusId", status_id);
  p.Set("IsCurrentState", "true");
  p.Set("StatusStartDate", tx.now());
  std::string capacity = Text(config, "Capacity");
  if (!capacity.empty()) p.Set("ConfiguredCapacity", capacity);
  p.Set("IsAway", presence::StatusChannels(tx, status_id).empty() ? "true" : "false");
  return tx.Create(p, error).has_value();
}

void FillStatus(OrgTx& tx, const Record& status, StatusAnswer* a) {
  a->success = true;
  a->status_id = Text(status, "Id");
  a->status_name = Text(status, "MasterLabel");
  a->status_api_name = Text(status, "DeveloperName");
  a->channels = presence::StatusChannels(tx, a->status_id);
}

}  // namespace

// Puts the agent in status_id, logging in when needed: the shared body of login,
// setServicePresenceStatus and a decline's PresenceStatusOnDeclineId.
bool presence::EnterStatus(OrgTx& tx, const std::string& user_id, const std::string& status_id,
                           StatusAnswer* answer) {
  // Every change of one agent's presence takes its turn on the agent's User row.
  if (!tx.Lock(Obj(tx, "User"), user_id)) {
    *answer = Refused<StatusAnswer>("The user does not exist");
    return false;
  }
  auto config = presence::AgentConfig(tx, user_id);
  if (!config) {
    *answer = Refused<StatusAnswer>(kNoConfig);
    return false;
  }
  auto status = presence::FindStatus(tx, status_id);
  if (!status) {
    *answer = Refused<StatusAnswer>(NoSuchStatus(status_id));
    return false;
  }
  auto current = presence::CurrentPresence(tx, user_id);
  Error error;
  if (current && Text(*current, "ServicePresenceStatusId") == Text(*status, "Id")) {
    FillStatus(tx, *status, answer);  // already in that status: nothing changes
    return false;
  }
  std::string session = current ? Text(*current, "Name") : "";
  if (session.empty()) session = NewAgentSession();
  if ((current && !EndPresence(tx, *current, &error)) ||
      !StartPresence(tx, user_id, *status, *config, session, &error)) {
    *answer = Refused<StatusAnswer>(error.message);
    return false;
  }
  FillStatus(tx, *status, answer);
  return true;
}

namespace {

template <class A, class Fn>
Outcome<A> InTx(OrgWrites* writes, const CallContext& ctx, Fn fn) {
  A answer;
  auto run = writes->Run(ctx, [&](OrgTx& tx) { return fn(tx, &answer); });
  if (run.fault) return Outcome<A>::Fail(*run.fault);
  Outcome<A> out;
  out.value = std::move(answer);
  return out;
}

}  // namespace

Outcome<PresenceAnswer> PresenceService::Login(const CallContext& ctx,
                                               const std::string& status_id) {
  auto set = SetStatus(ctx, status_id);
  Outcome<PresenceAnswer> out;
  out.fault = set.fault;
  out.value.success = set.value.success;
  out.value.message = set.value.message;
  return out;
}

Outcome<StatusAnswer> PresenceService::SetStatus(const CallContext& ctx,
                                                 const std::string& status_id) {
  return InTx<StatusAnswer>(writes_, ctx, [&](OrgTx& tx, StatusAnswer* a) {
    return presence::EnterStatus(tx, ctx.user_id, status_id, a);
  });
}

Outcome<PresenceAnswer> PresenceService::Logout(const CallContext& ctx) {
  return InTx<PresenceAnswer>(writes_, ctx, [&](OrgTx& tx, PresenceAnswer* a) {
    tx.Lock(Obj(tx, "User"), ctx.user_id);
    auto current = presence::CurrentPresence(tx, ctx.user_id);
    if (!current) {
      *a = Refused<PresenceAnswer>(kNotLoggedIn);
      return false;
    }
    Error error;
    if (!EndPresence(tx, *current, &error)) {
      *a = Refused<PresenceAnswer>(error.message);
      return false;
    }
    a->success = true;
    return true;
  });
}

Outcome<StatusAnswer> PresenceService::GetStatus(const CallContext& ctx) {
  return InTx<StatusAnswer>(writes_, ctx, [&](OrgTx& tx, StatusAnswer* a) {
    auto current = presence::CurrentPresence(tx, ctx.user_id);
    auto status = current ? tx.Read(Obj(tx, "ServicePresenceStatus"),
                                    Text(*current, "ServicePresenceStatusId"))
                          : std::nullopt;
    if (!status) {
      *a = Refused<StatusAnswer>(kNotLoggedIn);
      return false;
    }
    FillStatus(tx, *status, a);
    return false;
  });
}

Outcome<StatusAnswer> PresenceService::GetStatusChannels(const CallContext& ctx) {
  return GetStatus(ctx);
}

Outcome<WorksAnswer> PresenceService::GetAgentWorks(const CallContext& ctx) {
  return InTx<WorksAnswer>(writes_, ctx, [&](OrgTx& tx, WorksAnswer* a) {
    if (!presence::CurrentPresence(tx, ctx.user_id)) {
      *a = Refused<WorksAnswer>(kNotLoggedIn);
      return false;
    }
    a->success = true;
    for (const auto& w : presence::OpenWork(tx, ctx.user_id)) {
      a->works.push_back({Text(w, "WorkItemId"), Text(w, "Id"), Text(w, "Status") == "Opened"});
    }
    return false;
  });
}

Outcome<WorkloadAnswer> PresenceService::GetAgentWorkload(const CallContext& ctx) {
  return InTx<WorkloadAnswer>(writes_, ctx, [&](OrgTx& tx, WorkloadAnswer* a) {
    if (!presence::CurrentPresence(tx, ctx.user_id)) {
      *a = Refused<WorkloadAnswer>(kNotLoggedIn);
      return false;
    }
    auto config = presence::AgentConfig(tx, ctx.user_id);
    if (!config) {
      *a = Refused<WorkloadAnswer>(kNoConfig);
      return false;
    }
    a->success = true;
    a->configured_capacity = presence::ConfiguredCapacity(*config);
    for (const auto& w : presence::OpenWork(tx, ctx.user_id)) {
      a->current_workload += presence::WorkWeight(w, a->configured_capacity);
    }
    return false;
  });
}

}  // namespace omni
