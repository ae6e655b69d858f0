// omni-emulator: a local fake Salesforce org for the Omni-Channel SOAP API.
//
//   omni-emulator serve --port 8080 [--database-url postgresql://...] [--data-dir DIR]
//                       [--admin-username U --admin-password P]
//
// Every option can also be set from an OMNI_* environment variable (OMNI_PORT, ...).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "server/admin/changes_endpoint.h"
#include "server/admin/clock_endpoint.h"
#include "server/admin/store_change_source.h"
#include "server/catalog/catalog.h"
#include "server/catalog/enterprise_wsdl.h"
#include "server/clock/org_clock.h"
#include "server/core/clock.h"
#include "server/core/fault_injection.h"
#include "server/dispatcher/dispatcher.h"
#include "server/events/change_bus.h"
#include "server/events/fault_listener.h"
#include "server/presence/presence_service.h"
#include "server/presence/push_timeout_sweep.h"
#include "server/routing/routing_listener.h"
#include "server/sessions/org_bootstrap.h"
#include "server/sessions/secure_random.h"
#include "server/sessions/session_service.h"
#include "server/streaming/bayeux_endpoint.h"
#include "server/streaming/bayeux_messages.h"
#include "server/streaming/store_event_source.h"
#include "server/streaming/stream_hub.h"
#include "server/transport/http_server.h"
#include "server/transport/routes.h"
#include "storage/change_notifier.h"
#include "storage/embedded_postgres.h"
#include "storage/store.h"

namespace po = boost::program_options;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// OMNI_DATABASE_URL -> "database-url", as Boost's environment parser asks for. Variables that
// name no option (OMNI_BUILD_DIR of a test harness, say) are ignored, not an error.
std::string EnvName(const po::options_description& opts, const std::string& env) {
  if (env.rfind("OMNI_", 0) != 0) return "";
  std::string name = env.substr(5);
  for (auto& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return opts.find_nothrow(name, false) ? name : "";
}

std::chrono::milliseconds Seconds(const po::variables_map& vm, const char* name) {
  return std::chrono::milliseconds(static_cast<long>(vm[name].as<double>() * 1000));
}

omni::HttpLimits Limits(const po::variables_map& vm) {
  omni::HttpLimits l;
  l.workers = vm["workers"].as<int>();
  l.max_connections = vm["max-connections"].as<std::size_t>();
  l.max_header_bytes = vm["max-header-bytes"].as<std::size_t>();
  l.max_body_bytes = vm["max-body-bytes"].as<std::size_t>();
  l.header_timeout = Seconds(vm, "header-timeout");
  l.body_timeout = Seconds(vm, "body-timeout");
  l.idle_timeout = Seconds(vm, "idle-timeout");
  l.max_parked = vm["max-parked"].as<std::size_t>();
  return l;
}

// Each connection is a file descriptor: lift the soft limit to the hard one, so that the
// connection limit, not the default 1024 descriptors, is what a busy server meets.
void RaiseFileLimit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// A thread runs its call inline and spends most of it waiting on PostgreSQL, so a few per core
// keep the cores busy: on 2 cores, under 8 concurrent clients, 8 threads answered about 10-30%
// more creates per second than 4 or 16 (runs on a shared machine, so a band).
int DefaultWorkers() {
  unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(4 * (cores ? cores : 2), 8u, 32u));
}

int Serve(const po::variables_map& vm) {
  RaiseFileLimit();
  const std::string wsdl_dir = vm["wsdl-dir"].as<std::string>();
  std::string error;
  auto catalog = omni::Catalog::Load(wsdl_dir + "/catalog.xml", &error);
  if (!catalog) {
    std::cerr << "omni-emulator: " << error << "\n";
    return 1;
  }
  std::string partner_wsdl = ReadFile(wsdl_dir + "/partner.wsdl");
  if (partner_wsdl.empty()) {
    std::cerr << "omni-emulator: cannot read " << wsdl_dir << "/partner.wsdl\n";
    return 1;
  }

  // Signals are taken by one watcher thread, so that SIGINT/SIGTERM stop the server cleanly
  // (and the embedded PostgreSQL with it).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<omni::storage::EmbeddedPostgres> embedded;
  std::string url = vm.count("database-url") ? vm["database-url"].as<std::string>() : "";
  if (url.empty()) {
    std::string data_dir = std::filesystem::absolute(vm["data-dir"].as<std::string>()).string();
    omni::storage::Durability durability;
    if (!omni::storage::ParseDurability(vm["durability"].as<std::string>(), &durability)) {
      std::cerr << "omni-emulator: --durability must be test-suite or full\n";
      return 2;
    }
    embedded = omni::storage::EmbeddedPostgres::Start(data_dir, durability, &error);
    if (!embedded) {
      std::cerr << "omni-emulator: embedded PostgreSQL: " << error << "\n";
      return 1;
    }
    embedded->StartSupervisor();  // restarts a postmaster that dies; see Healthy()
    url = embedded->url();
    std::cout << "omni-emulator: embedded PostgreSQL at " << url << std::endl;
  }
  int workers = vm["workers"].as<int>();
  // --- data layer (helper "log"): store options, fault injection, change notifier ---
  omni::storage::StoreOptions store_options;
  store_options.pool_size = workers + 3;  // + the notifier-driven streaming hub
  store_options.change_log_keep = vm["change-log-retention"].as<long long>();
  auto faults = omni::FaultInjection::Parse(vm["fault-inject"].as<std::string>(), &error);
  if (!faults) {
    std::cerr << "omni-emulator: --fault-inject: " << error << "\n";
    return 2;
  }
  auto store = omni::storage::Store::Open(url, catalog, store_options, &error);
  if (!store) {
    std::cerr << "omni-emulator: " << error << "\n";
    return 1;
  }
  // The emulator clock: every timestamp a call writes, per org, shared by every process.
  std::optional<std::int64_t> clock_start;
  if (vm.count("clock-start")) {
    clock_start = omni::Clock::Parse(vm["clock-start"].as<std::string>());
    if (!clock_start) {
      std::cerr << "omni-emulator: --clock-start must be a dateTime such as "
                   "2026-01-01T00:00:00Z\n";
      return 2;
    }
  }
  omni::OrgClock clock(store.get(), clock_start, &omni::Clock::NowMillis);
  omni::ChangeBus bus;
  if (!faults->empty()) bus.Subscribe(std::make_shared<omni::FaultListener>(*faults));
  // Omni-Channel routing: work entering and leaving queues with a routing configuration.
  auto routing = omni::routing::RoutingListener::Make(catalog, &error);
  if (!routing) {
    std::cerr << "omni-emulator: " << error << "\n";
    return 1;
  }
  bus.Subscribe(routing);
  omni::Dispatcher dispatcher(catalog, store.get(), &bus, &clock, &*faults);
  omni::SessionPolicy session_policy;
  session_policy.session_seconds = vm["session-timeout"].as<int>();
  session_policy.lockout.max_attempts = vm["lockout-attempts"].as<int>();
  session_policy.lockout.lockout_ms =
      static_cast<std::int64_t>(vm["lockout-duration"].as<double>() * 1000);
  omni::SessionService sessions(store.get(), catalog.get(), &clock, session_policy);
  // --- end of the data layer's wiring ---
  omni::QueryService queries(catalog, store.get(), &clock);
  if (!omni::EnsureDefaultOrg(*store, *catalog, bus, clock, vm["admin-username"].as<std::string>(),
                              vm["admin-password"].as<std::string>(), &error)) {
    std::cerr << "omni-emulator: " << error << "\n";
    return 1;
  }

  int port = vm["port"].as<int>();
  omni::SoapApp app;
  app.dispatcher = &dispatcher;
  app.sessions = &sessions;
  app.queries = &queries;
  app.xml_limits.max_depth = vm["xml-max-depth"].as<std::size_t>();
  app.xml_limits.max_attributes = vm["xml-max-attributes"].as<std::size_t>();
  app.xml_limits.max_namespace_decls = vm["xml-max-namespace-decls"].as<std::size_t>();
  app.xml_limits.max_elements = vm["xml-max-elements"].as<std::size_t>();
  app.xml_limits.max_text_length = vm["xml-max-text-bytes"].as<std::size_t>();
  omni::ReplicationService replication(*catalog, store.get(), &clock);
  app.replication = &replication;
  app.clock = &clock;
  app.base_url = vm.count("public-url") ? vm["public-url"].as<std::string>()
                                        : "http://localhost:" + std::to_string(port);
  app.partner_wsdl = partner_wsdl;
  app.enterprise_wsdl = omni::MakeEnterpriseWsdl(*catalog, partner_wsdl);
  // --- agent presence (helper "presence"): the org's own writes and the console methods ---
  omni::OrgWrites org_writes(catalog, store.get(), &bus, &clock);
  omni::PresenceService presence(&org_writes, store.get());
  app.presence = &presence;
  // Moving an org's clock times out the push of every AgentWork that fell due (external routing);
  // on a clock that runs in real time the sweep below runs the same runner as pushes fall due.
  clock.AddDueRunner([&presence](const std::string& org, omni::OrgClock::Millis now) {
    presence.RunPushTimeouts(org, now);
  });
  app.presence_wsdl = ReadFile(wsdl_dir + "/presence.wsdl");
  if (app.presence_wsdl.empty()) {
    std::cerr << "omni-emulator: cannot read " << wsdl_dir << "/presence.wsdl\n";
    return 1;
  }

  omni::storage::Store* db = store.get();
  const omni::storage::EmbeddedPostgres* cluster = embedded.get();
  // Unhealthy while the embedded cluster is down (its supervisor restarts it) or the database
  // does not answer.
  omni::Router router(&app,
                      [db, cluster] { return (!cluster || cluster->Healthy()) && db->Ping(); });
  omni::StoreChangeSource change_source(store.get());
  omni::ChangesEndpoint changes(&sessions, &change_source);
  router.AddRoute("/_emulator/changes",
                  [&changes](const omni::HttpRequest& r) { return changes.Handle(r); });
  omni::ClockEndpoint clock_endpoint(&sessions, &clock);
  router.AddRoute("/_emulator/clock", [&clock_endpoint](const omni::HttpRequest& r) {
    return clock_endpoint.Handle(r);
  });
  router.AddRoute("/services/wsdl/presence", [&app](const omni::HttpRequest&) {
    return omni::HandlerResult{
        omni::HttpResponse::Of(200, "text/xml; charset=UTF-8",
                               omni::WithEndpoint(app.presence_wsdl, app.base_url)),
        std::nullopt};
  });
  omni::SoapEndpoint presence_endpoint(&app);
  router.AddRoute("/services/Soap/presence/44.0", [&presence_endpoint](const omni::HttpRequest& r) {
    return presence_endpoint.HandlePresence(r.body);
  });
  // --- end of agent presence ---
  // The Streaming API: PushTopic events derived from the change log, served over CometD.
  omni::HttpServer* http = nullptr;  // set below; the hub wakes nobody before clients exist
  omni::streaming::StoreEventSource events(store.get(), &clock);
  omni::streaming::StreamHub hub(
      store.get(), &events,
      [&http](const std::string& channel, std::int64_t position) {
        if (http) http->Publish(channel, position);
      },
      [&http](const std::string& channel) {
        if (http) http->Forget(channel);
      });
  omni::streaming::BayeuxEndpoint bayeux(&sessions, &hub);
  router.AddPrefixRoute("/cometd",
                        [&bayeux](const omni::HttpRequest& r) { return bayeux.Handle(r); });
  omni::HttpServer server(&router, Limits(vm));
  http = &server;
  // Salesforce forgets a client that has not reconnected for 40 seconds; a parked one whose
  // socket went away is forgotten once its long-poll would have ended.
  server.Every(std::chrono::seconds(5),
               [&hub] { hub.ExpireIdle(40000, omni::streaming::kConnectTimeoutMs + 40000); });
  // Push time-outs in real time: every process sweeps (the per-item transactions take turns).
  omni::PushTimeoutSweep sweep(store.get(), &clock);
  if (int sweep_ms = vm["push-timeout-sweep-ms"].as<int>(); sweep_ms > 0) {
    server.Every(std::chrono::milliseconds(sweep_ms), [&sweep] { sweep.Run(); });
  }
  // Commits in any server process wake this one's parked requests (LISTEN/NOTIFY), and an
  // ended session stops being honoured from the session cache.
  omni::storage::NotifierCallbacks notified;
  notified.on_change = [&server, &hub](const std::string& org, std::int64_t position) {
    server.Publish(omni::ChangesChannel(org), position);
    hub.OnChange(org, position);
  };
  notified.on_sessions_ended = [&] { sessions.OnSessionsEnded(); };
  notified.on_clock = [&clock](const std::string& org) { clock.Forget(org); };
  std::atomic<bool> notifier_was_connected{false};
  notified.on_connected = [&] {
    sessions.SetCacheTrusted(true);
    clock.SetTrusted(true);
    // After a reconnection, notifications sent while the notifier was away are lost: every
    // parked request re-reads (the first connection has missed nothing a request could see).
    if (notifier_was_connected.exchange(true)) {
      server.WakeAll();
      hub.OnReconnected();
    }
  };
  notified.on_disconnected = [&] {
    sessions.SetCacheTrusted(false);
    clock.SetTrusted(false);
  };
  omni::storage::ChangeNotifier notifier(url, notified);
  if (!server.Bind(vm["host"].as<std::string>(), port, &error)) {
    std::cerr << "omni-emulator: " << error << "\n";
    return 1;
  }
  auto grace =
      std::chrono::milliseconds(static_cast<long>(vm["shutdown-grace"].as<double>() * 1000));
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::cout << "omni-emulator: stopping (signal " << sig << ")" << std::endl;
    server.Stop(grace);
  });
  std::cout << "omni-emulator ready: partner " << app.base_url << "/services/Soap/u/44.0"
            << " enterprise " << app.base_url << "/services/Soap/c/44.0"
            << " wsdl " << app.base_url << "/services/wsdl/partner"
            << " health " << app.base_url << "/_emulator/health" << std::endl;
  server.Run();
  // Run returns only after Stop(), which came from the watcher: it has left sigwait.
  watcher.join();
  hub.Stop();  // before the server goes: the hub's thread publishes on it
  std::cout << "omni-emulator stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Buffers of a megabyte or more (large request bodies and their parses) are mapped and
  // unmapped on their own: glibc's default raises this threshold after each large free, so such
  // buffers would come from the threads' heaps and stay resident after a burst of large calls.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  po::options_description opts("omni-emulator serve options");
  opts.add_options()("help,h", "show this help")("port", po::value<int>()->default_value(8080),
                                                 "HTTP port (OMNI_PORT)")(
      "host", po::value<std::string>()->default_value(""),
      "address to listen on, all when empty (OMNI_HOST)")(
      "database-url", po::value<std::string>(),
      "PostgreSQL URL; without it an embedded cluster under --data-dir is used "
      "(OMNI_DATABASE_URL)")("data-dir", po::value<std::string>()->default_value("./.omni-data"),
                             "directory of the embedded PostgreSQL cluster (OMNI_DATA_DIR)")(
      "durability", po::value<std::string>()->default_value("test-suite"),
      "embedded cluster only: test-suite (a success survives killing the emulator or its "
      "PostgreSQL, not a power loss) or full (fsync'd commits); a --database-url database "
      "keeps its own settings (OMNI_DURABILITY)")(
      "admin-username", po::value<std::string>()->default_value("admin@omni.local"),
      "username of the default org's administrator (OMNI_ADMIN_USERNAME)")(
      "admin-password", po::value<std::string>()->default_value("password"),
      "password of that administrator (OMNI_ADMIN_PASSWORD)")(
      "workers", po::value<int>()->default_value(DefaultWorkers()),
      "threads that serve connections and run their calls; idle connections and parked "
      "requests use none; default four per core, 8 to 32 (OMNI_WORKERS)")(
      "max-connections", po::value<std::size_t>()->default_value(10000),
      "open connections at most; more are answered 503 and closed (OMNI_MAX_CONNECTIONS)")(
      "max-header-bytes", po::value<std::size_t>()->default_value(64 * 1024),
      "request line and headers at most; more is answered 431 (OMNI_MAX_HEADER_BYTES)")(
      "max-body-bytes", po::value<std::size_t>()->default_value(64 * 1024 * 1024),
      "request body at most, after gzip inflation; more is answered 413 (OMNI_MAX_BODY_BYTES)")(
      "header-timeout", po::value<double>()->default_value(10),
      "seconds to send a request's headers, from its first byte; slower senders get 408 and are "
      "dropped (OMNI_HEADER_TIMEOUT)")(
      "body-timeout", po::value<double>()->default_value(60),
      "seconds to send a request body after its headers (OMNI_BODY_TIMEOUT)")(
      "idle-timeout", po::value<double>()->default_value(120),
      "seconds a keep-alive connection may stay idle before it is closed (OMNI_IDLE_TIMEOUT)")(
      "max-parked", po::value<std::size_t>()->default_value(10000),
      "requests that may wait parked at once (long-polls); more are answered 503 "
      "(OMNI_MAX_PARKED)")(
      "xml-max-depth", po::value<std::size_t>()->default_value(omni::XmlLimits().max_depth),
      "nesting depth of a request's XML; deeper is a soapenv:Client fault (OMNI_XML_MAX_DEPTH)")(
      "xml-max-attributes",
      po::value<std::size_t>()->default_value(omni::XmlLimits().max_attributes),
      "attributes on one element (OMNI_XML_MAX_ATTRIBUTES)")(
      "xml-max-namespace-decls",
      po::value<std::size_t>()->default_value(omni::XmlLimits().max_namespace_decls),
      "namespace declarations on one element (OMNI_XML_MAX_NAMESPACE_DECLS)")(
      "xml-max-elements", po::value<std::size_t>()->default_value(omni::XmlLimits().max_elements),
      "elements in one request (OMNI_XML_MAX_ELEMENTS)")(
      "xml-max-text-bytes",
      po::value<std::size_t>()->default_value(omni::XmlLimits().max_text_length),
      "bytes of one text node or attribute value (OMNI_XML_MAX_TEXT_BYTES)")(
      "shutdown-grace", po::value<double>()->default_value(10),
      "seconds that calls in flight may take to finish after SIGTERM (OMNI_SHUTDOWN_GRACE)")(
      "public-url", po::value<std::string>(),
      "base URL clients reach the server at, for login's serverUrl and the WSDLs' address "
      "(OMNI_PUBLIC_URL; default http://localhost:PORT)")(
      "wsdl-dir", po::value<std::string>()->default_value(OMNI_SOURCE_DIR "/wsdl"),
      "directory holding catalog.xml and partner.wsdl (OMNI_WSDL_DIR)");
  opts.add_options()("session-timeout", po::value<int>()->default_value(7200),
                     "seconds a session lives without a call, as the org's session timeout "
                     "(login's sessionSecondsValid; OMNI_SESSION_TIMEOUT)")(
      "lockout-attempts", po::value<int>()->default_value(10),
      "wrong passwords in a row that lock a user out (OMNI_LOCKOUT_ATTEMPTS)")(
      "lockout-duration", po::value<double>()->default_value(900),
      "seconds a locked-out user stays locked out (OMNI_LOCKOUT_DURATION)")(
      "clock-start", po::value<std::string>(),
      "start every new org's emulator clock frozen at this dateTime (2026-01-01T00:00:00Z); "
      "it then moves only through POST /_emulator/clock. Unset: real time (OMNI_CLOCK_START)")(
      "push-timeout-sweep-ms", po::value<int>()->default_value(500),
      "milliseconds between two sweeps for pushed AgentWork whose PushTimeout has passed on an "
      "org clock that runs in real time (frozen clocks time out when moved); 0 turns the sweep "
      "off (OMNI_PUSH_TIMEOUT_SWEEP_MS)");
  opts.add_options()("change-log-retention", po::value<long long>()->default_value(100000),
                     "changes kept per org in the change log, 0 for all "
                     "(OMNI_CHANGE_LOG_RETENTION)")(
      "fault-inject", po::value<std::string>()->default_value(""),
      "TESTS ONLY: listener-throw:<Object>,call-throw:<Object> (OMNI_FAULT_INJECT)");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>());
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("command", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::store(
        po::parse_environment(opts, [&](const std::string& env) { return EnvName(opts, env); }),
        vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "omni-emulator: " << e.what() << "\n" << opts;
    return 2;
  }
  std::string command = vm.count("command") ? vm["command"].as<std::string>() : "";
  if (vm.count("help") || command.empty()) {
    std::cout << "usage: omni-emulator serve [options]\n\n" << opts;
    return vm.count("help") ? 0 : 2;
  }
  if (command != "serve") {
    std::cerr << "omni-emulator: unknown command '" << command << "'\n";
    return 2;
  }
  if (vm["session-timeout"].as<int>() < 1 || vm["lockout-attempts"].as<int>() < 1 ||
      vm["lockout-duration"].as<double>() < 0 || vm["push-timeout-sweep-ms"].as<int>() < 0) {
    std::cerr << "omni-emulator: --session-timeout and --lockout-attempts must be at least 1, "
                 "--lockout-duration and --push-timeout-sweep-ms at least 0\n";
    return 2;
  }
  // Session ids are only as good as their randomness: without the kernel's source, no server.
  {
    unsigned char probe[16];
    std::string random_error;
    if (!omni::SecureRandomBytes(probe, sizeof probe, &random_error)) {
      std::cerr << "omni-emulator: no cryptographic random source for session ids: " << random_error
                << "\n";
      return 1;
    }
  }
  int workers = vm["workers"].as<int>();
  if (workers < 1 || workers > 256) {
    std::cerr << "omni-emulator: --workers must be between 1 and 256\n";
    return 2;
  }
  return Serve(vm);
}
