// PresenceService: the agent side of Omni-Channel, as the guide's console methods
// (sforce.console.presence.*) describe it, free of any wire format: login, logout,
// setServicePresenceStatus, getServicePresenceStatusId, getServicePresenceStatusChannels,
// getAgentWorks, getAgentWorkload, the answers to pushed work (accept, decline, close,
// transfer), and the agent's events (the guide's Lightning events) derived
// from the committed change log.
//
// The agent is the session's user. Logging in creates the agent's UserServicePresence (one
// record per status period: IsCurrentState, StatusStartDate, StatusEndDate, StatusDuration,
// ConfiguredCapacity; Name carries the Live Agent session id of the login, see
// wsdl/CATALOG-DECISIONS.md M1-M4) through OrgWrites, in one transaction that first locks the
// agent's User row, so that concurrent calls of one agent take turns and every server process
// agrees. The agent's configuration is its PresenceUserConfigUser, else the
// PresenceUserConfigProfile of its profile (user level overrides profile level). What the console
// would refuse (logging out while logged out, a status that is no ServicePresenceStatus, an agent
// without a presence configuration) answers success=false with a message, as the console methods'
// callbacks do; only an unexpected failure is a fault.
//
// Thread-safety: thread-safe (every call runs in its own transaction).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/core/outcome.h"
#include "server/dispatcher/dispatcher.h"
#include "server/dispatcher/org_writes.h"
#include "storage/store.h"

namespace omni {

struct PresenceAnswer {
  bool success = false;
  std::string message;  // why not, when !success
};

struct PresenceChannel {
  std::string channel_id, developer_name;
};

struct StatusAnswer : PresenceAnswer {
  std::string status_id, status_name, status_api_name;  // MasterLabel, DeveloperName
  std::vector<PresenceChannel> channels;
};

struct AgentWorkView {
  std::string work_item_id, work_id;
  bool engaged = false;  // Opened (accepted), not merely Assigned
};

struct WorksAnswer : PresenceAnswer {
  std::vector<AgentWorkView> works;
};

struct WorkloadAnswer : PresenceAnswer {
  double configured_capacity = 0, current_workload = 0;
};

// One of the guide's Lightning events (type "omniChannelLoginSuccess", ...); the fields its
// Response table names are set for its type.
struct PresenceEvent {
  std::int64_t sequence = 0;  // the change-log position it comes from
  std::string type;
  std::string created_date;  // when the change was made
  std::optional<std::string> status_id, status_name, status_api_name;
  std::vector<PresenceChannel> channels;
  std::optional<std::string> work_item_id, work_id;
  std::optional<double> configured_capacity, previous_workload, new_workload;
};

struct EventsAnswer : PresenceAnswer {
  std::int64_t sequence = 0;  // pass as afterSequence next time
  std::vector<PresenceEvent> events;
};

class PresenceService {
 public:
  PresenceService(OrgWrites* writes, storage::Store* store) : writes_(writes), store_(store) {}

  // Logs the agent in with status_id (a reconnect when logged in already: the status is set).
  Outcome<PresenceAnswer> Login(const CallContext& ctx, const std::string& status_id);
  Outcome<PresenceAnswer> Logout(const CallContext& ctx);
  // Sets the status, logging the agent in first when not logged in (API 35.0 and later).
  Outcome<StatusAnswer> SetStatus(const CallContext& ctx, const std::string& status_id);
  Outcome<StatusAnswer> GetStatus(const CallContext& ctx);
  Outcome<StatusAnswer> GetStatusChannels(const CallContext& ctx);
  // The agent's Assigned and Opened AgentWork.
  Outcome<WorksAnswer> GetAgentWorks(const CallContext& ctx);
  // configuredCapacity from the configuration; currentWorkload the capacity the agent's
  // Assigned and Opened AgentWork take (CapacityWeight, or CapacityPercentage of the capacity).
  Outcome<WorkloadAnswer> GetAgentWorkload(const CallContext& ctx);

  // The agent's answers to work pushed to them (presence_work.cpp): accept (Assigned -> Opened,
  // the request deleted, the work item given to the agent), decline (Assigned -> Declined when
  // the configuration allows it; the request pushed no more, LastDeclinedAgentSession set, the
  // agent moved to PresenceStatusOnDeclineId) and close (Opened -> Closed, capacity freed).
  // Refusals answer success=false with a message.
  Outcome<PresenceAnswer> AcceptWork(const CallContext& ctx, const std::string& work_id);
  Outcome<PresenceAnswer> DeclineWork(const CallContext& ctx, const std::string& work_id,
                                      const std::string& reason);
  Outcome<PresenceAnswer> CloseWork(const CallContext& ctx, const std::string& work_id);

  // transferAgentWork (presence_transfer.cpp): the agent's own Opened AgentWork to `to_id`, a
  // queue (a Group of Type Queue with a QueueRoutingConfigId: a new PendingServiceRouting with
  // IsTransfer true, the work item given to the queue, the AgentWork Transferred) or a user
  // logged in to Omni-Channel with room for it (a second AgentWork, Assigned, for them; the
  // first stays Opened until they accept). CATALOG-DECISIONS N8-N10. Refusals answer
  // success=false with a message.
  Outcome<PresenceAnswer> TransferWork(const CallContext& ctx, const std::string& work_id,
                                       const std::string& to_id);

  // Push time-out (presence_timeouts.cpp): every Assigned AgentWork of the org whose PushTimeout
  // (seconds, > 0) has passed since AssignedDateTime at `now_ms` becomes DeclinedOnPushTimeout
  // (PushTimeoutDateTime, AgentCapacityWhenDeclined), its request is pushed no more
  // (IsPushed false, LastDeclinedAgentSession) and the agent moves to
  // PresenceStatusOnPushTimeoutId when set. Each item in its own transaction, taken with FOR
  // UPDATE SKIP LOCKED after the agent's User row, so two processes never time one out twice.
  // Run by the org clock's due runner when the clock moves. Returns how many timed out.
  int RunPushTimeouts(const std::string& org_id, std::int64_t now_ms);

  // The agent's events after change-log position `after` (nullopt: the current head), from at
  // most `limit` changes; never waits (the adapter parks the request when there is none).
  Outcome<EventsAnswer> EventsAfter(const CallContext& ctx, std::optional<std::int64_t> after,
                                    std::size_t limit);

 private:
  OrgWrites* writes_;
  storage::Store* store_;
};

}  // namespace omni
