// The change log, the change notifier, listener safety and the session cache against a real
// PostgreSQL (tests/unit/test_db.h): what a consumer of committed changes and a client of the
// data calls depend on.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "server/dispatcher/dispatcher.h"
#include "server/events/fault_listener.h"
#include "server/sessions/org_bootstrap.h"
#include "server/sessions/session_service.h"
#include "storage/change_notifier.h"
#include "tests/unit/soql_test_util.h"
#include "tests/unit/test_db.h"

namespace omni {
namespace {

struct Fixture {
  explicit Fixture(storage::StoreOptions options = {}) {
    store = testing::OpenTestStore(4, options);
    auto org = testing::FreshOrg();
    ctx = CallContext{org.first, org.second};
  }
  Dispatcher& dispatcher(const FaultInjection* faults = nullptr) {
    if (!clock) clock = testing::TestClock(store.get());
    if (!d) {
      d = std::make_unique<Dispatcher>(testing::SoqlCatalog(), store.get(), &bus, clock.get(),
                                       faults);
    }
    return *d;
  }
  std::vector<storage::CommittedChange> Changes(std::int64_t after = 0) {
    return store->ReadChangesAfter(ctx.org_id, after, 1000);
  }
  std::unique_ptr<storage::Store> store;
  ChangeBus bus;
  CallContext ctx;
  std::unique_ptr<OrgClock> clock;
  std::unique_ptr<Dispatcher> d;
};

Record Case(const std::string& subject) {
  Record r;
  r.type = "Case";
  r.fields = {{"Subject", subject}};
  return r;
}

bool Contains(const std::optional<std::string>& json, const std::string& needle) {
  return json && json->find(needle) != std::string::npos;
}

TEST_CASE("change log: every kind of change with both images, the user and rising positions") {
  Fixture f;
  auto& d = f.dispatcher();
  CHECK(f.store->LastChangePosition(f.ctx.org_id) == 0);
  auto created = d.Create(f.ctx, {Case("first subject")}, {});
  REQUIRE_FALSE(created.fault);
  REQUIRE(created.value[0].success);
  std::string id = *created.value[0].id;
  Record change;
  change.type = "Case";
  change.fields = {{"Id", id}, {"Subject", std::string("second subject")}};
  REQUIRE(d.Update(f.ctx, {change}, {}).value[0].success);
  REQUIRE(d.Delete(f.ctx, {id}, {}).value[0].success);
  REQUIRE(d.Undelete(f.ctx, {id}, {}).value[0].success);

  auto log = f.Changes();
  REQUIRE(log.size() == 4);
  const storage::ChangeKind kinds[] = {storage::ChangeKind::kCreated, storage::ChangeKind::kUpdated,
                                       storage::ChangeKind::kDeleted,
                                       storage::ChangeKind::kUndeleted};
  for (size_t i = 0; i < 4; ++i) {
    CHECK(log[i].position == static_cast<std::int64_t>(i + 1));
    CHECK(log[i].kind == kinds[i]);
    CHECK(log[i].object == "Case");
    CHECK(log[i].record_id == id);
    CHECK(log[i].user_id == f.ctx.user_id);
    CHECK(log[i].org_id == f.ctx.org_id);
    CHECK(log[i].committed_at.size() == 24);
    REQUIRE(log[i].after_json);
  }
  CHECK_FALSE(log[0].before_json);
  CHECK(Contains(log[0].after_json, "\"Subject\": \"first subject\""));
  CHECK(Contains(log[0].after_json, "\"Id\": \"" + id + "\""));
  CHECK(Contains(log[0].after_json, "\"Status\": \"New\""));  // defaults are in the image
  CHECK(Contains(log[1].before_json, "\"Subject\": \"first subject\""));
  CHECK(Contains(log[1].after_json, "\"Subject\": \"second subject\""));
  CHECK(Contains(log[2].before_json, "\"IsDeleted\": \"false\""));
  CHECK(Contains(log[2].after_json, "\"IsDeleted\": \"true\""));
  CHECK(Contains(log[3].after_json, "\"IsDeleted\": \"false\""));
  CHECK(f.store->LastChangePosition(f.ctx.org_id) == 4);
  CHECK(f.Changes(2).size() == 2);
  CHECK(f.Changes(2)[0].position == 3);
}

TEST_CASE("change log: a rolled-back call leaves no entry and sends no notification") {
  Fixture f;
  auto& d = f.dispatcher();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::int64_t> notified;
  storage::NotifierCallbacks cbs;
  cbs.on_change = [&](const std::string& org, std::int64_t pos) {
    if (org != f.ctx.org_id) return;
    std::lock_guard<std::mutex> lock(mu);
    notified.push_back(pos);
    cv.notify_all();
  };
  storage::ChangeNotifier notifier(testing::TestDatabaseUrl(), cbs);
  REQUIRE(notifier.WaitConnected(10000));

  REQUIRE(d.Create(f.ctx, {Case("kept 1")}, {}).value[0].success);
  // AllOrNone: the second record is invalid (Subject too long), so the first rolls back too.
  Record bad = Case(std::string(300, 'x'));
  CallOptions all;
  all.all_or_none = true;
  auto failed = d.Create(f.ctx, {Case("rolled back"), bad}, all);
  REQUIRE_FALSE(failed.fault);
  CHECK_FALSE(failed.value[0].success);
  CHECK_FALSE(failed.value[1].success);
  REQUIRE(d.Create(f.ctx, {Case("kept 2")}, {}).value[0].success);

  auto log = f.Changes();
  REQUIRE(log.size() == 2);
  CHECK(log[0].position == 1);
  CHECK(log[1].position == 2);
  CHECK(Contains(log[1].after_json, "\"Subject\": \"kept 2\""));
  std::unique_lock<std::mutex> lock(mu);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return notified.size() >= 2; }));
  lock.unlock();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a stray third would show now
  lock.lock();
  CHECK(notified == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("notifier: reconnects after its connection is killed and wakes consumers again") {
  Fixture f;
  auto& d = f.dispatcher();
  std::mutex mu;
  std::condition_variable cv;
  int connects = 0, disconnects = 0;
  std::int64_t seen = 0;
  storage::NotifierCallbacks cbs;
  cbs.on_change = [&](const std::string& org, std::int64_t pos) {
    std::lock_guard<std::mutex> lock(mu);
    if (org == f.ctx.org_id) seen = pos;
    cv.notify_all();
  };
  cbs.on_connected = [&] {
    std::lock_guard<std::mutex> lock(mu);
    ++connects;
    cv.notify_all();
  };
  cbs.on_disconnected = [&] {
    std::lock_guard<std::mutex> lock(mu);
    ++disconnects;
  };
  storage::ChangeNotifier notifier(testing::TestDatabaseUrl(), cbs);
  REQUIRE(notifier.WaitConnected(10000));
  // Kill its backend, as a database restart would.
  std::string cmd = "psql '" + testing::TestDatabaseUrl() +
                    "' -Atqc \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "application_name = 'omni-notifier'\" >/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::unique_lock<std::mutex> lock(mu);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return connects >= 2; }));
  CHECK(disconnects >= 1);
  lock.unlock();
  REQUIRE(d.Create(f.ctx, {Case("after reconnect")}, {}).value[0].success);
  lock.lock();
  CHECK(cv.wait_for(lock, std::chrono::seconds(5), [&] { return seen == 1; }));
}

TEST_CASE("notifier: a key=value connection string works as well as a URL") {
  // postgresql:///omni?host=/dir&port=5432&user=omni  ->  dbname=omni host=/dir port=5432 ...
  const std::string& url = testing::TestDatabaseUrl();
  size_t q = url.find('?');
  if (url.rfind("postgresql:///", 0) != 0 || q == std::string::npos) return;  // another shape
  std::string dsn = "dbname=" + url.substr(14, q - 14);
  std::string rest = url.substr(q + 1);
  for (size_t at = 0; at < rest.size();) {
    size_t amp = rest.find('&', at);
    if (amp == std::string::npos) amp = rest.size();
    dsn += " " + rest.substr(at, amp - at);
    at = amp + 1;
  }
  storage::ChangeNotifier notifier(dsn, {});
  CHECK(notifier.WaitConnected(10000));
}

TEST_CASE("change log: concurrent commits of one org get gapless positions in commit order") {
  Fixture f;
  auto& d = f.dispatcher();
  constexpr int kPerThread = 15;
  std::vector<std::string> ids[2];
  auto work = [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      auto r = d.Create(f.ctx, {Case("t" + std::to_string(t) + "_" + std::to_string(i))}, {});
      if (!r.fault && r.value[0].success) ids[t].push_back(*r.value[0].id);
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  REQUIRE(ids[0].size() == kPerThread);
  REQUIRE(ids[1].size() == kPerThread);
  auto log = f.Changes();
  REQUIRE(log.size() == 2 * kPerThread);
  std::map<std::string, std::int64_t> pos;
  for (size_t i = 0; i < log.size(); ++i) {
    CHECK(log[i].position == static_cast<std::int64_t>(i + 1));
    pos[log[i].record_id] = log[i].position;
  }
  // Each thread's calls committed one after the other: their positions rise in that order.
  for (const auto& thread_ids : ids) {
    for (size_t i = 1; i < thread_ids.size(); ++i) {
      CHECK(pos[thread_ids[i - 1]] < pos[thread_ids[i]]);
    }
  }
}

TEST_CASE("change log: retention keeps the newest changes of an org") {
  storage::StoreOptions options;
  options.change_log_keep = 5;
  options.change_log_prune_every = 4;
  Fixture f(options);
  auto& d = f.dispatcher();
  for (int i = 0; i < 20; ++i)
    REQUIRE(d.Create(f.ctx, {Case("r" + std::to_string(i))}, {}).value[0].success);
  auto log = f.Changes();
  CHECK(f.store->LastChangePosition(f.ctx.org_id) == 20);
  CHECK(log.size() <= 5 + 4);
  CHECK(log.size() >= 5);
  CHECK(log.back().position == 20);
  CHECK(f.store->OldestChangePosition(f.ctx.org_id) == log.front().position);
  CHECK(log.front().position > 1);
}

// Creates a Group for every Case created, through the writer, and throws for subject "boom".
class RoutingLikeListener : public ChangeListener {
 public:
  void OnChange(const ChangeEvent& e, RecordWriter& writer) override {
    if (e.object->name != "Case" || e.kind != ChangeEvent::Kind::kCreated) return;
    REQUIRE(e.after);
    CHECK(e.before == nullptr);
    Record group;
    group.type = "group";  // resolved case-insensitively, like a call
    group.fields = {{"Name", std::string("for ") + e.record_id.substr(0, 10)},
                    {"type", std::string("Queue")}};
    Error err;
    auto id = writer.Create(group, &err);
    REQUIRE(id);
    CHECK(writer.Read(*e.object, e.record_id));
    const Value* subject = e.after->Find("Subject");
    if (subject && *subject == std::optional<std::string>("boom")) throw std::out_of_range("boom");
    if (subject && *subject == std::optional<std::string>("throws-int")) throw 42;
  }
};

TEST_CASE("listeners: writes go through the rules in the transaction; a throw fails the record") {
  Fixture f;
  f.bus.Subscribe(std::make_shared<RoutingLikeListener>());
  auto& d = f.dispatcher();
  auto out = d.Create(f.ctx, {Case("ok 1"), Case("boom"), Case("throws-int"), Case("ok 2")}, {});
  REQUIRE_FALSE(out.fault);
  REQUIRE(out.value.size() == 4);
  CHECK(out.value[0].success);
  CHECK(out.value[3].success);
  for (int i : {1, 2}) {
    CHECK_FALSE(out.value[i].success);
    REQUIRE(out.value[i].errors.size() == 1);
    CHECK(out.value[i].errors[0].code == StatusCode::kUnknownException);
    CHECK(
        out.value[i].errors[0].message.find(
            "An unexpected error occurred. Please include this ErrorId if you contact support: ") ==
        0);
    CHECK(out.value[i].errors[0].message.find("boom") == std::string::npos);
  }
  auto log = f.Changes();
  int cases = 0, groups = 0;
  for (const auto& c : log) {
    cases += c.object == "Case";
    groups += c.object == "Group";
    CHECK_FALSE(Contains(c.after_json, "boom"));
  }
  CHECK(cases == 2);
  CHECK(groups == 2);  // the failed records' groups rolled back with them

  // Under AllOrNoneHeader a listener's throw rolls the whole call back.
  CallOptions all;
  all.all_or_none = true;
  auto rolled = d.Create(f.ctx, {Case("ok 3"), Case("boom")}, all);
  REQUIRE_FALSE(rolled.fault);
  CHECK_FALSE(rolled.value[0].success);
  CHECK(rolled.value[0].errors[0].code == StatusCode::kAllOrNoneOperationRolledBack);
  CHECK(rolled.value[1].errors[0].code == StatusCode::kUnknownException);
  CHECK(f.Changes().size() == log.size());
  // A single record that fails in its listener (no savepoint on that path) leaves nothing.
  auto single = d.Create(f.ctx, {Case("boom")}, {});
  CHECK(single.value[0].errors[0].code == StatusCode::kUnknownException);
  CHECK(f.Changes().size() == log.size());
}

TEST_CASE("fault injection: call-throw fails the call with UNKNOWN_EXCEPTION and rolls back") {
  Fixture f;
  std::string error;
  auto faults = FaultInjection::Parse("call-throw:case, listener-throw:Group", &error);
  REQUIRE(faults);
  f.bus.Subscribe(std::make_shared<FaultListener>(*faults));
  auto& d = f.dispatcher(&*faults);
  auto out = d.Create(f.ctx, {Case("never")}, {});
  REQUIRE(out.fault);
  CHECK(out.fault->code == ExceptionCode::kUnknownException);
  CHECK(out.fault->message.find("ErrorId") != std::string::npos);
  CHECK(out.fault->message.find("fault injection") == std::string::npos);
  Record group;
  group.type = "Group";
  group.fields = {{"Name", std::string("g")}, {"Type", std::string("Regular")}};
  auto g = d.Create(f.ctx, {group, group}, {});
  REQUIRE_FALSE(g.fault);
  CHECK(g.value[0].errors[0].code == StatusCode::kUnknownException);
  CHECK(g.value[1].errors[0].code == StatusCode::kUnknownException);
  CHECK(f.Changes().empty());
  CHECK_FALSE(FaultInjection::Parse("explode:Case", &error));
}

TEST_CASE("fast path: a single-record create costs a handful of round trips") {
  Fixture f;
  auto& d = f.dispatcher();
  Record group;
  group.type = "Group";
  group.fields = {{"Name", std::string("warm")}, {"Type", std::string("Regular")}};
  REQUIRE(d.Create(f.ctx, {group}, {}).value[0].success);  // prepares the statements
  REQUIRE(d.Create(f.ctx, {Case("warm")}, {}).value[0].success);
  long before = storage::Store::StatementsSent();
  REQUIRE(d.Create(f.ctx, {group}, {}).value[0].success);
  long group_trips = storage::Store::StatementsSent() - before;
  before = storage::Store::StatementsSent();
  REQUIRE(d.Create(f.ctx, {Case("measured")}, {}).value[0].success);
  long case_trips = storage::Store::StatementsSent() - before;
  MESSAGE("round trips: create Group " << group_trips << ", create Case (auto-number) "
                                       << case_trips);
  // Group: its DeveloperName is generated (one lookup, on its own), then one statement inserts,
  // logs, notifies and commits (+ a new Id block now and then). Case has an auto-number, whose
  // counter row needs a transaction: BEGIN, the counter, INSERT ... RETURNING, change log + NOTIFY,
  // COMMIT.
  CHECK(group_trips <= 3);
  CHECK(case_trips <= 6);
  // A retrieve is one statement: no transaction around a single read.
  auto made = d.Create(f.ctx, {Case("to read")}, {});
  const std::string id = *made.value[0].id;
  REQUIRE(d.Retrieve(f.ctx, "Id, Subject", "Case", {id}).value[0]);
  before = storage::Store::StatementsSent();
  auto read = d.Retrieve(f.ctx, "Id, Subject", "Case", {id});
  CHECK(storage::Store::StatementsSent() - before == 1);
  REQUIRE(read.value[0]);
  CHECK(*read.value[0]->Find("Subject") == std::optional<std::string>("to read"));
}

TEST_CASE("fast path: a lone insert logs the same change as a transaction does, and notifies") {
  Fixture f;
  auto& d = f.dispatcher();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::int64_t> notified;
  storage::NotifierCallbacks cbs;
  cbs.on_change = [&](const std::string& org, std::int64_t pos) {
    if (org != f.ctx.org_id) return;
    std::lock_guard<std::mutex> lock(mu);
    notified.push_back(pos);
    cv.notify_all();
  };
  storage::ChangeNotifier notifier(testing::TestDatabaseUrl(), cbs);
  REQUIRE(notifier.WaitConnected(10000));
  auto group = [](const std::string& name) {
    Record r;
    r.type = "Group";
    r.fields = {{"Name", name}, {"Type", std::string("Regular")}};
    return r;
  };
  // One record: the lone-insert statement. Two records: BEGIN, savepoints, the batch flush.
  auto lone = d.Create(f.ctx, {group("lone")}, {});  // DeveloperName: generated from it
  REQUIRE(lone.value[0].success);
  auto pair = d.Create(f.ctx, {group("pair1"), group("pair2")}, {});
  REQUIRE(pair.value[1].success);
  auto log = f.Changes();
  REQUIRE(log.size() == 3);
  CHECK(log[0].position == 1);
  CHECK(log[0].kind == storage::ChangeKind::kCreated);
  CHECK(log[0].record_id == *lone.value[0].id);
  CHECK(log[0].user_id == f.ctx.user_id);
  CHECK(log[0].committed_at.size() == 24);
  CHECK_FALSE(log[0].before_json);
  REQUIRE(log[0].after_json);
  REQUIRE(log[1].after_json);
  // The same image, field for field, whichever statement wrote it: only the values differ.
  auto shape = [](std::string json, const std::vector<std::string>& values) {
    for (const auto& v : values) {
      for (size_t at; (at = json.find(v)) != std::string::npos;) json.replace(at, v.size(), "#");
    }
    return json;
  };
  const std::string& lone_id = *lone.value[0].id;
  const std::string& pair_id = *pair.value[0].id;
  std::string lone_created = log[0].after_json->substr(log[0].after_json->find("CreatedDate"), 40);
  std::string pair_created = log[1].after_json->substr(log[1].after_json->find("CreatedDate"), 40);
  CHECK(shape(*log[0].after_json, {lone_id, "lone", lone_created.substr(15, 24)}) ==
        shape(*log[1].after_json, {pair_id, "pair1", pair_created.substr(15, 24)}));
  CHECK(log[2].position == 3);
  std::unique_lock<std::mutex> lock(mu);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(5),
                      [&] { return !notified.empty() && notified.back() == 3; }));
  CHECK(notified.front() == 1);  // the lone insert's own notification
}

TEST_CASE("sessions: a logout is honoured by this process at once and by another soon after") {
  Fixture a_side, b_side;
  std::string error;
  auto clock_a = testing::TestClock(a_side.store.get());
  auto clock_b = testing::TestClock(b_side.store.get());
  REQUIRE(EnsureDefaultOrg(*a_side.store, *testing::SoqlCatalog(), a_side.bus, *clock_a,
                           "admin@omni.local", "unit-pw", &error));
  SessionService a(a_side.store.get(), testing::SoqlCatalog().get(), clock_a.get());
  SessionService b(b_side.store.get(), testing::SoqlCatalog().get(), clock_b.get());
  // Each "process" has its own notifier, wired as server/main.cpp wires it.
  auto wire = [](SessionService& s) {
    storage::NotifierCallbacks cbs;
    cbs.on_sessions_ended = [&s] { s.OnSessionsEnded(); };
    cbs.on_connected = [&s] { s.SetCacheTrusted(true); };
    cbs.on_disconnected = [&s] { s.SetCacheTrusted(false); };
    return std::make_unique<storage::ChangeNotifier>(testing::TestDatabaseUrl(), cbs);
  };
  auto na = wire(a), nb = wire(b);
  REQUIRE(na->WaitConnected(10000));
  REQUIRE(nb->WaitConnected(10000));

  auto login = a.Login("admin@omni.local", "unit-pw");
  REQUIRE_FALSE(login.fault);
  const std::string sid = login.value.session_id;
  REQUIRE_FALSE(b.Resolve(sid).fault);  // B reads it once from the database and caches it
  long before = storage::Store::StatementsSent();
  auto cached = b.Resolve(sid);
  REQUIRE_FALSE(cached.fault);
  CHECK(cached.value.user_id == login.value.user.user_id);
  CHECK(storage::Store::StatementsSent() == before);  // the hot path: no round trip
  REQUIRE_FALSE(a.Resolve(sid).fault);

  REQUIRE_FALSE(a.Logout(sid).fault);
  CHECK(a.Resolve(sid).fault);  // this process: never after the logout returned
  bool ended = false;
  for (int i = 0; i < 100 && !ended; ++i) {
    ended = b.Resolve(sid).fault.has_value();
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(ended);
  CHECK(b.Resolve(sid).fault);
  CHECK(a.Resolve("00Dbogus!nothing").fault->code == ExceptionCode::kInvalidSessionId);
}

}  // namespace
}  // namespace omni
