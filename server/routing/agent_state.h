// What the routing engine reads, in few statements through the transaction's RecordWriter and
// without row locks (the org's routing lock, held by the caller, orders every decision): online
// agents with their load, queue membership, and the requests waiting for an agent.
//
// Thread-safety: stateless functions over the caller's writer.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "server/events/change_bus.h"
#include "server/routing/agent_choice.h"
#include "server/routing/routing_catalog.h"

namespace omni::routing {

// The agents among user_ids who are logged in to Omni-Channel (a UserServicePresence with
// IsCurrentState), keyed by User Id: their status's channels, capacity (the presence's
// ConfiguredCapacity) and their Assigned and Opened AgentWork's load.
std::map<std::string, AgentLoad> LoadAgents(const RoutingCatalog& rc, RecordWriter& w,
                                            const std::vector<std::string>& user_ids);
// The ServiceChannel Ids of a ServicePresenceStatus (ServiceChannelStatus).
std::set<std::string> StatusChannels(const RoutingCatalog& rc, RecordWriter& w,
                                     const std::string& status_id);
// The Users who are members of the queue (GroupMember; nested groups are not expanded).
std::vector<std::string> QueueMembers(const RoutingCatalog& rc, RecordWriter& w,
                                      const std::string& queue_id);
// The queues (Groups) a user is a member of.
std::vector<std::string> QueuesOf(const RoutingCatalog& rc, RecordWriter& w,
                                  const std::string& user_id);

// The agent's PresenceUserConfig, every field: the newest user-level assignment
// (PresenceUserConfigUser), else the newest of their profile's (as presence_records.h
// AgentConfig: user level overrides profile level); nullopt without one.
std::optional<Record> AgentConfig(const RoutingCatalog& rc, RecordWriter& w,
                                  const std::string& user_id);
// The PushTimeout of the queue's QueueRoutingConfig ("0" when unset or no configuration).
std::string QueuePushTimeout(const RoutingCatalog& rc, RecordWriter& w,
                             const std::string& queue_id);

// The queue-based routing models the engine routes (ExternalRouting is the external router's).
bool IsEngineModel(const std::string& model);
// A PendingServiceRouting as a WorkRequest.
WorkRequest RequestOf(const Record& psr);
// The requests waiting for an agent: not pushed, ready for routing, of an engine model, passing
// the extra tests, in routing order (RoutingPriority, then request time), a page of them.
std::vector<WorkRequest> WaitingRequests(const RoutingCatalog& rc, RecordWriter& w,
                                         std::vector<FieldTest> extra, size_t limit, size_t offset);

// A field test (shorthand).
FieldTest Is(const ObjectDef& obj, const char* field, std::string value);
FieldTest In(const ObjectDef& obj, const char* field, std::vector<std::string> values);

}  // namespace omni::routing
