// omni-streaming-bench: the Streaming API under load, next to PostgreSQL's own LISTEN/NOTIFY
// driven straight from libpqxx on the same cluster, in one run. Prints markdown table rows
// (operation | ours | reference | ratio) for bench/run.sh:
//
//   delay      --samples ServicePresenceStatus creates, one at a time, while one CometD client
//              waits in /meta/connect on a PushTopic over them: from the create's send to the
//              event reaching the client (median, p99). Reference: a committed INSERT with
//              pg_notify from one libpqxx connection to a LISTENing one, the floor of any
//              cross-process event on PostgreSQL.
//   fan-out    --events creates from --clients connections while --fanout clients are
//              subscribed: events delivered per second (every subscriber gets every event).
//              Reference: the same number of committed notifications to as many LISTENing
//              libpqxx connections.
//   holding    --samples creates, one at a time, first with no subscriber, then while
//              --subscribers clients are parked in /meta/connect on a topic the creates don't
//              match (the cost of holding them): median and p99 of the create, and the ratio
//              of the two.
//
//   omni-streaming-bench --url http://127.0.0.1:PORT --database-url URL [--samples N]
//                        [--events N] [--fanout N] [--subscribers N] [--clients N]
//
// The clients are lean on purpose (a thread and a blocking keep-alive connection each, events
// found by their MasterLabel text, no JSON parser) because they share the machine's cores with
// the server they measure.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_report.h"
#include "bench/routing_org.h"
#include "bench/soap_client.h"

using namespace omni_bench;

namespace {

Clock::time_point g_start = Clock::now();
void Log(const std::string& s) { LogLine("streaming-bench", g_start, s); }

struct Options {
  std::string url, db;
  int samples = 300, events = 1000, fanout = 100, subscribers = 1000, clients = 4;
};

// The text of the JSON string member `"name":"..."` starting at or after `from`.
std::string JsonText(const std::string& body, const std::string& name, size_t from = 0) {
  std::string key = "\"" + name + "\":\"";
  size_t at = body.find(key, from);
  if (at == std::string::npos) return "";
  size_t start = at + key.size();
  size_t end = body.find('"', start);
  return end == std::string::npos ? "" : body.substr(start, end - start);
}

// One CometD client on its own connection: handshake, subscribe, then /meta/connect in a loop
// on its own thread; every event's MasterLabel goes to on_label with its arrival time.
class Subscriber {
 public:
  Subscriber(int port, const std::string& session, const std::string& channel) : http_(port, 180) {
    http_.Headers("application/json;charset=UTF-8", "Authorization: OAuth " + session + "\r\n");
    std::string hs = http_.Post(
        kPath,
        "[{\"channel\":\"/meta/handshake\",\"version\":\"1.0\",\"minimumVersion\":\"1.0\","
        "\"supportedConnectionTypes\":[\"long-polling\"],\"id\":\"1\"}]");
    client_id_ = JsonText(hs, "clientId");
    if (client_id_.empty()) throw std::runtime_error("handshake refused: " + hs);
    std::string sub =
        http_.Post(kPath, "[{\"channel\":\"/meta/subscribe\",\"clientId\":\"" + client_id_ +
                              "\",\"subscription\":\"" + channel + "\",\"id\":\"2\"}]");
    if (sub.find("\"successful\":true") == std::string::npos) {
      throw std::runtime_error("subscribe refused: " + sub);
    }
    // The first connect answers at once (advice timeout 0), as CometD clients send it.
    Connect("{\"timeout\":0}");
  }

  // Long-polls until Stop(); on_label(label, arrival) for every event.
  template <typename F>
  void Start(F on_label) {
    thread_ = std::thread([this, on_label] {
      try {
        while (!stop_) {
          std::string body = Connect("");
          auto now = Clock::now();
          const std::string key = "\"MasterLabel\":\"";
          for (size_t at = body.find(key); at != std::string::npos; at = body.find(key, at + 1)) {
            on_label(JsonText(body, "MasterLabel", at), now);
          }
        }
      } catch (const std::exception& e) {
        if (!stop_) {
          std::lock_guard<std::mutex> l(error_mu_);
          error_ = e.what();
        }
      }
    });
  }

  // Asks the loop to end; it ends when its parked connect is answered (disconnect answers it).
  void Stop(int port, const std::string& session) {
    stop_ = true;
    Http h(port, 30);
    h.Headers("application/json;charset=UTF-8", "Authorization: OAuth " + session + "\r\n");
    h.Post(kPath, "[{\"channel\":\"/meta/disconnect\",\"clientId\":\"" + client_id_ + "\"}]");
    if (thread_.joinable()) thread_.join();
  }

  std::string Error() {
    std::lock_guard<std::mutex> l(error_mu_);
    return error_;
  }

 private:
  static constexpr const char* kPath = "/cometd/44.0";
  std::string Connect(const std::string& advice) {
    return http_.Post(kPath, "[{\"channel\":\"/meta/connect\",\"clientId\":\"" + client_id_ +
                                 "\",\"connectionType\":\"long-polling\"" +
                                 (advice.empty() ? "" : ",\"advice\":" + advice) + "}]");
  }
  Http http_;
  std::string client_id_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex error_mu_;
  std::string error_;
};

// One ServicePresenceStatus create with this MasterLabel: its round trip in ms.
double CreateStatus(SoapClient& c, const std::string& session, const std::string& label) {
  auto t0 = Clock::now();
  c.Create(session,
           {{"ServicePresenceStatus", {{"MasterLabel", label}, {"DeveloperName", "B_" + label}}}});
  return Ms(t0, Clock::now());
}

// A LISTEN on one connection that counts what it receives (libpqxx 6's receiver class).
class Counter : public pqxx::notification_receiver {
 public:
  Counter(pqxx::connection_base& c, const std::string& channel, std::atomic<long>* n)
      : pqxx::notification_receiver(c, channel), n_(n) {}
  void operator()(const std::string&, int) override { ++*n_; }

 private:
  std::atomic<long>* n_;
};

// libpqxx reference: NOTIFY delay from one connection's commit to a LISTENing connection.
std::vector<double> ReferenceDelay(const std::string& db, int n) {
  pqxx::connection writer(db), listener(db);
  pqxx::nontransaction(writer).exec(
      "CREATE TABLE IF NOT EXISTS bench_stream_ref (id bigserial PRIMARY KEY, label text)");
  std::atomic<long> heard{0};
  Counter counter(listener, "bench_stream_ref", &heard);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    {
      pqxx::work w(writer);
      w.exec_params("INSERT INTO bench_stream_ref (label) VALUES ($1)", std::to_string(i));
      w.exec_params("SELECT pg_notify('bench_stream_ref', $1)", std::to_string(i));
      w.commit();
    }
    if (listener.await_notification(10, 0) == 0) throw std::runtime_error("no notification");
    out.push_back(Ms(t0, Clock::now()));
  }
  return out;
}

// libpqxx reference: n committed notifications (INSERT + pg_notify) from `clients` connections
// to `listeners` LISTENing connections; notifications received per second.
double ReferenceFanout(const std::string& db, int n, int listeners, int clients) {
  std::vector<std::unique_ptr<pqxx::connection>> conns;
  std::vector<std::unique_ptr<Counter>> counters;
  std::atomic<long> received{0};
  for (int i = 0; i < listeners; ++i) {
    conns.push_back(std::make_unique<pqxx::connection>(db));
    counters.push_back(std::make_unique<Counter>(*conns.back(), "bench_stream_fan", &received));
  }
  const long want = static_cast<long>(n) * listeners;
  std::atomic<bool> done{false};
  std::vector<std::thread> waiters;
  for (auto& c : conns) {
    waiters.emplace_back([&, conn = c.get()] {
      while (!done) conn->await_notification(0, 100000);
    });
  }
  auto t0 = Clock::now();
  std::vector<std::thread> writers;
  for (int k = 0; k < clients; ++k) {
    writers.emplace_back([&, k] {
      pqxx::connection w(db);
      for (int i = k; i < n; i += clients) {
        pqxx::work tx(w);
        tx.exec_params("INSERT INTO bench_stream_ref (label) VALUES ($1)", std::to_string(i));
        tx.exec_params("SELECT pg_notify('bench_stream_fan', $1)", std::to_string(i));
        tx.commit();
      }
    });
  }
  for (auto& t : writers) t.join();
  while (received < want && Seconds(t0) < 120)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  double secs = Seconds(t0);
  done = true;
  for (auto& t : waiters) t.join();
  counters.clear();  // before their connections
  return static_cast<double>(received.load()) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv,
                    {{"--url", TextOption(&o.url)},
                     {"--database-url", TextOption(&o.db)},
                     {"--samples", IntOption(&o.samples)},
                     {"--events", IntOption(&o.events)},
                     {"--fanout", IntOption(&o.fanout)},
                     {"--subscribers", IntOption(&o.subscribers)},
                     {"--clients", IntOption(&o.clients)}})) {
    return 2;
  }
  if (o.url.empty() || o.db.empty()) {
    std::cerr << "usage: omni-streaming-bench --url URL --database-url URL [--samples N] "
                 "[--events N] [--fanout N] [--subscribers N] [--clients N]\n";
    return 2;
  }
  const int port = std::stoi(o.url.substr(o.url.rfind(':') + 1));
  const std::string tag = std::to_string(
      std::chrono::system_clock::now().time_since_epoch().count() / 1000000 % 100000000);
  try {
    SoapClient admin(port);
    const LoginInfo login = admin.Login("admin@omni.local", "password");
    const std::string& s = login.session;
    // The measured topic, over ServicePresenceStatus, and one over PresenceDeclineReason that
    // the creates never match (the parked subscribers of the holding part).
    const std::string topic = "BenchS" + tag, idle_topic = "BenchI" + tag;
    admin.Create(s, {{"PushTopic",
                      {{"Name", topic},
                       {"Query", "SELECT Id, MasterLabel FROM ServicePresenceStatus"},
                       {"ApiVersion", "44.0"}}},
                     {"PushTopic",
                      {{"Name", idle_topic},
                       {"Query", "SELECT Id, DeveloperName FROM PresenceDeclineReason"},
                       {"ApiVersion", "44.0"}}}});

    // --- delay ------------------------------------------------------------------------------
    Log("delay: " + std::to_string(o.samples) + " creates with one subscriber");
    std::vector<std::atomic<long long>> arrived(static_cast<size_t>(o.samples));
    for (auto& a : arrived) a = 0;
    const std::string delay_prefix = "d" + tag + "_";
    {
      Subscriber one(port, s, "/topic/" + topic);
      one.Start([&](const std::string& label, Clock::time_point at) {
        if (label.rfind(delay_prefix, 0) != 0) return;
        size_t i = std::stoul(label.substr(delay_prefix.size()));
        if (i < arrived.size()) arrived[i] = at.time_since_epoch().count();
      });
      std::vector<double> create_ms, event_ms;
      for (int i = 0; i < o.samples; ++i) {
        auto t0 = Clock::now();
        create_ms.push_back(CreateStatus(admin, s, delay_prefix + std::to_string(i)));
        while (arrived[static_cast<size_t>(i)] == 0 && Ms(t0, Clock::now()) < 5000) {
          std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
        long long at = arrived[static_cast<size_t>(i)];
        if (at == 0) throw std::runtime_error("event " + std::to_string(i) + " not delivered");
        event_ms.push_back(Ms(t0, Clock::time_point(Clock::duration(at))));
      }
      one.Stop(port, s);
      if (!one.Error().empty()) throw std::runtime_error("subscriber: " + one.Error());
      Log("delay: reference (libpqxx NOTIFY)");
      auto ref = ReferenceDelay(o.db, o.samples);
      double p50 = Quantile(event_ms, 0.5), p99 = Quantile(event_ms, 0.99);
      double r50 = Quantile(ref, 0.5), r99 = Quantile(ref, 0.99);
      Row("change to event at a CometD client, p50 (create sent to event received)",
          Fmt("%.2f ms", p50), Fmt("%.2f ms", r50) + " (libpqxx commit to LISTEN)", p50 / r50);
      Row("change to event at a CometD client, p99", Fmt("%.2f ms", p99),
          Fmt("%.2f ms", r99) + " (libpqxx commit to LISTEN)", p99 / r99);
      Log(Fmt("delay: the creates themselves p50 %.2f ms", Quantile(create_ms, 0.5)));
    }

    // --- fan-out ----------------------------------------------------------------------------
    Log("fan-out: " + std::to_string(o.events) + " creates to " + std::to_string(o.fanout) +
        " subscribers");
    {
      const std::string fan_prefix = "f" + tag + "_";
      std::atomic<long> delivered{0};
      std::vector<std::unique_ptr<Subscriber>> subs;
      for (int i = 0; i < o.fanout; ++i) {
        subs.push_back(std::make_unique<Subscriber>(port, s, "/topic/" + topic));
      }
      for (auto& sub : subs) {
        sub->Start([&](const std::string& label, Clock::time_point) {
          if (label.rfind(fan_prefix, 0) == 0) ++delivered;
        });
      }
      const long want = static_cast<long>(o.events) * o.fanout;
      auto t0 = Clock::now();
      ForEachParallel(port, o.clients, o.events, [&](SoapClient& c, int i) {
        CreateStatus(c, s, fan_prefix + std::to_string(i));
      });
      double create_secs = Seconds(t0);
      while (delivered < want && Seconds(t0) < 300) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      double secs = Seconds(t0);
      long got = delivered.load();
      for (auto& sub : subs) sub->Stop(port, s);
      for (auto& sub : subs) {
        if (!sub->Error().empty()) throw std::runtime_error("subscriber: " + sub->Error());
      }
      if (got < want) {
        throw std::runtime_error("fan-out: " + std::to_string(got) + " of " + std::to_string(want) +
                                 " events delivered");
      }
      Log(Fmt("fan-out: creates took %.1f s", create_secs) + Fmt(", delivery %.1f s", secs));
      Log("fan-out: reference (libpqxx NOTIFY to as many listeners)");
      double ref = ReferenceFanout(o.db, o.events, o.fanout, o.clients);
      double rate = static_cast<double>(got) / secs;
      Row("events delivered/s, " + std::to_string(o.events) + " creates to " +
              std::to_string(o.fanout) + " subscribers",
          Fmt("%.0f events/s", rate),
          Fmt("%.0f notifications/s", ref) + " (libpqxx NOTIFY to as many LISTENs)", rate / ref);
    }

    // --- holding ----------------------------------------------------------------------------
    {
      const std::string hold_prefix = "h" + tag + "_";
      std::vector<double> alone, held;
      for (int i = 0; i < o.samples; ++i) {
        alone.push_back(CreateStatus(admin, s, hold_prefix + "a" + std::to_string(i)));
      }
      Log("holding: " + std::to_string(o.subscribers) + " subscribers parked");
      std::vector<std::unique_ptr<Subscriber>> subs;
      for (int i = 0; i < o.subscribers; ++i) {
        subs.push_back(std::make_unique<Subscriber>(port, s, "/topic/" + idle_topic));
        subs.back()->Start([](const std::string&, Clock::time_point) {});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      for (int i = 0; i < o.samples; ++i) {
        held.push_back(CreateStatus(admin, s, hold_prefix + "h" + std::to_string(i)));
      }
      Log("holding: stopping the subscribers");
      for (auto& sub : subs) sub->Stop(port, s);
      for (auto& sub : subs) {
        if (!sub->Error().empty()) throw std::runtime_error("subscriber: " + sub->Error());
      }
      double a50 = Quantile(alone, 0.5), h50 = Quantile(held, 0.5);
      double a99 = Quantile(alone, 0.99), h99 = Quantile(held, 0.99);
      Row("SOAP create with " + std::to_string(o.subscribers) + " CometD subscribers parked, p50",
          Fmt("%.2f ms", h50), Fmt("%.2f ms", a50) + " (same create, no subscriber)", h50 / a50);
      Row("SOAP create with " + std::to_string(o.subscribers) + " CometD subscribers parked, p99",
          Fmt("%.2f ms", h99), Fmt("%.2f ms", a99) + " (same create, no subscriber)", h99 / a99);
    }
  } catch (const std::exception& e) {
    std::cerr << "omni-streaming-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
