// Benchmark of queue-based routing (issue 8): with `--agents` agents logged in to Omni-Channel
// and `--queued` Cases waiting in a LeastActive queue, how fast the server pushes work as
// capacity frees up, and how long a Case takes from its create to its AgentWork while agents are
// free; next to the same PostgreSQL writes issued straight from libpqxx against the same cluster
// in the same run (routing_reference.h). Everything is set up through the partner SOAP API and
// the presence service (routing_org.h), as a test suite would. Prints one markdown table.
//
//   omni-routing-bench --url http://127.0.0.1:18160 --database-url postgresql://...
//       [--agents 1000] [--queued 10000] [--capacity 2] [--clients 4] [--samples 500]
//       [--drain-seconds 180] [--event-samples 100] [--reference-routings 2000]
//
// The phases, in order (each logged to stderr with its time):
//   set-up     the org: channel, status, queues, agents (routing_org.h Setup), agents offline;
//   queue      --queued Cases created into the LeastActive queue, 200 per call from one
//              connection: no agent is online, so each waits as a PendingServiceRouting
//              (checked with COUNT());
//   log in     the agents log in to Omni-Channel from --clients connections; each login gives
//              the engine room for --capacity items: pushes/s while 1,000 agents come online;
//   drain      the agents work the queue: each in turn reads its work (getAgentWorks), accepts
//              and closes it, and every close frees room the engine fills from the queue, until
//              the queue is empty or --drain-seconds pass: pushes/s with every agent online and
//              busy, sampled each second from the waiting count (which also shows whether the
//              push rate depends on the queue's length);
//   free       what is left leaves routing (Cases closed) and every agent closes its work;
//   latency    --samples Cases each into the LeastActive and the MostAvailable queue, one at a
//              time, with every agent online and free: the create's round trip (the push runs
//              in the create's transaction, so its answer means the AgentWork is committed),
//              then a query by WorkItemId from a second connection, which must find it at
//              once; and the same create into a queue without routing;
//   events     --event-samples Cases into a queue whose one member waits in a parked getEvents:
//              from the create's send to omniChannelWorkAssigned reaching that agent;
//   reference  libpqxx: the routed create's writes and the plain create's, one at a time; a
//              push's writes from --clients connections.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_report.h"
#include "bench/routing_latency.h"
#include "bench/routing_org.h"
#include "bench/routing_reference.h"

using namespace omni_bench;

namespace {

Clock::time_point g_start = Clock::now();
void Log(const std::string& s) { LogLine("routing-bench", g_start, s); }

struct Options {
  std::string url, db;
  int agents = 1000, queued = 10000, capacity = 2, clients = 4, samples = 500;
  int drain_seconds = 180, reference_routings = 2000, event_samples = 100;
};

// The Cases waiting in a queue: PendingServiceRoutings not pushed.
long Waiting(SoapClient& c, const BenchOrg& org, const std::string& queue) {
  return c.Count(org.admin.session, "SELECT COUNT() FROM PendingServiceRouting WHERE QueueId = '" +
                                        queue + "' AND IsPushed = false");
}

// Creates n Cases owned by `queue`, 200 a call, from `clients` connections.
void CreateCases(int port, const BenchOrg& org, const std::string& queue, int n, int clients,
                 const std::string& tag) {
  int calls = (n + 199) / 200;
  ForEachParallel(port, clients, calls, [&](SoapClient& c, int call) {
    std::vector<SObj> cases;
    for (int i = call * 200; i < std::min(n, call * 200 + 200); ++i) {
      cases.push_back(
          {"Case", {{"Subject", "Queued " + tag + " " + std::to_string(i)}, {"OwnerId", queue}}});
    }
    c.Create(org.admin.session, cases);
  });
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv,
                    {{"--url", TextOption(&o.url)},
                     {"--database-url", TextOption(&o.db)},
                     {"--agents", IntOption(&o.agents)},
                     {"--queued", IntOption(&o.queued)},
                     {"--capacity", IntOption(&o.capacity)},
                     {"--clients", IntOption(&o.clients)},
                     {"--samples", IntOption(&o.samples)},
                     {"--drain-seconds", IntOption(&o.drain_seconds)},
                     {"--event-samples", IntOption(&o.event_samples)},
                     {"--reference-routings", IntOption(&o.reference_routings)}})) {
    return 2;
  }
  if (o.url.empty() || o.db.empty()) {
    std::cerr << "usage: omni-routing-bench --url URL --database-url URL [--agents N] "
                 "[--queued N] [--capacity N] [--clients N] [--samples N] [--drain-seconds N] "
                 "[--event-samples N] [--reference-routings N]\n";
    return 2;
  }
  const int port = std::stoi(o.url.substr(o.url.rfind(':') + 1));
  const std::string tag = std::to_string(
      std::chrono::system_clock::now().time_since_epoch().count() / 1000000 % 100000000);
  try {
    Log("set-up: " + std::to_string(o.agents) + " agents, capacity " + std::to_string(o.capacity) +
        " each");
    BenchOrg org = Setup(port, o.agents, o.capacity, o.clients, tag);
    // The admin's connection for the phases around the drain; the drain outlasts the server's
    // idle time-out, so the phases after it take a new one.
    auto admin_conn = std::make_unique<SoapClient>(port);
    const std::string& la = org.least_active_queue;

    Log("queue: " + std::to_string(o.queued) + " Cases into the LeastActive queue");
    auto t = Clock::now();
    // One connection: concurrent Case creates of an org take turns on the CaseNumber counter's
    // row lock, held to each call's commit, so more connections only add waiting.
    CreateCases(port, org, la, o.queued, 1, tag);
    double queue_secs = Seconds(t);
    long waiting = Waiting(*admin_conn, org, la);
    Log("queue: " + std::to_string(waiting) + " waiting after " + Fmt("%.1f s", queue_secs));
    if (waiting != o.queued) throw std::runtime_error("not every queued Case is waiting");

    Log("log in: the agents log in to Omni-Channel");
    const std::string status = "<pr:statusId>" + org.online_status_id + "</pr:statusId>";
    t = Clock::now();
    ForEachParallel(port, o.clients, o.agents, [&](SoapClient& c, int i) {
      c.PresenceOk(org.agents[static_cast<size_t>(i)].session, "login", status);
    });
    double login_secs = Seconds(t);
    long after_login = Waiting(*admin_conn, org, la);
    long login_pushes = waiting - after_login;
    Log("log in: " + std::to_string(login_pushes) + " pushed in " + Fmt("%.1f s", login_secs));

    Log("drain: agents accept and close their work, at most " + std::to_string(o.drain_seconds) +
        " s");
    std::atomic<bool> stop{false};
    std::atomic<long> closes{0};
    std::vector<std::pair<double, long>> timeline{{0.0, after_login}};
    t = Clock::now();
    std::thread monitor([&] {
      SoapClient c(port);
      while (!stop) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        long w = Waiting(c, org, la);
        timeline.emplace_back(Seconds(t), w);
        if (w == 0 || Seconds(t) > o.drain_seconds) stop = true;
      }
    });
    std::atomic<int> idle_threads{0};
    ForEachParallel(port, o.clients, o.clients, [&](SoapClient& c, int client) {
      // Round after round over this client's agents; a round without work ends it.
      while (!stop) {
        int done = 0;
        for (size_t i = static_cast<size_t>(client); i < org.agents.size() && !stop;
             i += static_cast<size_t>(o.clients)) {
          done += WorkOff(c, org.agents[i]);
        }
        closes += done;
        if (done == 0) break;
      }
      if (++idle_threads == o.clients) stop = true;
    });
    stop = true;
    monitor.join();
    double drain_secs = Seconds(t);
    auto [last_t, last_w] = timeline.back();
    long drain_pushes = after_login - last_w;
    double drain_rate = last_t > 0 ? static_cast<double>(drain_pushes) / last_t : 0;
    std::string trace;
    for (size_t i = 0; i < timeline.size(); i += std::max<size_t>(1, timeline.size() / 10)) {
      trace += Fmt(" %.0fs:", timeline[i].first) + std::to_string(timeline[i].second);
    }
    Log("drain: " + std::to_string(drain_pushes) + " pushed, " + std::to_string(closes) +
        " closed in " + Fmt("%.1f s", drain_secs) + "; waiting over time:" + trace);
    // The push rate in the first and the second half of the drain (queue long, then short).
    double half_rate[2] = {0, 0};
    if (timeline.size() >= 5) {
      size_t mid = timeline.size() / 2;
      for (int h = 0; h < 2; ++h) {
        const auto& a = timeline[h ? mid : 0];
        const auto& b = timeline[h ? timeline.size() - 1 : mid];
        if (b.first > a.first)
          half_rate[h] = static_cast<double>(a.second - b.second) / (b.first - a.first);
      }
    }

    Log("free: what is left leaves routing; every agent closes its work");
    admin_conn = std::make_unique<SoapClient>(port);
    SoapClient& admin = *admin_conn;
    auto left = Texts(admin.QueryAll(org.admin.session,
                                     "SELECT WorkItemId FROM PendingServiceRouting WHERE "
                                     "QueueId = '" +
                                         la + "' AND IsPushed = false"),
                      "WorkItemId");
    for (size_t from = 0; from < left.size(); from += 200) {
      std::vector<SObj> closed;
      for (size_t i = from; i < std::min(left.size(), from + 200); ++i) {
        closed.push_back({"Case", {{"Id", left[i]}, {"Status", "Closed"}}});
      }
      admin.Update(org.admin.session, closed);
    }
    ForEachParallel(port, o.clients, o.agents,
                    [&](SoapClient& c, int i) { WorkOff(c, org.agents[static_cast<size_t>(i)]); });
    long open_work = admin.Count(org.admin.session,
                                 "SELECT COUNT() FROM AgentWork WHERE Status IN ('Assigned', "
                                 "'Opened')");
    Log("free: " + std::to_string(left.size()) + " left routing; open AgentWork " +
        std::to_string(open_work));

    // Both queues' samples must find a free agent: at most half the agents' capacity each.
    o.samples = std::max(1, std::min(o.samples, o.agents * o.capacity / 2));
    Log("latency: " + std::to_string(o.samples) + " Cases per queue, one at a time");
    Latency least = MeasureCreates(port, org, la, o.samples, true, tag);
    Latency most = MeasureCreates(port, org, org.most_available_queue, o.samples, true, tag);
    Latency plain = MeasureCreates(port, org, org.plain_queue, o.samples, false, tag);
    for (const auto* l : {&least, &most}) {
      Log("latency: " + std::to_string(l->routed) + " of " + std::to_string(l->samples) +
          " routed, " + std::to_string(l->seen_first_look) + " seen on the first look, by " +
          std::to_string(l->agents.size()) + " agents");
    }

    EventLatency events;
    if (o.event_samples > 0 && least.routed > 0) {
      Log("events: " + std::to_string(o.event_samples) +
          " Cases to one agent waiting in getEvents");
      events = MeasureEvents(port, org, o.event_samples, tag);
    }

    Log("reference: libpqxx");
    Reference::Cleanup(o.db);
    std::vector<double> ref_routed, ref_plain;
    {
      Reference ref(o.db, org.admin.user_id, true);
      for (int i = 0; i < 20; ++i) ref.RoutedCreate(), ref.PlainCreate();  // warm-up
      for (int i = 0; i < o.samples; ++i) {
        auto a = Clock::now();
        ref.RoutedCreate();
        auto b = Clock::now();
        ref.PlainCreate();
        ref_routed.push_back(Ms(a, b));
        ref_plain.push_back(Ms(b, Clock::now()));
      }
    }
    std::vector<std::unique_ptr<Reference>> refs;
    int per = std::max(1, o.reference_routings / o.clients);
    for (int c = 0; c < o.clients; ++c) {
      refs.push_back(std::make_unique<Reference>(o.db, org.admin.user_id, true));
      refs.back()->Prepare(per + 10);
      for (int i = 0; i < 10; ++i) refs.back()->Routing();  // warm-up
    }
    t = Clock::now();
    {
      std::vector<std::thread> threads;
      for (int c = 0; c < o.clients; ++c) {
        threads.emplace_back([&, c] {
          for (int i = 0; i < per; ++i) refs[static_cast<size_t>(c)]->Routing();
        });
      }
      for (auto& th : threads) th.join();
    }
    double ref_rate = per * o.clients / Seconds(t);
    refs.clear();
    Reference::Cleanup(o.db);

    // --- The table ---
    const std::string on = std::to_string(o.agents) + " agents online";
    const std::string cl = std::to_string(o.clients) + " clients";
    std::printf("| measure | ours | reference | ratio (ours ÷ reference) |\n");
    std::printf("| --- | --- | --- | --- |\n");
    auto latency_rows = [&](const char* model, const Latency& l) {
      if (l.routed == 0) {
        Row(std::string("Case create → AgentWork, ") + model + ", " + on + ", free", "not routed",
            "—", 0);
        return;
      }
      for (double q : {0.5, 0.99}) {
        double ours = Quantile(l.create_ms, q), ref = Quantile(ref_routed, q);
        Row(std::string("Case create → AgentWork ") + (q < 0.9 ? "p50" : "p99") + ", " + model +
                ", " + on + ", free",
            Fmt("%.2f ms", ours), Fmt("%.2f ms (libpqxx: the same writes)", ref), ours / ref);
      }
    };
    latency_rows("LeastActive", least);
    latency_rows("MostAvailable", most);
    for (double q : {0.5, 0.99}) {
      double ours = Quantile(plain.create_ms, q), ref = Quantile(ref_plain, q);
      Row(std::string("Case create into a queue without routing ") + (q < 0.9 ? "p50" : "p99"),
          Fmt("%.2f ms", ours), Fmt("%.2f ms (libpqxx: the same writes)", ref), ours / ref);
    }
    if (least.routed > 0) {
      double ours = Quantile(least.visible_ms, 0.5);
      Row("AgentWork seen from a second connection p50, from the create's send (LeastActive)",
          Fmt("%.2f ms", ours) + " (" + std::to_string(least.seen_first_look) + "/" +
              std::to_string(least.samples) + " on the first look)",
          Fmt("%.2f ms (ours: the create's answer)", Quantile(least.create_ms, 0.5)),
          ours / Quantile(least.create_ms, 0.5));
    }
    for (double q : {0.5, 0.99}) {
      if (events.event_ms.empty()) break;
      double ours = Quantile(events.event_ms, q), ref = Quantile(events.create_ms, q);
      Row(std::string("omniChannelWorkAssigned in the agent's parked getEvents ") +
              (q < 0.9 ? "p50" : "p99") + ", from the create's send (a queue of one agent)",
          Fmt("%.2f ms", ours), Fmt("%.2f ms (ours: the create's answer)", ref), ours / ref);
    }
    double login_rate = login_secs > 0 ? login_pushes / login_secs : 0;
    Row("routings/s, " + std::to_string(o.agents) + " agents logging in, " +
            std::to_string(o.queued) + " queued, " + cl,
        Fmt("%.0f/s", login_rate) + " (" + std::to_string(login_pushes) + " in " +
            Fmt("%.1f s)", login_secs),
        Fmt("%.0f/s (libpqxx: a push's writes)", ref_rate), login_rate / ref_rate);
    Row("routings/s, " + on + " accepting and closing work, " + std::to_string(after_login) +
            " queued, " + cl,
        Fmt("%.0f/s", drain_rate) + " (" + std::to_string(drain_pushes) + " in " +
            Fmt("%.1f s)", last_t),
        Fmt("%.0f/s (libpqxx: a push's writes)", ref_rate), drain_rate / ref_rate);
    if (half_rate[0] > 0 || half_rate[1] > 0) {
      Row("routings/s in the drain's second half ÷ first half (queue shorter)",
          Fmt("%.0f/s", half_rate[1]), Fmt("%.0f/s (ours, first half)", half_rate[0]),
          half_rate[0] > 0 ? half_rate[1] / half_rate[0] : 0);
    }
    Row("Case creates/s into the LeastActive queue, none online, 200/call, 1 client",
        Fmt("%.0f/s", o.queued / queue_secs), "—", 0);
    return 0;
  } catch (const std::exception& e) {
    Log(std::string("failed: ") + e.what());
    return 1;
  }
}
