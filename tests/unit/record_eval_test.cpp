// The in-memory WHERE evaluator (server/soql/record_eval.h): each operator the parser supports,
// null semantics as the database answers them, and the conditions it cannot evaluate.
#include "server/soql/record_eval.h"

#include <doctest/doctest.h>

#include "tests/unit/soql_test_util.h"

namespace omni {
namespace {

soql::QueryPlan Plan(const std::string& soql) {
  soql::QueryPlan plan;
  auto fault = testing::CompileSoql(soql, &plan);
  INFO(soql << ": " << (fault ? fault->message : ""));
  REQUIRE_FALSE(fault);
  REQUIRE(plan.where);
  return plan;
}

Record Image(std::vector<std::pair<std::string, Value>> fields) {
  Record r;
  r.type = "PendingServiceRouting";
  r.fields = std::move(fields);
  return r;
}

bool Where(const std::string& condition, const Record& image) {
  soql::QueryPlan plan = Plan("SELECT Id FROM PendingServiceRouting WHERE " + condition);
  return soql::Matches(*plan.where, image);
}

TEST_CASE("comparisons of text, numbers, booleans, ids and datetimes") {
  Record r = Image({{"Id", "0JRxx0000000001AAA"},
                    {"RoutingModel", "ExternalRouting"},
                    {"Serial", "3"},
                    {"IsPushed", "false"},
                    {"CapacityWeight", "2.5"},
                    {"LastDeclinedAgentSession", std::nullopt},
                    {"CreatedDate", "2026-11-25T10:00:00.000Z"}});
  CHECK(Where("RoutingModel = 'ExternalRouting'", r));
  CHECK(Where("RoutingModel = 'externalrouting'", r));  // text equality is case-insensitive
  CHECK_FALSE(Where("RoutingModel = 'LeastActive'", r));
  CHECK(Where("RoutingModel != 'LeastActive'", r));
  CHECK(Where("Serial = 3", r));
  CHECK(Where("Serial > 2 AND Serial < 4 AND Serial >= 3 AND Serial <= 3", r));
  CHECK_FALSE(Where("Serial > 3", r));
  CHECK(Where("Serial < 10", r));  // numerically, not as text ("3" > "10")
  CHECK(Where("CapacityWeight > 2.25", r));
  CHECK(Where("IsPushed = false", r));
  CHECK_FALSE(Where("IsPushed = true", r));
  CHECK(Where("CreatedDate = 2026-11-25T10:00:00Z", r));
  CHECK(Where("CreatedDate = 2026-11-25T12:00:00+02:00", r));  // the same instant
  CHECK(Where("CreatedDate < 2026-11-25T10:00:01.000Z", r));
  CHECK_FALSE(Where("CreatedDate > 2026-11-25T10:00:00Z", r));
}

TEST_CASE("nulls: = null, != null, and a comparison with a null field") {
  Record r = Image({{"Id", "0JRxx0000000001AAA"}, {"LastDeclinedAgentSession", std::nullopt}});
  CHECK(Where("LastDeclinedAgentSession = null", r));
  CHECK_FALSE(Where("LastDeclinedAgentSession != null", r));
  // As SOQL answers (and the SQL storage writes): != matches a null field, = and < do not.
  CHECK(Where("LastDeclinedAgentSession != 'x'", r));
  CHECK_FALSE(Where("LastDeclinedAgentSession = 'x'", r));
  CHECK_FALSE(Where("Serial < 5", r));  // a field the image lacks is null
  CHECK(Where("Serial = null", r));
  // Unknown OR true is true; unknown AND true is not a match.
  CHECK(Where("(Serial < 5 OR LastDeclinedAgentSession = null)", r));
  CHECK_FALSE(Where("(Serial < 5 AND LastDeclinedAgentSession = null)", r));
}

TEST_CASE("LIKE, IN and NOT IN") {
  Record r = Image({{"Id", "0JRxx0000000001AAA"},
                    {"LastDeclinedAgentSession", "Sess_ion-42%"},
                    {"RoutingModel", "MostAvailable"}});
  CHECK(Where("LastDeclinedAgentSession LIKE 'sess%'", r));
  CHECK(Where("LastDeclinedAgentSession LIKE 'Sess_ion-4_\\%'", r));
  CHECK_FALSE(Where("LastDeclinedAgentSession LIKE 'Sess\\_x%'", r));
  CHECK_FALSE(Where("LastDeclinedAgentSession LIKE 'ion%'", r));
  CHECK(Where("LastDeclinedAgentSession LIKE '%ion%'", r));
  CHECK(Where("RoutingModel IN ('LeastActive', 'mostavailable')", r));
  CHECK_FALSE(Where("RoutingModel IN ('LeastActive', 'ExternalRouting')", r));
  CHECK(Where("RoutingModel NOT IN ('LeastActive')", r));
  CHECK_FALSE(Where("RoutingModel NOT IN ('MostAvailable')", r));
  Record empty = Image({{"Id", "0JRxx0000000001AAA"}, {"RoutingModel", std::nullopt}});
  CHECK(Where("RoutingModel NOT IN ('LeastActive')", empty));
  CHECK_FALSE(Where("RoutingModel IN ('LeastActive')", empty));
  CHECK(Where("RoutingModel IN ('LeastActive', null)", empty));
  CHECK_FALSE(Where("RoutingModel NOT IN ('LeastActive', null)", empty));
  CHECK_FALSE(Where("LastDeclinedAgentSession LIKE '%'", empty));
}

TEST_CASE("AND, OR and NOT") {
  Record r = Image({{"Id", "0JRxx0000000001AAA"}, {"Serial", "1"}, {"IsPushed", "true"}});
  CHECK(Where("Serial = 1 AND IsPushed = true", r));
  CHECK_FALSE(Where("Serial = 2 AND IsPushed = true", r));
  CHECK(Where("Serial = 2 OR IsPushed = true", r));
  CHECK(Where("NOT Serial = 2", r));
  CHECK_FALSE(Where("NOT (Serial = 1 AND IsPushed = true)", r));
  CHECK(Where("NOT Serial < 0", Image({{"Id", "0JRxx0000000001AAA"}})));  // NOT unknown: true
}

TEST_CASE("date literals are the bounds the binder gave them") {
  // kTestNow is 2026-11-25T10:00:00Z.
  Record today = Image({{"Id", "0JRxx0000000001AAA"}, {"CreatedDate", "2026-11-25T23:59:59.000Z"}});
  Record yesterday =
      Image({{"Id", "0JRxx0000000001AAA"}, {"CreatedDate", "2026-11-24T08:00:00.000Z"}});
  CHECK(Where("CreatedDate = TODAY", today));
  CHECK_FALSE(Where("CreatedDate = TODAY", yesterday));
  CHECK(Where("CreatedDate < TODAY", yesterday));
  CHECK(Where("CreatedDate = LAST_N_DAYS:3", yesterday));
  CHECK(Where("CreatedDate != TODAY", yesterday));
  CHECK(Where("CreatedDate != TODAY", Image({{"Id", "0JRxx0000000001AAA"}})));
}

TEST_CASE("relationships and semi-joins are not evaluable in memory") {
  std::string why;
  soql::QueryPlan rel = Plan("SELECT Id FROM AgentWork WHERE ServiceChannel.DeveloperName = 'x'");
  CHECK_FALSE(soql::InMemoryEvaluable(*rel.where, &why));
  CHECK(why == "relationship");
  soql::QueryPlan semi =
      Plan("SELECT Id FROM AgentWork WHERE UserId IN (SELECT UserId FROM UserServicePresence)");
  CHECK_FALSE(soql::InMemoryEvaluable(*semi.where, &why));
  CHECK(why == "semi join");
  CHECK_FALSE(soql::Matches(*semi.where, Image({})));
}

TEST_CASE("DateTimeMillis reads every offset form") {
  CHECK(soql::DateTimeMillis("1970-01-01T00:00:00.000Z") == 0);
  CHECK(soql::DateTimeMillis("1970-01-01T00:00:01.5Z") == 1500);
  CHECK(soql::DateTimeMillis("1970-01-01T01:00:00+01:00") == 0);
  CHECK(soql::DateTimeMillis("1970-01-01T00:00:00-0100") == 3600000);
  CHECK_FALSE(soql::DateTimeMillis("1970-01-01"));
  CHECK_FALSE(soql::DateTimeMillis("1970-01-01T00:00:00Zjunk"));
}

}  // namespace
}  // namespace omni
