// A real PostgreSQL for the unit tests that need one: OMNI_SOQL_TEST_DATABASE_URL when set,
// otherwise one embedded cluster per test run under the build tree (started on first use,
// stopped at exit). Tests isolate themselves by using fresh org ids.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <memory>
#include <random>
#include <string>

#include "server/clock/org_clock.h"
#include "server/core/clock.h"
#include "server/core/sf_id.h"
#include "storage/embedded_postgres.h"
#include "storage/store.h"
#include "tests/unit/soql_test_util.h"

namespace omni::testing {

inline const std::string& TestDatabaseUrl() {
  static std::unique_ptr<storage::EmbeddedPostgres> embedded;
  static const std::string url = [] {
    const char* env = std::getenv("OMNI_SOQL_TEST_DATABASE_URL");
    if (env && *env) return std::string(env);
    std::string error;
    embedded = storage::EmbeddedPostgres::Start(std::string(OMNI_BINARY_DIR) + "/unit-test-db",
                                                storage::Durability::kTestSuite, &error);
    INFO(error);
    REQUIRE(embedded);
    return embedded->url();
  }();
  return url;
}

// A real-time emulator clock over `store`, trusted as a server's is while its notifier listens
// (so that it costs no round trip per call).
inline std::unique_ptr<OrgClock> TestClock(storage::Store* store) {
  auto clock = std::make_unique<OrgClock>(store, std::nullopt, &Clock::NowMillis);
  clock->SetTrusted(true);
  return clock;
}

// A fresh org id (and matching user id) that no other run uses.
inline std::pair<std::string, std::string> FreshOrg() {
  static std::mt19937_64 rng(static_cast<std::uint64_t>(std::time(nullptr)) ^
                             std::random_device{}());
  std::uint64_t n = 1 + rng() % 100000000000ULL;
  return {MakeId("00D", n), MakeId("005", n)};
}

// A Store over the test database with the tests' catalog and `pool_size` connections; fails the
// test when it cannot open.
inline std::unique_ptr<storage::Store> OpenTestStore(int pool_size = 4,
                                                     storage::StoreOptions options = {}) {
  std::string error;
  options.pool_size = pool_size;
  auto store = storage::Store::Open(TestDatabaseUrl(), SoqlCatalog(), options, &error);
  INFO(error);
  REQUIRE(store);
  return store;
}

}  // namespace omni::testing
