// The routing models as pure choices (server/routing/agent_choice.h).
#include "server/routing/agent_choice.h"

#include <doctest/doctest.h>

using omni::routing::AgentLoad;
using omni::routing::ChooseAgent;
using omni::routing::Fits;
using omni::routing::RoutesBefore;
using omni::routing::WorkRequest;

namespace {

AgentLoad Agent(const char* id, double capacity, double used, int open, const char* idle) {
  AgentLoad a;
  a.user_id = id;
  a.session = std::string("LA-") + id;
  a.channels = {"ch"};
  a.capacity = capacity;
  a.used = used;
  a.open_items = open;
  a.idle_since = idle;
  return a;
}

WorkRequest Request(const char* model, double weight) {
  WorkRequest r;
  r.id = "psr";
  r.channel_id = "ch";
  r.model = model;
  r.weight = weight;
  return r;
}

std::optional<std::string> Pick(const WorkRequest& r, const std::vector<AgentLoad>& agents) {
  std::vector<const AgentLoad*> pool;
  for (const auto& a : agents) pool.push_back(&a);
  auto i = ChooseAgent(r, pool);
  if (!i) return std::nullopt;
  return agents[*i].user_id;
}

}  // namespace

TEST_CASE("Least Active takes the fewest open items, then the longest idle, then the lowest Id") {
  auto r = Request("LeastActive", 1);
  CHECK(Pick(r, {Agent("b", 5, 2, 2, "2026-01-01T00:00:00.000Z"),
                 Agent("a", 5, 4, 1, "2026-01-01T00:00:09.000Z")}) == "a");
  CHECK(Pick(r, {Agent("a", 5, 1, 1, "2026-01-01T00:00:09.000Z"),
                 Agent("b", 5, 1, 1, "2026-01-01T00:00:01.000Z")}) == "b");
  CHECK(Pick(r, {Agent("b", 5, 1, 1, "2026-01-01T00:00:01.000Z"),
                 Agent("a", 5, 1, 1, "2026-01-01T00:00:01.000Z")}) == "a");
}

TEST_CASE("Most Available takes the most free capacity, ties as Least Active") {
  auto r = Request("MostAvailable", 1);
  CHECK(Pick(r, {Agent("a", 3, 0, 0, "x"), Agent("b", 10, 5, 3, "x")}) == "b");
  CHECK(Pick(r, {Agent("a", 4, 2, 2, "x"), Agent("b", 3, 1, 1, "x")}) == "b");
}

TEST_CASE("An agent fits only with the channel, room for the weight and another session") {
  auto r = Request("LeastActive", 2);
  auto a = Agent("a", 4, 2, 1, "x");
  CHECK(Fits(r, a));
  a.used = 2.5;
  CHECK_FALSE(Fits(r, a));
  a.used = 0;
  r.last_declined_session = a.session;
  CHECK_FALSE(Fits(r, a));
  r.last_declined_session.clear();
  a.channels = {"other"};
  CHECK_FALSE(Fits(r, a));
  CHECK_FALSE(Pick(r, {a}).has_value());
  // A percentage of the agent's capacity.
  WorkRequest p = Request("LeastActive", 0);
  p.weight.reset();
  p.percentage = 50;
  auto b = Agent("b", 4, 2, 1, "x");
  CHECK(Fits(p, b));
  b.used = 2.01;
  CHECK_FALSE(Fits(p, b));
}

TEST_CASE("Requests route by priority, then request time, then Id") {
  WorkRequest a = Request("LeastActive", 1), b = a;
  a.priority = 1;
  a.requested = "2026-01-02T00:00:00.000Z";
  b.priority = 2;
  b.requested = "2026-01-01T00:00:00.000Z";
  CHECK(RoutesBefore(a, b));
  b.priority = 1;
  CHECK(RoutesBefore(b, a));
}

TEST_CASE("Capacities in refusals keep their decimals") {
  CHECK(omni::routing::CapacityText(2) == "2");
  CHECK(omni::routing::CapacityText(0.8) == "0.8");
  CHECK(omni::routing::CapacityText(1.25) == "1.25");
  CHECK(omni::routing::CapacityText(0) == "0");
}
