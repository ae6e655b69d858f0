// The SOQL binder (server/soql/binder.h) driven by the catalog: Filter/Sort/Group enforcement for
// every field of every queryable object, relationships, aggregates, typed values, date literals.
#include <doctest/doctest.h>

#include <regex>

#include "server/soql/date_literals.h"
#include "tests/unit/soql_test_util.h"

namespace omni {
namespace {

using testing::CompileSoql;
using testing::SoqlCatalog;

// A variant of the real catalog with every occurrence of a property or call removed.
std::shared_ptr<const Catalog> CatalogWithout(const std::string& pattern) {
  std::string xml = testing::ReadText(testing::SourcePath("wsdl/catalog.xml"));
  xml = std::regex_replace(xml, std::regex(pattern), "");
  testing::TempFile file(xml);
  std::string error;
  auto c = Catalog::Load(file.path(), &error);
  INFO(error);
  REQUIRE(c);
  return c;
}

TEST_CASE("WHERE, ORDER BY and GROUP BY follow Filter, Sort and Group for every field") {
  auto catalog = SoqlCatalog();
  int checked = 0;
  for (const auto& obj : catalog->objects()) {
    if (!obj.Supports(Call::kQuery)) continue;
    for (const auto& f : obj.fields) {
      CAPTURE(obj.name);
      CAPTURE(f.name);
      auto where = CompileSoql("SELECT Id FROM " + obj.name + " WHERE " + f.name + " = null");
      CHECK(where.has_value() == !f.filterable);
      if (where) {
        CHECK(where->code == ExceptionCode::kInvalidField);
        CHECK(where->message.find("field '" + f.name + "' can not be filtered in query call") !=
              std::string::npos);
      }
      auto order = CompileSoql("SELECT Id FROM " + obj.name + " ORDER BY " + f.name);
      CHECK(order.has_value() == !f.sortable);
      if (order) {
        CHECK(order->code == ExceptionCode::kMalformedQuery);
        CHECK(order->message.find("field '" + f.name + "' can not be sorted in a query call") !=
              std::string::npos);
        CHECK(order->column == 26 + static_cast<int>(obj.name.size()));
      }
      auto group = CompileSoql("SELECT " + f.name + " FROM " + obj.name + " GROUP BY " + f.name);
      CHECK(group.has_value() == !f.groupable);
      if (group) {
        CHECK(group->code == ExceptionCode::kMalformedQuery);
        CHECK(group->message.find("field '" + f.name + "' can not be grouped in a query call") !=
              std::string::npos);
      }
      ++checked;
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("a catalog without Filter, Sort or Group refuses every field accordingly") {
  auto no_filter = CatalogWithout(R"(\bFilter\b)");
  auto no_sort = CatalogWithout(R"(\bSort\b)");
  auto no_group = CatalogWithout(R"(\bGroup(?= |"))");
  for (const auto& obj : no_filter->objects()) {
    for (const auto& f : obj.fields) {
      CAPTURE(obj.name + "." + f.name);
      CHECK(CompileSoql("SELECT Id FROM " + obj.name + " WHERE " + f.name + " = null", nullptr,
                        no_filter.get()));
      CHECK(CompileSoql("SELECT Id FROM " + obj.name + " ORDER BY " + f.name, nullptr,
                        no_sort.get()));
      CHECK(CompileSoql("SELECT " + f.name + " FROM " + obj.name + " GROUP BY " + f.name, nullptr,
                        no_group.get()));
    }
  }
}

TEST_CASE("an object whose calls lack query is INVALID_TYPE") {
  auto no_query = CatalogWithout(R"(\bquery\b)");
  auto f = CompileSoql("SELECT Id FROM ServiceChannel", nullptr, no_query.get());
  REQUIRE(f);
  CHECK(f->code == ExceptionCode::kInvalidType);
  CHECK(f->column == 16);
}

TEST_CASE("parent relationships, several hops, and the polymorphic Owner") {
  soql::QueryPlan plan;
  REQUIRE_FALSE(
      CompileSoql("SELECT Id, CreatedBy.Name, ServiceChannel.CreatedBy.Name, "
                  "ServiceChannel.DeveloperName FROM QueueRoutingConfig",
                  &plan));
  CHECK(plan.select[2].expr.ref.hops.size() == 2);
  CHECK(plan.select[2].expr.ref.Path() == "ServiceChannel.CreatedBy.Name");
  // Parent Ids for CreatedBy, ServiceChannel, ServiceChannel.CreatedBy.
  CHECK(plan.parent_id_columns.size() == 3);
  CHECK(plan.columns.size() == 7);
  REQUIRE_FALSE(CompileSoql("SELECT Owner.Id FROM PendingServiceRouting", &plan));
  CHECK(plan.select[0].expr.ref.hops[0].polymorphic);
  // Fields every target has (User.Name, Group.Name) are readable through Owner; others not.
  REQUIRE_FALSE(
      CompileSoql("SELECT Owner.Name FROM PendingServiceRouting WHERE Owner.Name "
                  "LIKE 'a%' ORDER BY Owner.Name",
                  &plan));
  CHECK(plan.select[0].expr.ref.hops[0].targets.size() == 2);
  auto type = CompileSoql("SELECT Owner.Type FROM PendingServiceRouting");
  REQUIRE(type);
  CHECK(type->code == ExceptionCode::kInvalidField);
  CHECK(type->message.find("No such column 'Type' on entity 'Name'") != std::string::npos);
  CHECK(CompileSoql("SELECT Owner.Profile.Name FROM PendingServiceRouting"));
  auto rel = CompileSoql("SELECT Nope.Name FROM PendingServiceRouting");
  REQUIRE(rel);
  CHECK(rel->message.find("Didn't understand relationship 'Nope' in field path.") !=
        std::string::npos);
  CHECK(rel->column == 8);
  // The object's own name may prefix a field.
  REQUIRE_FALSE(CompileSoql("SELECT ServiceChannel.MasterLabel FROM ServiceChannel", &plan));
  CHECK(plan.select[0].expr.ref.hops.empty());
}

TEST_CASE("aggregates: names, grouping rules and COUNT()") {
  soql::QueryPlan plan;
  REQUIRE_FALSE(
      CompileSoql("SELECT RoutingModel, COUNT(Id) total, MAX(PushTimeout), "
                  "AVG(RoutingPriority) FROM QueueRoutingConfig GROUP BY RoutingModel "
                  "HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC",
                  &plan));
  CHECK(plan.aggregate);
  CHECK(plan.select[0].name == "RoutingModel");
  CHECK(plan.select[1].name == "total");
  CHECK(plan.select[2].name == "expr0");
  CHECK(plan.select[3].name == "expr1");
  REQUIRE_FALSE(
      CompileSoql("SELECT RoutingModel model, COUNT(Id) FROM QueueRoutingConfig GROUP "
                  "BY RoutingModel",
                  &plan));
  CHECK(plan.select[0].name == "model");
  CHECK(plan.select[1].name == "expr0");
  REQUIRE_FALSE(CompileSoql("SELECT COUNT() FROM AgentWork", &plan));
  CHECK(plan.count_only);
  auto ungrouped = CompileSoql("SELECT DeveloperName, COUNT(Id) FROM QueueRoutingConfig");
  REQUIRE(ungrouped);
  CHECK(ungrouped->message.find("Field must be grouped or aggregated: DeveloperName") !=
        std::string::npos);
  CHECK(CompileSoql("SELECT COUNT(), Id FROM AgentWork"));
  CHECK(CompileSoql("SELECT SUM(DeveloperName) FROM QueueRoutingConfig"));
  CHECK(CompileSoql("SELECT Id, Id FROM AgentWork"));
  CHECK(CompileSoql("SELECT COUNT(Id) FROM AgentWork ORDER BY Id"));
  CHECK_FALSE(CompileSoql("SELECT COUNT_DISTINCT(UserId), MIN(CreatedDate) FROM AgentWork"));
}

TEST_CASE("values must fit their field") {
  struct Case {
    const char* where;
    const char* code;
  } cases[] = {
      {"Id = 'ZZZ'", "INVALID_QUERY_FILTER_OPERATOR"},
      {"Id = 5", "INVALID_FIELD"},
      {"RoutingPriority = '5'", "INVALID_FIELD"},
      {"DeveloperName = 5", "INVALID_FIELD"},
      {"IsDeleted = 'true'", "INVALID_FIELD"},
      {"IsDeleted < true", "INVALID_QUERY_FILTER_OPERATOR"},
      {"CreatedDate = 2026-11-25", "INVALID_FIELD"},
      {"CreatedDate = 2026-13-01T00:00:00Z", "INVALID_QUERY_FILTER_OPERATOR"},
      {"CreatedDate = 'TODAY'", "INVALID_FIELD"},
      {"RoutingPriority = TODAY", "INVALID_FIELD"},
      {"CreatedDate = LAST_N_DAYS", "MALFORMED_QUERY"},
      {"CreatedDate = NOT_A_LITERAL", "MALFORMED_QUERY"},
      {"RoutingPriority LIKE '5'", "INVALID_QUERY_FILTER_OPERATOR"},
      {"DeveloperName = 'a\\%'", "MALFORMED_QUERY"},
      {"DeveloperName = 'a\\q'", "MALFORMED_QUERY"},
      {"DeveloperName < null", "INVALID_QUERY_FILTER_OPERATOR"},
      {"COUNT(Id) > 1", "MALFORMED_QUERY"},
  };
  for (const auto& c : cases) {
    std::string q = std::string("SELECT Id FROM QueueRoutingConfig WHERE ") + c.where;
    CAPTURE(q);
    auto f = CompileSoql(q);
    REQUIRE(f);
    CHECK(std::string(ExceptionCodeName(f->code)) == c.code);
    CHECK(f->row == 1);
    CHECK(f->column > 0);
  }
  for (const char* ok :
       {"Id = '0K98W000000000J'", "Id = null", "Id IN ('0K98W000000000JSAQ', null)",
        "RoutingPriority >= -3.5", "IsDeleted = false", "DeveloperName LIKE '%a\\_b%'",
        "CreatedDate >= 2026-11-25T10:00:00.123-05:30", "NOT DeveloperName = 'x'",
        "((DeveloperName = 'a' OR DeveloperName = 'b') AND RoutingPriority != 2)",
        "ServiceChannelId IN (SELECT Id FROM ServiceChannel WHERE MasterLabel = 'x')",
        "ServiceChannelId NOT IN (SELECT Id FROM ServiceChannel)", "CreatedDate = LAST_N_DAYS:30",
        "CreatedDate > N_DAYS_AGO:2", "ServiceChannel.DeveloperName != 'x'"}) {
    std::string q = std::string("SELECT Id FROM QueueRoutingConfig WHERE ") + ok;
    CAPTURE(q);
    auto f = CompileSoql(q);
    CHECK_FALSE(f);
    if (f) MESSAGE(f->message);
  }
  CHECK(
      CompileSoql("SELECT Id FROM QueueRoutingConfig WHERE ServiceChannelId IN (SELECT "
                  "MasterLabel FROM ServiceChannel)"));
  CHECK(
      CompileSoql("SELECT Id FROM QueueRoutingConfig WHERE ServiceChannelId IN (SELECT Id "
                  "FROM ServiceChannel WHERE Id IN (SELECT ServiceChannelId FROM AgentWork))"));
}

TEST_CASE("OFFSET above 2000 is NUMBER_OUTSIDE_VALID_RANGE, as the SOQL reference says") {
  CHECK_FALSE(CompileSoql("SELECT Id FROM AgentWork LIMIT 10 OFFSET 2000"));
  auto f = CompileSoql("SELECT Id FROM AgentWork OFFSET 2001");
  REQUIRE(f);
  CHECK(f->code == ExceptionCode::kNumberOutsideValidRange);
  CHECK(f->message.find("Maximum SOQL offset allowed is 2000") != std::string::npos);
}

TEST_CASE("date literals are UTC day ranges relative to now (2026-11-25, a Wednesday)") {
  auto range = [](const char* name, std::optional<int> n = std::nullopt) {
    auto r = soql::DateLiteralRange(name, n, testing::kTestNow);
    REQUIRE(r);
    return r->lower + ".." + r->upper;
  };
  CHECK(range("TODAY") == "2026-11-25..2026-11-26");
  CHECK(range("YESTERDAY") == "2026-11-24..2026-11-25");
  CHECK(range("TOMORROW") == "2026-11-26..2026-11-27");
  CHECK(range("THIS_WEEK") == "2026-11-22..2026-11-29");
  CHECK(range("LAST_WEEK") == "2026-11-15..2026-11-22");
  CHECK(range("NEXT_WEEK") == "2026-11-29..2026-12-06");
  CHECK(range("THIS_MONTH") == "2026-11-01..2026-12-01");
  CHECK(range("LAST_MONTH") == "2026-10-01..2026-11-01");
  CHECK(range("NEXT_MONTH") == "2026-12-01..2027-01-01");
  CHECK(range("LAST_90_DAYS") == "2026-08-27..2026-11-26");
  CHECK(range("NEXT_90_DAYS") == "2026-11-26..2027-02-24");
  CHECK(range("THIS_QUARTER") == "2026-10-01..2027-01-01");
  CHECK(range("LAST_QUARTER") == "2026-07-01..2026-10-01");
  CHECK(range("NEXT_QUARTER") == "2027-01-01..2027-04-01");
  CHECK(range("THIS_YEAR") == "2026-01-01..2027-01-01");
  CHECK(range("LAST_YEAR") == "2025-01-01..2026-01-01");
  CHECK(range("NEXT_YEAR") == "2027-01-01..2028-01-01");
  CHECK(range("LAST_N_DAYS", 7) == "2026-11-18..2026-11-26");
  CHECK(range("NEXT_N_DAYS", 7) == "2026-11-26..2026-12-03");
  CHECK(range("N_DAYS_AGO", 3) == "2026-11-22..2026-11-23");
  CHECK(range("LAST_N_WEEKS", 2) == "2026-11-08..2026-11-22");
  CHECK(range("NEXT_N_WEEKS", 2) == "2026-11-29..2026-12-13");
  CHECK(range("LAST_N_MONTHS", 12) == "2025-11-01..2026-11-01");
  CHECK(range("NEXT_N_MONTHS", 2) == "2026-12-01..2027-02-01");
  CHECK(range("LAST_N_YEARS", 2) == "2024-01-01..2026-01-01");
  CHECK(range("NEXT_N_YEARS", 1) == "2027-01-01..2028-01-01");
  CHECK_FALSE(soql::DateLiteralRange("TODAY", 3, testing::kTestNow));
  CHECK_FALSE(soql::DateLiteralRange("LAST_N_DAYS", std::nullopt, testing::kTestNow));
  CHECK_FALSE(soql::DateLiteralRange("SOMEDAY", std::nullopt, testing::kTestNow));
  // Leap years and month ends.
  CHECK(soql::CivilFromDays(soql::DaysFromCivil(2024, 2, 29)) == "2024-02-29");
  CHECK(soql::DaysFromCivil(1970, 1, 1) == 0);
}

TEST_CASE("date literals in IN lists are ranges: IN any of them, NOT IN none") {
  soql::QueryPlan plan;
  REQUIRE_FALSE(CompileSoql(
      "SELECT Id FROM AgentWork WHERE CreatedDate IN (TODAY, 2026-01-01T00:00:00Z, LAST_WEEK)",
      &plan));
  REQUIRE(plan.where);
  CHECK(plan.where->kind == soql::Condition::Kind::kOr);
  REQUIRE(plan.where->children.size() == 3);
  CHECK(plan.where->children[0].op == soql::CmpOp::kIn);
  CHECK(plan.where->children[1].range);
  REQUIRE_FALSE(
      CompileSoql("SELECT Id FROM AgentWork WHERE CreatedDate NOT IN (YESTERDAY)", &plan));
  CHECK(plan.where->range);
  CHECK(plan.where->op == soql::CmpOp::kNe);
  CHECK(CompileSoql("SELECT Id FROM AgentWork WHERE Status IN (TODAY)"));
}

TEST_CASE("a datetime field compared with a date literal compares with UTC datetime bounds") {
  soql::QueryPlan plan;
  REQUIRE_FALSE(CompileSoql("SELECT Id FROM AgentWork WHERE CreatedDate = TODAY", &plan));
  REQUIRE(plan.where);
  CHECK(plan.where->range);
  CHECK(plan.where->values == std::vector<Value>{std::string("2026-11-25T00:00:00Z"),
                                                 std::string("2026-11-26T00:00:00Z")});
}

}  // namespace
}  // namespace omni
