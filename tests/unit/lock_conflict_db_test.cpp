// Lock contention against a real PostgreSQL: a deadlock between two transactions surfaces as
// storage::LockConflict (kDeadlock), the victim rolls back cleanly and the pool's connection
// serves on; a write call that loses a deadlock answers UNABLE_TO_LOCK_ROW for the record that
// lost it while its other record commits; and the org's own writes (behind the presence calls),
// with no record to blame, answer the UNABLE_TO_LOCK_ROW fault (CATALOG-DECISIONS P1).
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>

#include "server/dispatcher/dispatcher.h"
#include "server/dispatcher/org_writes.h"
#include "tests/unit/soql_test_util.h"
#include "tests/unit/test_db.h"

namespace omni {
namespace {

struct Db {
  Db() {
    store = testing::OpenTestStore();
    auto org = testing::FreshOrg();
    ctx = CallContext{org.first, org.second};
    clock = testing::TestClock(store.get());
    dispatcher =
        std::make_unique<Dispatcher>(testing::SoqlCatalog(), store.get(), &bus, clock.get());
  }
  std::string NewCase(const std::string& subject) {
    Record rec;
    rec.type = "Case";
    rec.fields = {{"Subject", subject}};
    auto out = dispatcher->Create(ctx, {rec}, {});
    REQUIRE_FALSE(out.fault);
    REQUIRE(out.value[0].success);
    return *out.value[0].id;
  }
  std::string Subject(const std::string& id) {
    auto read = dispatcher->Retrieve(ctx, "Subject", "Case", {id});
    REQUIRE_FALSE(read.fault);
    REQUIRE(read.value[0]);
    return **read.value[0]->Find("Subject");
  }
  const ObjectDef& Case() { return *testing::SoqlCatalog()->FindObject("Case"); }

  std::unique_ptr<storage::Store> store;
  std::unique_ptr<OrgClock> clock;
  ChangeBus bus;
  CallContext ctx;
  std::unique_ptr<Dispatcher> dispatcher;
};

// Locks `first`, then (after `pause`) `second`, and commits; what it ran into.
enum class Ended { kCommitted, kDeadlock, kOther };
Ended LockBoth(Db& db, const std::string& first, const std::string& second,
               std::promise<void>* holds_first, std::shared_future<void> both_hold) {
  try {
    auto tx = db.store->Begin();
    REQUIRE(tx->records().LockRow(db.ctx.org_id, db.Case(), first));
    holds_first->set_value();
    both_hold.wait();
    tx->records().LockRow(db.ctx.org_id, db.Case(), second);
    tx->Commit();
    return Ended::kCommitted;
  } catch (const storage::LockConflict& e) {
    return e.kind() == storage::LockConflict::Kind::kDeadlock ? Ended::kDeadlock : Ended::kOther;
  } catch (...) {
    return Ended::kOther;
  }
}

TEST_CASE("lock conflict: a deadlock is a LockConflict, its victim rolls back, the store goes on") {
  Db db;
  std::string a = db.NewCase("a"), b = db.NewCase("b");
  std::promise<void> a_held, b_held;
  std::promise<void> go;
  std::shared_future<void> both(go.get_future());
  auto one = std::async(std::launch::async, [&] { return LockBoth(db, a, b, &a_held, both); });
  auto two = std::async(std::launch::async, [&] { return LockBoth(db, b, a, &b_held, both); });
  a_held.get_future().wait();
  b_held.get_future().wait();
  go.set_value();  // each now asks for the row the other holds: PostgreSQL aborts one (40P01)
  Ended first = one.get(), second = two.get();
  CHECK(((first == Ended::kDeadlock && second == Ended::kCommitted) ||
         (first == Ended::kCommitted && second == Ended::kDeadlock)));
  CHECK(storage::LockConflict::KindOf("40P01") == storage::LockConflict::Kind::kDeadlock);
  CHECK(storage::LockConflict::KindOf("55P03") == storage::LockConflict::Kind::kLockTimeout);
  CHECK(storage::LockConflict::KindOf("40001") == storage::LockConflict::Kind::kSerialization);
  CHECK_FALSE(storage::LockConflict::KindOf("23505"));
  // Every connection of the pool works afterwards, and the rows are free.
  for (int i = 0; i < 4; ++i) {
    auto tx = db.store->Begin();
    CHECK(tx->records().TryLockRow(db.ctx.org_id, db.Case(), a));
    CHECK(tx->records().TryLockRow(db.ctx.org_id, db.Case(), b));
  }
}

TEST_CASE("lock conflict: a write call that loses a deadlock answers UNABLE_TO_LOCK_ROW") {
  Db db;
  std::string a = db.NewCase("a"), b = db.NewCase("b");
  // Another transaction holds b; the call updates a (locking it), then waits for b.
  auto other = db.store->Begin();
  REQUIRE(other->records().LockRow(db.ctx.org_id, db.Case(), b));
  auto call = std::async(std::launch::async, [&] {
    Record ra, rb;
    ra.type = rb.type = "Case";
    ra.fields = {{"Id", a}, {"Subject", std::string("a2")}};
    rb.fields = {{"Id", b}, {"Subject", std::string("b2")}};
    return db.dispatcher->Update(db.ctx, {ra, rb}, {});
  });
  // Once the call waits for b, ask for a: a deadlock. The call has waited longer, so its
  // deadlock_timeout (1 s) runs out first and PostgreSQL aborts its statement.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  bool other_got_a = false;
  try {
    other_got_a = other->records().LockRow(db.ctx.org_id, db.Case(), a).has_value();
  } catch (const storage::LockConflict&) {
    FAIL("the call, not the other transaction, should have lost the deadlock");
  }
  CHECK(other_got_a);  // the call has committed, releasing a
  other.reset();       // rolls back
  auto out = call.get();
  REQUIRE_FALSE(out.fault);
  REQUIRE(out.value.size() == 2);
  CHECK(out.value[0].success);
  REQUIRE_FALSE(out.value[1].success);
  REQUIRE(out.value[1].errors.size() == 1);
  CHECK(out.value[1].errors[0].code == StatusCode::kUnableToLockRow);
  CHECK(out.value[1].errors[0].message == "unable to obtain exclusive access to this record");
  CHECK(std::string(StatusCodeName(out.value[1].errors[0].code)) == "UNABLE_TO_LOCK_ROW");
  CHECK(db.Subject(a) == "a2");
  CHECK(db.Subject(b) == "b");  // the lost record left nothing behind
  // And the next call goes on as ever.
  Record again;
  again.type = "Case";
  again.fields = {{"Id", b}, {"Subject", std::string("b3")}};
  auto next = db.dispatcher->Update(db.ctx, {again}, {});
  REQUIRE_FALSE(next.fault);
  CHECK(next.value[0].success);
  CHECK(db.Subject(b) == "b3");
}

TEST_CASE("lock conflict: the org's own writes that lose a deadlock fail with the fault") {
  Db db;
  std::string a = db.NewCase("a"), b = db.NewCase("b");
  OrgWrites writes(testing::SoqlCatalog(), db.store.get(), &db.bus, db.clock.get());
  auto other = db.store->Begin();
  REQUIRE(other->records().LockRow(db.ctx.org_id, db.Case(), b));
  auto run = std::async(std::launch::async, [&] {
    return writes.Run(db.ctx, [&](OrgTx& tx) {
      Error error;
      Record change;
      change.fields = {{"Subject", std::string("a2")}};
      REQUIRE(tx.Update(db.Case(), a, change, &error));
      tx.Lock(db.Case(), b);  // waits for `other`, which then asks for a
      return true;
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(other->records().LockRow(db.ctx.org_id, db.Case(), a));  // the Run rolled back
  other.reset();
  auto out = run.get();
  REQUIRE(out.fault);
  CHECK(out.fault->code == ExceptionCode::kUnableToLockRow);
  CHECK(std::string(ExceptionCodeName(out.fault->code)) == "UNABLE_TO_LOCK_ROW");
  CHECK(out.fault->message == "unable to obtain exclusive access to this record");
  CHECK(db.Subject(a) == "a");  // nothing of the Run was kept
}

}  // namespace
}  // namespace omni
