// The emulator clock (server/clock/org_clock.h) against a real PostgreSQL: what tests that move
// time, and the routing engine's time-outs, depend on.
#include <doctest/doctest.h>

#include <atomic>
#include <vector>

#include "server/clock/org_clock.h"
#include "tests/unit/soql_test_util.h"
#include "tests/unit/test_db.h"

namespace omni {
namespace {

std::unique_ptr<storage::Store> OpenStore() { return testing::OpenTestStore(2); }

// A system clock the test moves by hand, so that real time never makes a check flaky.
struct FakeSystem {
  static std::atomic<std::int64_t> now;
  static std::int64_t Read() { return now.load(); }
};
std::atomic<std::int64_t> FakeSystem::now{1'700'000'000'000};

TEST_CASE("clock: each org has its own; moves run the due runners with the new time") {
  auto store = OpenStore();
  OrgClock clock(store.get(), std::nullopt, &FakeSystem::Read);
  clock.SetTrusted(true);
  const std::string a = testing::FreshOrg().first, b = testing::FreshOrg().first;
  clock.Ensure(a);
  clock.Ensure(b);
  std::vector<std::pair<std::string, std::int64_t>> ran;
  clock.AddDueRunner([&](const std::string& org, std::int64_t now) { ran.emplace_back(org, now); });
  CHECK(clock.Now(a) == FakeSystem::now);  // real time by default
  auto moved = clock.Advance(a, 30'000);
  CHECK(moved.now == FakeSystem::now + 30'000);
  CHECK_FALSE(moved.frozen);
  CHECK(clock.Now(b) == FakeSystem::now);  // the other org's time did not move
  REQUIRE(ran.size() == 1);
  CHECK(ran[0] == std::make_pair(a, FakeSystem::now + 30'000));
  FakeSystem::now += 1000;  // real time runs on, offset kept
  CHECK(clock.Now(a) == FakeSystem::now + 30'000);
  // Frozen: the system clock no longer moves it; set goes forward only.
  auto frozen = clock.Freeze(a);
  CHECK(frozen.frozen);
  FakeSystem::now += 5000;
  CHECK(clock.Now(a) == frozen.now);
  CHECK_FALSE(clock.Set(a, frozen.now - 1));
  REQUIRE(clock.Set(a, frozen.now + 10));
  CHECK(clock.Now(a) == frozen.now + 10);
  auto running = clock.Unfreeze(a);
  CHECK_FALSE(running.frozen);
  FakeSystem::now += 7;
  CHECK(clock.Now(a) == frozen.now + 17);
}

TEST_CASE("clock: a frozen start applies to new orgs; another process reads the stored row") {
  auto store = OpenStore();
  OrgClock one(store.get(), std::int64_t{1'000'000}, &FakeSystem::Read);
  OrgClock two(store.get(), std::int64_t{9'000'000}, &FakeSystem::Read);
  one.SetTrusted(true);
  two.SetTrusted(true);
  const std::string org = testing::FreshOrg().first;
  one.Ensure(org);
  CHECK(two.Now(org) == 1'000'000);  // the row the first made, not its own start
  one.Advance(org, 500);
  two.Forget(org);  // what its notifier does on NOTIFY omni_clock
  CHECK(two.Now(org) == 1'000'500);
}

TEST_CASE("clock: reading the clock of an id no org has stores nothing") {
  auto store = OpenStore();
  OrgClock clock(store.get(), std::int64_t{42}, &FakeSystem::Read);
  clock.SetTrusted(true);
  const std::string ghost = testing::FreshOrg().first;  // never Ensure'd: like a forged session
  CHECK(clock.Now(ghost) == 42);
  CHECK_FALSE(store->ReadClock(ghost));
}

}  // namespace
}  // namespace omni
