// Which agent gets a request: Omni-Channel's queue-based routing models as pure functions over
// what the engine read (routing_engine.cpp), so that the choice is tested without a database.
//
// Least Active: among the agents who fit, the one with the fewest open items (Assigned or
// Opened AgentWork), then the one idle longest (the oldest of their latest assignment and their
// status's start), then the lowest User Id. Most Available: the one with the most free capacity,
// then as Least Active. An agent fits a request when their current status carries its channel,
// they are not the Live Agent session that last declined it, and its weight (CapacityWeight, or
// CapacityPercentage of their capacity) fits in their free capacity.
//
// Thread-safety: plain data and pure functions.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace omni::routing {

// An online agent as routing sees them, with the work pushed to them so far.
struct AgentLoad {
  std::string user_id;
  std::string session;             // Live Agent session of the login (UserServicePresence.Name)
  std::set<std::string> channels;  // ServiceChannel Ids of their current status
  double capacity = 0;
  double used = 0;  // capacity their Assigned and Opened AgentWork take
  int open_items = 0;
  std::string idle_since;  // API time text; earlier is idle longer
};

// A PendingServiceRouting waiting for an agent.
struct WorkRequest {
  std::string id, queue_id, channel_id, work_item_id, model;
  std::string last_declined_session;
  std::optional<double> weight, percentage;
  int priority = 0;
  std::string requested;  // CustomRequestedDateTime, else CreatedDate
};

// The capacity the request takes of that agent.
double WeightFor(const WorkRequest& request, const AgentLoad& agent);
bool Fits(const WorkRequest& request, const AgentLoad& agent);
// Index into agents of the one the request's model picks among those who fit; nullopt: none.
std::optional<size_t> ChooseAgent(const WorkRequest& request,
                                  const std::vector<const AgentLoad*>& agents);
// Routing order of requests: RoutingPriority (1 first), then request time, then Id.
bool RoutesBefore(const WorkRequest& a, const WorkRequest& b);
// A capacity as refusals name it: up to two decimals, no trailing zeros ("2", "0.8", "1.25").
std::string CapacityText(double capacity);
// Records the request as pushed to the agent (their load grows).
void Assign(const WorkRequest& request, AgentLoad* agent, const std::string& now);

}  // namespace omni::routing
