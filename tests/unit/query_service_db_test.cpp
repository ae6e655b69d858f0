// QueryService (server/dispatcher/query_service.h) against a real PostgreSQL (tests/unit/test_db.h:
// OMNI_SOQL_TEST_DATABASE_URL, or an embedded cluster the tests start). Each run uses a fresh
// org, so runs never see each other's rows.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <random>

#include "server/core/sf_id.h"
#include "server/dispatcher/dispatcher.h"
#include "server/dispatcher/query_service.h"
#include "tests/unit/soql_test_util.h"
#include "tests/unit/test_db.h"

namespace omni {
namespace {

struct Db {
  std::unique_ptr<storage::Store> store;
  CallContext ctx;
  ChangeBus bus;
};

std::unique_ptr<Db> OpenDb() {
  const std::string& url = testing::TestDatabaseUrl();
  auto db = std::make_unique<Db>();
  std::string error;
  db->store = storage::Store::Open(url, testing::SoqlCatalog(), 2, &error);
  INFO(error);
  REQUIRE(db->store);
  std::mt19937_64 rng(static_cast<std::uint64_t>(std::time(nullptr)) ^ std::random_device{}());
  std::uint64_t n = 1 + rng() % 100000000000ULL;
  db->ctx.org_id = MakeId("00D", n);
  db->ctx.user_id = MakeId("005", n);
  return db;
}

std::string Text(const QueryRecord& r, const std::string& name) {
  for (const auto& [k, v] : r.fields) {
    if (k != name) continue;
    if (const auto* val = std::get_if<Value>(&v)) return val->value_or("<null>");
    return "<record>";
  }
  return "<absent>";
}

const QueryRecord* Nested(const QueryRecord& r, const std::string& name) {
  for (const auto& [k, v] : r.fields) {
    if (k != name) continue;
    if (const auto* rec = std::get_if<std::shared_ptr<QueryRecord>>(&v)) return rec->get();
  }
  return nullptr;
}

TEST_CASE("query, paging with queryMore, relationships and aggregates on PostgreSQL") {
  auto db = OpenDb();
  REQUIRE(db);
  auto clock = testing::TestClock(db->store.get());
  Dispatcher dispatcher(testing::SoqlCatalog(), db->store.get(), &db->bus, clock.get());
  Record channel;
  channel.type = "ServiceChannel";
  channel.fields = {{"DeveloperName", std::string("Chan")},
                    {"MasterLabel", std::string("Channel")},
                    {"RelatedEntity", std::string("Case")}};
  auto created = dispatcher.Create(db->ctx, {channel}, {});
  REQUIRE_FALSE(created.fault);
  REQUIRE(created.value[0].success);
  std::string channel_id = *created.value[0].id;
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<Record> rows;
    for (int i = 0; i < 150; ++i) {
      int k = batch * 150 + i;
      Record r;
      r.type = "QueueRoutingConfig";
      char name[16];
      std::snprintf(name, sizeof name, "Q_%03d", k);
      r.fields = {{"DeveloperName", std::string(name)},
                  {"MasterLabel", std::string(k % 5 == 0 ? "It's 50% off" : "Queue")},
                  {"RoutingModel", std::string(k % 2 ? "LeastActive" : "MostAvailable")},
                  {"RoutingPriority", std::to_string(k % 4)}};
      if (k % 3 == 0) r.fields.emplace_back("ServiceChannelId", channel_id);
      rows.push_back(r);
    }
    auto res = dispatcher.Create(db->ctx, rows, {});
    REQUIRE_FALSE(res.fault);
    for (const auto& r : res.value) REQUIRE(r.success);
  }

  QueryService service(testing::SoqlCatalog(), db->store.get(), clock.get());
  // Paging: 450 rows in pages of 200, in the query's order, then the locator is gone.
  const std::string q =
      "SELECT Id, DeveloperName FROM QueueRoutingConfig ORDER BY DeveloperName DESC";
  auto page = service.Query(db->ctx, q, false, 150);
  REQUIRE_FALSE(page.fault);
  CHECK(page.value.size == 450);
  CHECK_FALSE(page.value.done);
  REQUIRE(page.value.records.size() == 200);
  REQUIRE(page.value.locator);
  CHECK(page.value.locator->rfind("01g", 0) == 0);
  std::vector<std::string> names;
  for (const auto& r : page.value.records) names.push_back(Text(r, "DeveloperName"));
  std::string first_locator = *page.value.locator;
  while (!page.value.done) {
    page = service.QueryMore(db->ctx, *page.value.locator, 200);
    REQUIRE_FALSE(page.fault);
    for (const auto& r : page.value.records) names.push_back(Text(r, "DeveloperName"));
  }
  REQUIRE(names.size() == 450);
  CHECK(names.front() == "Q_449");
  CHECK(names.back() == "Q_000");
  auto stale = service.QueryMore(db->ctx, first_locator, 200);
  REQUIRE(stale.fault);
  CHECK(stale.fault->code == ExceptionCode::kInvalidQueryLocator);
  auto bogus = service.QueryMore(db->ctx, "01g000000000000AAA-500", 200);
  REQUIRE(bogus.fault);
  CHECK(bogus.fault->message == "invalid query locator");

  // The default batch is 500: one page.
  page = service.Query(db->ctx, q, false, 0);
  CHECK(page.value.done);
  CHECK(page.value.records.size() == 450);

  // Parent relationships: nested record or null.
  page = service.Query(db->ctx,
                       "SELECT DeveloperName, ServiceChannel.MasterLabel FROM QueueRoutingConfig "
                       "WHERE DeveloperName IN ('Q_000', 'q_001') ORDER BY DeveloperName",
                       false, 0);
  REQUIRE_FALSE(page.fault);
  REQUIRE(page.value.records.size() == 2);
  const QueryRecord* parent = Nested(page.value.records[0], "ServiceChannel");
  REQUIRE(parent);
  CHECK(parent->type == "ServiceChannel");
  CHECK(Text(*parent, "MasterLabel") == "Channel");
  CHECK(Text(page.value.records[1], "ServiceChannel") == "<null>");

  // LIKE with an escaped %, semi-join, COUNT().
  page = service.Query(db->ctx,
                       "SELECT COUNT() FROM QueueRoutingConfig WHERE MasterLabel LIKE "
                       "'it\\'s 50\\% %' AND ServiceChannelId IN (SELECT Id FROM ServiceChannel "
                       "WHERE DeveloperName = 'chan')",
                       false, 0);
  REQUIRE_FALSE(page.fault);
  CHECK(page.value.size == 30);  // multiples of 15 below 450
  CHECK(page.value.records.empty());

  // Aggregates.
  page = service.Query(db->ctx,
                       "SELECT RoutingModel, COUNT(Id) n, AVG(RoutingPriority), "
                       "MAX(DeveloperName) FROM QueueRoutingConfig GROUP BY RoutingModel HAVING "
                       "COUNT(Id) > 1 ORDER BY RoutingModel DESC",
                       false, 0);
  REQUIRE_FALSE(page.fault);
  REQUIRE(page.value.records.size() == 2);
  const QueryRecord& most = page.value.records[0];
  CHECK(most.type == "AggregateResult");
  CHECK(Text(most, "RoutingModel") == "MostAvailable");
  CHECK(Text(most, "n") == "225");
  CHECK(std::stod(Text(most, "expr0")) == doctest::Approx(224.0 / 225));
  CHECK(Text(most, "expr1") == "Q_448");

  // Date literals and queryAll.
  page = service.Query(db->ctx, "SELECT COUNT() FROM QueueRoutingConfig WHERE CreatedDate = TODAY",
                       false, 0);
  REQUIRE_FALSE(page.fault);
  CHECK(page.value.size == 450);
  page = service.Query(
      db->ctx, "SELECT COUNT() FROM QueueRoutingConfig WHERE CreatedDate = YESTERDAY", false, 0);
  CHECK(page.value.size == 0);
}

}  // namespace
}  // namespace omni
