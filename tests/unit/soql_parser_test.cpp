// The SOQL lexer and parser (server/soql/lexer.h, parser.h): positions, the fault layout of the
// real Salesforce captures (wire notes, section 2.1), keywords, literals and escapes.
#include <doctest/doctest.h>

#include "server/soql/lexer.h"
#include "server/soql/parser.h"
#include "server/soql/soql_error.h"
#include "tests/unit/soql_test_util.h"

namespace omni {
namespace {

using testing::CompileSoql;

std::string Excerpt(const std::string& line, int column, const std::string& message, int row = 1) {
  return "\n" + line + "\n" + std::string(static_cast<size_t>(column - 1), ' ') +
         "^\nERROR at Row:" + std::to_string(row) + ":Column:" + std::to_string(column) + "\n" +
         message;
}

TEST_CASE("a trailing WHERE is unexpected <EOF> at row 1 column 28, as captured") {
  const std::string q = "SELECT Id FROM Contact WHERE";
  auto f = CompileSoql(q);
  REQUIRE(f);
  CHECK(f->code == ExceptionCode::kMalformedQuery);
  CHECK(f->kind == FaultKind::kMalformedQueryFault);
  CHECK(f->row == 1);
  CHECK(f->column == 28);
  CHECK(f->message ==
        "\nSELECT Id FROM Contact WHERE\n                           ^\nERROR at "
        "Row:1:Column:28\nunexpected token: '<EOF>'");
}

TEST_CASE("a keyword where a field belongs is an unexpected token, positioned as captured") {
  auto f = CompileSoql("SELECT Id, FROM Bar__c");
  REQUIRE(f);
  CHECK(f->code == ExceptionCode::kMalformedQuery);
  CHECK(f->column == 11);
  CHECK(f->message == Excerpt("SELECT Id, FROM Bar__c", 11, "unexpected token: 'FROM'"));
}

TEST_CASE("an unknown object is INVALID_TYPE at the object's column") {
  auto f = CompileSoql("SELECT Id FROM no_such_object");
  REQUIRE(f);
  CHECK(f->code == ExceptionCode::kInvalidType);
  CHECK(f->kind == FaultKind::kInvalidSObjectFault);
  CHECK(f->message ==
        "\nSELECT Id FROM no_such_object\n               ^\nERROR at Row:1:Column:16\nsObject type "
        "'no_such_object' is not supported. If you are attempting to use a custom object, be sure "
        "to append the '__c' after the entity name. Please reference your WSDL or the describe "
        "call for the appropriate names.");
}

TEST_CASE("an unknown field is INVALID_FIELD at the field's column") {
  auto f = CompileSoql("SELECT Asdf FROM ServiceChannel");
  REQUIRE(f);
  CHECK(f->code == ExceptionCode::kInvalidField);
  CHECK(f->kind == FaultKind::kInvalidFieldFault);
  CHECK(f->row == 1);
  CHECK(f->column == 8);
  CHECK(f->message ==
        Excerpt("SELECT Asdf FROM ServiceChannel", 8,
                "No such column 'Asdf' on entity 'ServiceChannel'. If you are attempting to use a "
                "custom field, be sure to append the '__c' after the custom field name. Please "
                "reference your WSDL or the describe call for the appropriate names."));
}

TEST_CASE("a malformed Id in a filter is INVALID_QUERY_FILTER_OPERATOR at the field") {
  const std::string q = "SELECT Id FROM AgentWork WHERE Id = 'ZZZ'";
  auto f = CompileSoql(q);
  REQUIRE(f);
  CHECK(std::string(ExceptionCodeName(f->code)) == "INVALID_QUERY_FILTER_OPERATOR");
  CHECK(f->column == 32);
  CHECK(f->message == Excerpt(q, 32, "invalid ID field: ZZZ"));
}

TEST_CASE("positions count rows and UTF-8 characters; the excerpt is the error's line") {
  const std::string q =
      "SELECT Id,\n  MasterLabel\nFROM ServiceChannel\nWHERE MasterLabel = 'é' AND Nope = 1";
  auto f = CompileSoql(q);
  REQUIRE(f);
  CHECK(f->code == ExceptionCode::kInvalidField);
  CHECK(f->row == 4);
  CHECK(f->column == 29);
  CHECK(f->message.rfind("\nWHERE MasterLabel = 'é' AND Nope = 1\n" + std::string(28, ' ') +
                             "^\nERROR at Row:4:Column:29\nNo such column 'Nope'",
                         0) == 0);
  auto g = CompileSoql("SELECT Id\nFROM ServiceChannel\nWHERE");
  REQUIRE(g);
  CHECK(g->row == 3);
  CHECK(g->column == 5);
}

TEST_CASE("keywords and names are case-insensitive; names take the catalog's spelling") {
  soql::QueryPlan plan;
  auto f = CompileSoql(
      "select id, servicechannel.developername, MASTERLABEL from queueroutingconfig where "
      "routingpriority > 1 and developername like 'a%' order by masterlabel desc nulls last "
      "limit 5 offset 2",
      &plan);
  REQUIRE_FALSE(f);
  CHECK(plan.object->name == "QueueRoutingConfig");
  REQUIRE(plan.select.size() == 3);
  CHECK(plan.select[0].name == "Id");
  CHECK(plan.select[1].expr.ref.Path() == "ServiceChannel.DeveloperName");
  CHECK(plan.select[2].name == "MasterLabel");
  CHECK(plan.limit == 5);
  CHECK(plan.offset == 2);
  REQUIRE(plan.order_by.size() == 1);
  CHECK(plan.order_by[0].desc);
  CHECK_FALSE(plan.order_by[0].nulls_first);
}

TEST_CASE("lexer: literals and their kinds") {
  auto toks = soql::Lex(
      "'a\\'b' 12 -3.5 2026-11-25 2026-11-25T10:00:00Z 2026-11-25T10:00:00.123+02:00 <> != <= >= : "
      ".5");
  using soql::Tok;
  std::vector<Tok> kinds;
  for (const auto& t : toks) kinds.push_back(t.kind);
  CHECK(kinds == std::vector<Tok>{Tok::kString, Tok::kInteger, Tok::kMinus, Tok::kDecimal,
                                  Tok::kDate, Tok::kDateTime, Tok::kDateTime, Tok::kNe, Tok::kNe,
                                  Tok::kLe, Tok::kGe, Tok::kColon, Tok::kDecimal, Tok::kEof});
  CHECK(toks[0].text == "a\\'b");
  CHECK(toks[1].column == 8);
}

TEST_CASE("string escapes decode as SOQL defines them") {
  std::string out, bad;
  CHECK(soql::DecodeString("a\\'b\\\"c\\\\d\\ne\\rf\\tg\\bh\\fi\\u00e9", false, &out, &bad));
  CHECK(out == "a'b\"c\\d\ne\rf\tg\bh\fi\xc3\xa9");
  CHECK_FALSE(soql::DecodeString("\\q", false, &out, &bad));
  CHECK(bad == "\\q");
  CHECK_FALSE(soql::DecodeString("50\\%", false, &out, &bad));
  // In LIKE, \% and \_ stay escaped and a backslash is doubled for ILIKE ... ESCAPE '\'.
  CHECK(soql::DecodeString("50\\% \\_ \\\\ %", true, &out, &bad));
  CHECK(out == "50\\% \\_ \\\\ %");
  CHECK_FALSE(soql::DecodeString("\\u12", false, &out, &bad));
  CHECK_FALSE(soql::DecodeString("\\u0000", false, &out, &bad));
}

TEST_CASE("syntax errors: each gives MALFORMED_QUERY with an unexpected token") {
  struct Case {
    const char* soql;
    const char* token;
  } cases[] = {
      {"", "<EOF>"},
      {"SELECT", "<EOF>"},
      {"SELECT FROM ServiceChannel", "FROM"},
      {"SELECT Id ServiceChannel", "<EOF>"},
      {"SELECT Id Name FROM ServiceChannel", "Name"},
      {"SELECT Id FROM ServiceChannel WHERE Id", "<EOF>"},
      {"SELECT Id FROM ServiceChannel WHERE Id =", "<EOF>"},
      {"SELECT Id FROM ServiceChannel WHERE (Id = null", "<EOF>"},
      {"SELECT Id FROM ServiceChannel WHERE Id = null)", ")"},
      {"SELECT Id FROM ServiceChannel LIMIT", "<EOF>"},
      {"SELECT Id FROM ServiceChannel LIMIT 'a'", "'a'"},
      {"SELECT Id FROM ServiceChannel ORDER Id", "Id"},
      {"SELECT Id FROM ServiceChannel;", ";"},
      {"SELECT Id FROM ServiceChannel -- comment", "-"},
      {"SELECT Id FROM ServiceChannel /* c */", "/"},
      {"SELECT Id FROM ServiceChannel WHERE Id IN ()", ")"},
      {"SELECT toLabel(Id) FROM ServiceChannel", "("},
      {"SELECT MIN() FROM ServiceChannel", ")"},
      {"SELECT Id FROM ServiceChannel WHERE MasterLabel = 'x", "<EOF>"},
      {"SELECT Id FROM ServiceChannel WHERE Id = null AND Id = null OR Id = null", "OR"},
  };
  for (const auto& c : cases) {
    std::string soql = c.soql;
    CAPTURE(soql);
    auto f = CompileSoql(soql);
    REQUIRE(f);
    CAPTURE(f->message);
    CHECK(f->code == ExceptionCode::kMalformedQuery);
    CHECK(f->message.find(std::string("unexpected token: '") + c.token + "'") != std::string::npos);
  }
}

}  // namespace
}  // namespace omni
