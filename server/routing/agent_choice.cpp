#include "server/routing/agent_choice.h"

#include <cstdio>
#include <tuple>

namespace omni::routing {

namespace {

constexpr double kEpsilon = 1e-9;  // capacities are decimals with two places

double Free(const AgentLoad& a) { return a.capacity - a.used; }

// Least Active's order: fewer open items, idle longer, lower Id.
bool LessActive(const AgentLoad& a, const AgentLoad& b) {
  return std::tie(a.open_items, a.idle_since, a.user_id) <
         std::tie(b.open_items, b.idle_since, b.user_id);
}

}  // namespace

double WeightFor(const WorkRequest& request, const AgentLoad& agent) {
  if (request.weight) return *request.weight;
  if (request.percentage) return *request.percentage * agent.capacity / 100.0;
  return 0;
}

bool Fits(const WorkRequest& request, const AgentLoad& agent) {
  if (!agent.channels.count(request.channel_id)) return false;
  if (!request.last_declined_session.empty() && request.last_declined_session == agent.session) {
    return false;
  }
  return agent.used + WeightFor(request, agent) <= agent.capacity + kEpsilon;
}

std::optional<size_t> ChooseAgent(const WorkRequest& request,
                                  const std::vector<const AgentLoad*>& agents) {
  std::optional<size_t> best;
  const bool most_available = request.model == "MostAvailable";
  for (size_t i = 0; i < agents.size(); ++i) {
    const AgentLoad& a = *agents[i];
    if (!Fits(request, a)) continue;
    if (!best) {
      best = i;
      continue;
    }
    const AgentLoad& b = *agents[*best];
    bool better;
    if (most_available && Free(a) > Free(b) + kEpsilon) {
      better = true;
    } else if (most_available && Free(b) > Free(a) + kEpsilon) {
      better = false;
    } else {
      better = LessActive(a, b);
    }
    if (better) best = i;
  }
  return best;
}

bool RoutesBefore(const WorkRequest& a, const WorkRequest& b) {
  return std::tie(a.priority, a.requested, a.id) < std::tie(b.priority, b.requested, b.id);
}

std::string CapacityText(double capacity) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", capacity);
  std::string out = text;
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out == "-0" ? "0" : out;
}

void Assign(const WorkRequest& request, AgentLoad* agent, const std::string& now) {
  agent->used += WeightFor(request, *agent);
  agent->open_items += 1;
  if (now > agent->idle_since) agent->idle_since = now;
}

}  // namespace omni::routing
