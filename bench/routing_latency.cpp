#include "bench/routing_latency.h"

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "bench/bench_report.h"

namespace omni_bench {

int WorkOff(SoapClient& c, const Agent& a) {
  std::string works = c.PresenceOk(a.session, "getAgentWorks");
  auto ids = Texts(works, "workId");
  auto engaged = Texts(works, "isEngaged");
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i >= engaged.size() || engaged[i] != "true") {
      c.PresenceOk(a.session, "acceptAgentWork", "<pr:workId>" + ids[i] + "</pr:workId>");
    }
    c.PresenceOk(a.session, "closeAgentWork", "<pr:workId>" + ids[i] + "</pr:workId>");
  }
  return static_cast<int>(ids.size());
}

Latency MeasureCreates(int port, const BenchOrg& org, const std::string& queue, int n, bool routed,
                       const std::string& tag) {
  SoapClient creator(port), watcher(port);
  Latency out;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    std::string id = creator.Create(
        org.admin.session,
        {{"Case",
          {{"Subject", "Latency " + tag + " " + std::to_string(i)}, {"OwnerId", queue}}}})[0];
    auto t1 = Clock::now();
    out.create_ms.push_back(Ms(t0, t1));
    ++out.samples;
    if (!routed) continue;
    bool first = true;
    for (;;) {
      auto users =
          Texts(watcher.Query(org.admin.session,
                              "SELECT Id, UserId FROM AgentWork WHERE WorkItemId = '" + id + "'"),
                "UserId");
      if (!users.empty()) {
        out.visible_ms.push_back(Ms(t0, Clock::now()));
        ++out.routed;
        out.seen_first_look += first;
        out.agents.insert(users[0]);
        break;
      }
      first = false;
      if (Ms(t1, Clock::now()) > 2000) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (i == 2 && out.routed == 0) break;  // no engine: do not wait 2 s for every Case
  }
  return out;
}

EventLatency MeasureEvents(int port, const BenchOrg& org, int n, const std::string& tag) {
  SoapClient creator(port), agent_conn(port);
  const Agent& agent = org.agents[0];
  WorkOff(agent_conn, agent);
  EventLatency out;
  for (int i = 0; i < n; ++i) {
    std::string head = FirstText(
        agent_conn.PresenceOk(agent.session, "getEvents", "<pr:waitSeconds>0</pr:waitSeconds>"),
        "sequence");
    std::string case_id;
    std::mutex mu;
    Clock::time_point t0, got;
    bool seen = false;
    std::thread listener([&] {
      SoapClient c(port);
      std::string after = head;
      for (int polls = 0; polls < 20 && !seen; ++polls) {
        std::string r = c.PresenceOk(agent.session, "getEvents",
                                     "<pr:afterSequence>" + after +
                                         "</pr:afterSequence><pr:waitSeconds>10</pr:waitSeconds>");
        auto now = Clock::now();
        after = FirstText(r, "sequence");
        std::lock_guard<std::mutex> lock(mu);
        // The create may not have answered yet: its Id is then unknown, but the only work the
        // agent can be given now is this Case.
        if (r.find("omniChannelWorkAssigned") != std::string::npos &&
            (case_id.empty() || r.find(case_id.substr(0, 15)) != std::string::npos)) {
          got = now;
          seen = true;
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let it park
    t0 = Clock::now();
    std::string id =
        creator.Create(org.admin.session, {{"Case",
                                            {{"Subject", "Event " + tag + " " + std::to_string(i)},
                                             {"OwnerId", org.solo_queue}}}})[0];
    auto t1 = Clock::now();
    {
      std::lock_guard<std::mutex> lock(mu);
      case_id = id;
    }
    listener.join();
    if (!seen) throw std::runtime_error("the agent never saw omniChannelWorkAssigned for " + id);
    out.create_ms.push_back(Ms(t0, t1));
    out.event_ms.push_back(Ms(t0, got));
    WorkOff(agent_conn, agent);
  }
  return out;
}

}  // namespace omni_bench
