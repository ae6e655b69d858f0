// The records agent presence reads and writes, inside one OrgWrites transaction: the agent's
// configuration, its current UserServicePresence, a status's channels, its open AgentWork.
// Internal to server/presence. Thread-safety: stateless functions on the caller's OrgTx.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/dispatcher/org_writes.h"
#include "server/presence/presence_service.h"

namespace omni::presence {

// The catalog's object of that name (presence only names objects the catalog has).
const ObjectDef& Obj(OrgTx& tx, const char* name);
// Refuses a console method as its callback would: success=false with the message; false.
bool Refuse(PresenceAnswer* a, const std::string& message);

// The agent's PresenceUserConfig: user level first, else the profile's; nullopt when neither.
std::optional<Record> AgentConfig(OrgTx& tx, const std::string& user_id);
// Capacity of a configuration (0 when unset).
double ConfiguredCapacity(const Record& config);
// The agent's UserServicePresence with IsCurrentState true, or nullopt (logged out).
std::optional<Record> CurrentPresence(OrgTx& tx, const std::string& user_id);
// The ServicePresenceStatus with that Id (15 or 18 characters), or nullopt.
std::optional<Record> FindStatus(OrgTx& tx, const std::string& status_id);
// The service channels of a status (ServiceChannelStatus), with their DeveloperNames.
std::vector<PresenceChannel> StatusChannels(OrgTx& tx, const std::string& status_id);
// The agent's AgentWork with Status Assigned or Opened.
std::vector<Record> OpenWork(OrgTx& tx, const std::string& user_id);
// The capacity one AgentWork takes of an agent with the given capacity.
double WorkWeight(const Record& work, double capacity);
bool IsOpenStatus(const std::optional<std::string>& status);

// Puts the agent in status_id, logging in when needed (presence_service.cpp). Returns false (no
// commit) with *answer refused when not allowed, or when the agent is in that status already.
bool EnterStatus(OrgTx& tx, const std::string& user_id, const std::string& status_id,
                 StatusAnswer* answer);

// How work is declined: by the agent (Declined, DeclineDateTime, a reason,
// PresenceStatusOnDeclineId) or by push time-out (DeclinedOnPushTimeout, PushTimeoutDateTime,
// PresenceStatusOnPushTimeoutId).
struct DeclineKind {
  std::string status, time_field, reason, status_field;
};
// Declines the agent's Assigned work (presence_work.cpp): the AgentWork's status, time and
// AgentCapacityWhenDeclined; its request's IsPushed false and LastDeclinedAgentSession; the
// agent's move to the configuration's status. False (and *a refused) when a write is refused.
bool Decline(OrgTx& tx, const std::string& user_id, const Record& work, const Record& config,
             const DeclineKind& kind, PresenceAnswer* a);

// When an agent accepts work (presence_work.cpp), the Opened AgentWork other agents still have
// on the same work item (the agent who transferred it, N10) becomes Transferred
// (presence_transfer.cpp). False (and *a refused) when a write is refused.
bool EndOtherOpenWork(OrgTx& tx, const Record& accepted, PresenceAnswer* a);

// A value of a record, or "" when absent or null.
std::string Text(const Record& rec, const std::string& field);
// Milliseconds since the epoch of the API's time text; nullopt when it is not one.
std::optional<std::int64_t> ParseTime(const std::string& text);

}  // namespace omni::presence
