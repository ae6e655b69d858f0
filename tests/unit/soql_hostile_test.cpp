// Hostile SOQL: quotes, backslashes, comments, semicolons, unicode, huge literals, deep nesting
// and NUL bytes must give a clean fault or a valid plan — never a crash or an escaping exception —
// and a user value must never reach the SQL text (storage/query_sql.h binds every value).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "storage/query_sql.h"
#include "tests/unit/soql_test_util.h"

namespace omni {
namespace {

using testing::CompileSoql;

std::vector<std::string> HostileCorpus() {
  const std::string base = "SELECT Id FROM QueueRoutingConfig WHERE DeveloperName = ";
  std::vector<std::string> out = {
      base + "'x'; DROP TABLE sobj_user; --'",
      base + "'x'' OR ''1''=''1'",
      base + "'x\\' OR 1=1 --'",
      base + "'\\\\'",
      base + "'\\'",
      base + "'''",
      base + "'x' -- comment",
      base + "'x' /* comment */",
      base + "'x';",
      base + "'$1'",
      base + "'\"quoted\" identifier'",
      base + "'日本語 ✓ 😀'",
      base + "'\\u0041\\u00e9\\uFFFF'",
      base + "'\\uD800'",
      base + "'" + std::string(100 * 1024, 'A') + "'",
      base + "'" + std::string(100 * 1024, '\\') + "'",
      base + "'" + std::string(90 * 1000, 'B') + "'",
      base + "'" + std::string(45 * 1000, '\\') + "'",
      base + std::string(100 * 1024, '9'),
      "SELECT Id FROM QueueRoutingConfig LIMIT " + std::string(500, '9'),
      "SELECT Id FROM QueueRoutingConfig OFFSET 99999999999999999999",
      "SELECT Id FROM QueueRoutingConfig WHERE CreatedDate = LAST_N_DAYS:99999999999",
      "SELECT Id FROM QueueRoutingConfig WHERE CreatedDate = LAST_N_DAYS:-1",
      std::string("SELECT Id FROM QueueRoutingConfig WHERE DeveloperName = 'a\0b'", 61),
      std::string("SELECT Id\0 FROM QueueRoutingConfig", 34),
      std::string("\0", 1),
      "SELECT Id FROM \"sobj_user\"",
      "SELECT Id FROM sobj_user",
      "SELECT \"id\" FROM QueueRoutingConfig",
      "SELECT Id FROM QueueRoutingConfig WHERE DeveloperName LIKE '%\\%%_\\_' ",
      "SELECT Id FROM QueueRoutingConfig WHERE DeveloperName LIKE '.*[a-z]+$^|(' ",
      "SELECT Id FROM QueueRoutingConfig\r\nWHERE\tDeveloperName = 'x'",
      "SELECT Id FROM QueueRoutingConfig WHERE Id IN (" + std::string(1000, '(') + ")",
      "\xff\xfe\xfd",
      "SELECT Id FROM Queue\xc3RoutingConfig",
      "SELECT Id FROM QueueRoutingConfig WHERE DeveloperName = '\xc3'",
      "SELECT ServiceChannel.ServiceChannel.ServiceChannel.Id FROM QueueRoutingConfig",
      "SELECT CreatedBy.CreatedBy.CreatedBy.CreatedBy.CreatedBy.Name FROM QueueRoutingConfig",
      "SELECT Id FROM QueueRoutingConfig WHERE CreatedDate = 9999-99-99T99:99:99Z",
      "SELECT Id FROM QueueRoutingConfig WHERE CreatedDate = 2026-11-25T10:00:00+99:99",
      "SELECT Id FROM QueueRoutingConfig WHERE RoutingPriority = 1e308",
      "SELECT Id FROM QueueRoutingConfig WHERE RoutingPriority = --1",
      "SELECT Id FROM QueueRoutingConfig WHERE RoutingPriority = 0.000000000000000000000000001",
  };
  // 500-deep parentheses and NOTs: refused cleanly, not by exhausting the stack.
  std::string deep = "SELECT Id FROM QueueRoutingConfig WHERE ";
  out.push_back(deep + std::string(500, '(') + "Id = null" + std::string(500, ')'));
  std::string nots = deep;
  for (int i = 0; i < 500; ++i) nots += "NOT ";
  out.push_back(nots + "Id = null");
  std::string subs = deep;
  for (int i = 0; i < 500; ++i) subs += "Id IN (SELECT Id FROM QueueRoutingConfig WHERE ";
  out.push_back(subs + "Id = null" + std::string(500, ')'));
  // Moderate nesting stays valid.
  out.push_back(deep + std::string(50, '(') + "Id = null" + std::string(50, ')'));
  std::string wide = deep + "Id = null";
  for (int i = 0; i < 2000; ++i) wide += " OR DeveloperName = 'v" + std::to_string(i) + "'";
  out.push_back(wide);
  return out;
}

TEST_CASE("hostile queries give clean faults or valid plans") {
  int faults = 0, plans = 0;
  for (const auto& q : HostileCorpus()) {
    CAPTURE(q.substr(0, 120));
    soql::QueryPlan plan;
    std::optional<Fault> f;
    CHECK_NOTHROW(f = CompileSoql(q, &plan));
    if (f) {
      ++faults;
      CHECK(f->row >= 1);
      CHECK(f->column >= 0);
      CHECK(FaultKindHasPosition(f->kind));
      CHECK(f->message.find("ERROR at Row:") != std::string::npos);
      // Nothing in a fault message breaks XML 1.0.
      for (char c : f->message) {
        unsigned char u = static_cast<unsigned char>(c);
        bool printable = u >= 0x20 || c == '\n' || c == '\t' || c == '\r';
        CHECK(printable);
      }
      continue;
    }
    ++plans;
    storage::Params params;
    std::string sql;
    CHECK_NOTHROW(sql =
                      storage::QuerySelectSql(plan, "00D000000000001AAA", false, 0, 500, &params));
    CHECK(sql.find("DROP") == std::string::npos);
    // The only quoted text in the SQL is the statement's own (time zone, formats, ESCAPE).
    CHECK(sql.find("zq") == std::string::npos);
  }
  CHECK(faults > 20);
  CHECK(plans > 5);
}

TEST_CASE("a statement longer than 100000 characters is refused") {
  std::string q = "SELECT Id FROM AgentWork WHERE Status = '" + std::string(100000, 'x') + "'";
  auto f = CompileSoql(q);
  REQUIRE(f);
  CHECK(f->code == ExceptionCode::kMalformedQuery);
  CHECK(f->message.find("SOQL statements cannot be longer than 100000 characters.") !=
        std::string::npos);
}

TEST_CASE("user values reach SQL only as parameters") {
  const std::string secret = "zq'x\\\"; DROP TABLE t; --";
  soql::QueryPlan plan;
  REQUIRE_FALSE(
      CompileSoql("SELECT Id, ServiceChannel.MasterLabel FROM QueueRoutingConfig WHERE "
                  "DeveloperName = 'zq\\'x\\\\\"; DROP TABLE t; --' AND MasterLabel "
                  "LIKE 'zq%' AND ServiceChannelId IN (SELECT Id FROM ServiceChannel "
                  "WHERE MasterLabel IN ('zqa', 'zqb')) ORDER BY MasterLabel DESC",
                  &plan));
  storage::Params params;
  std::string sql = storage::QuerySelectSql(plan, "00Dzq", false, 0, 500, &params);
  CHECK(sql.find("zq") == std::string::npos);
  CHECK(sql.find("DROP") == std::string::npos);
  bool found = false;
  for (const char* v : params.values()) {
    if (v && std::string(v) == secret) found = true;
  }
  CHECK(found);
  CHECK(sql.find("ILIKE") != std::string::npos);
  CHECK(sql.find("LEFT JOIN \"sobj_servicechannel\"") != std::string::npos);
  CHECK(sql.find("NOT t0.isdeleted") != std::string::npos);
  storage::Params all_params;
  std::string all = storage::QuerySelectSql(plan, "00Dzq", true, 0, 500, &all_params);
  CHECK(all.find("isdeleted") == std::string::npos);
}

TEST_CASE("the page window combines with the query's LIMIT and OFFSET") {
  soql::QueryPlan plan;
  REQUIRE_FALSE(CompileSoql("SELECT Id FROM AgentWork LIMIT 450 OFFSET 7", &plan));
  storage::Params p;
  std::string sql = storage::QuerySelectSql(plan, "org", false, 400, 200, &p);
  REQUIRE(p.values().size() == 3);
  CHECK(std::string(p.values()[1]) == "50");   // LIMIT: 450 - 400
  CHECK(std::string(p.values()[2]) == "407");  // OFFSET: 7 + 400
  CHECK(sql.find("ORDER BY t0.id") != std::string::npos);
  storage::Params c;
  std::string count = storage::QueryCountSql(plan, "org", false, &c);
  CHECK(count.rfind("SELECT count(*) FROM (", 0) == 0);
}

}  // namespace
}  // namespace omni
