// The routing benchmark's latency measures (routing_bench.cpp runs them): Cases created one at
// a time into a routed queue with the create's round trip and the AgentWork looked up from a
// second connection, and the agent's view, omniChannelWorkAssigned in a parked getEvents; and
// WorkOff, an agent accepting and closing all its open work as its console would.
//
// Thread-safety: each function uses connections of its own (and one thread of its own).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "bench/routing_org.h"

namespace omni_bench {

// Accepts (when Assigned) and closes every open AgentWork of the agent; answers how many.
int WorkOff(SoapClient& c, const Agent& a);

struct Latency {
  std::vector<double> create_ms, visible_ms;
  int samples = 0, routed = 0, seen_first_look = 0;
  std::set<std::string> agents;  // who got the work
};

// n Cases into `queue`, one at a time; for a routed queue, each one's AgentWork looked up by
// WorkItemId from a second connection (at most 2 s; after 3 Cases none routed, it stops).
Latency MeasureCreates(int port, const BenchOrg& org, const std::string& queue, int n, bool routed,
                       const std::string& tag);

struct EventLatency {
  std::vector<double> create_ms, event_ms;
};

// Cases created one at a time into org.solo_queue while its one agent waits for work in a
// parked getEvents (afterSequence: the head before the create): the time from the create's send
// to the omniChannelWorkAssigned event reaching the agent, next to the create's own answer. The
// agent accepts and closes each Case before the next.
EventLatency MeasureEvents(int port, const BenchOrg& org, int n, const std::string& tag);

}  // namespace omni_bench
