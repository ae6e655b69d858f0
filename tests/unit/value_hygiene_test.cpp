// Values that PostgreSQL would refuse or that would break a later response are refused with
// Salesforce-shaped errors, and no error message echoes more than an excerpt of a value.
#include <doctest/doctest.h>
#include <stdsoap2.h>

#include <string>

#include "server/dispatcher/field_values.h"
#include "server/soap/records_xml.h"
#include "server/soql/date_literals.h"
#include "tests/unit/soql_test_util.h"

namespace omni {
namespace {

FieldDef Text(int length = 255) {
  FieldDef f;
  f.name = "Name";
  f.label = "Name";
  f.type = FieldType::kString;
  f.length = length;
  return f;
}

Error Refused(const FieldDef& f, const std::string& raw) {
  Error error{StatusCode::kMissingArgument, "", {}};
  auto v = NormalizeValue(f, raw, &error);
  CHECK_FALSE(v);
  return error;
}

}  // namespace

TEST_CASE("control characters and invalid UTF-8 never reach the database") {
  for (const std::string& bad :
       {std::string("a\x01z"), std::string("a") + '\0' + "z", std::string("\x1F"),
        std::string("a\xC0\xAFz"), std::string("\xED\xA0\x80"), std::string("\xE2\x82"),
        std::string("\xEF\xBF\xBF"), std::string("\xF5\x80\x80\x80")}) {
    CAPTURE(bad);
    Error e = Refused(Text(), bad);
    CHECK(e.code == StatusCode::kFieldIntegrityException);
    CHECK(e.fields == std::vector<std::string>{"Name"});
    CHECK(e.message.find("Name: value holds a character that is not allowed") == 0);
    // The message itself carries none of the offending bytes.
    CHECK(e.message.find(bad) == std::string::npos);
  }
  FieldDef number = Text();
  number.type = FieldType::kInt;
  CHECK(Refused(number, "1\x02").code == StatusCode::kFieldIntegrityException);
  Error ignored{StatusCode::kMissingArgument, "", {}};
  CHECK(NormalizeValue(Text(), "tab\tcr\rlf\n \xC3\xA9 \xF0\x9F\x98\x80", &ignored));
}

TEST_CASE("error messages quote at most an excerpt of the value") {
  std::string huge(1 << 20, 'x');
  Error e = Refused(Text(80), huge);
  CHECK(e.code == StatusCode::kStringTooLong);
  CHECK(e.message.size() < 400);
  CHECK(e.message.find(std::string(kMaxEchoedChars, 'x') + "... (max length=80)") !=
        std::string::npos);
  FieldDef number = Text();
  number.type = FieldType::kDouble;
  number.precision = 18;
  CHECK(Refused(number, huge).message.size() < 400);
  // Cut at a character boundary: multi-byte text stays valid UTF-8.
  std::string accents;
  for (int i = 0; i < 300; ++i) accents += "\xC3\xA9";
  CHECK(ValueExcerpt(accents) == accents.substr(0, 2 * kMaxEchoedChars) + "...");
  CHECK(ValueExcerpt("short") == "short");
}

TEST_CASE("date literals with huge N stay within valid dates") {
  for (const char* name : {"LAST_N_YEARS", "NEXT_N_YEARS", "LAST_N_MONTHS", "NEXT_N_QUARTERS",
                           "LAST_N_QUARTERS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS"}) {
    CAPTURE(name);
    auto r = soql::DateLiteralRange(name, 100000, testing::kTestNow);
    REQUIRE(r);
    CHECK(r->lower.size() == 10);
    CHECK(r->upper.size() == 10);
    CHECK(r->lower >= "0001-01-01");
    CHECK(r->upper <= "9999-12-31");
  }
  CHECK_FALSE(
      testing::CompileSoql("SELECT Id FROM AgentWork WHERE CreatedDate = LAST_N_YEARS:100000"));
  // Beyond six digits N is refused as the parser always did.
  auto f =
      testing::CompileSoql("SELECT Id FROM AgentWork WHERE CreatedDate = NEXT_N_DAYS:999999999");
  REQUIRE(f);
  CHECK(f->code == ExceptionCode::kMalformedQuery);
  f = testing::CompileSoql("SELECT Id FROM AgentWork WHERE CreatedDate > 99999-01-01T00:00:00Z");
  REQUIRE(f);
}

TEST_CASE("a SOQL fault shows a window of a long line, not the whole statement") {
  std::string soql =
      "SELECT Id FROM AgentWork WHERE Name = '" + std::string(50000, 'a') + "' AND Bogus__c = 1";
  auto f = testing::CompileSoql(soql);
  REQUIRE(f);
  CHECK(f->message.size() < 1000);
  CHECK(f->message.find("Bogus__c") != std::string::npos);
  // The caret still points at the error inside the shown window.
  size_t line_start = 1, line_end = f->message.find('\n', 1);
  std::string line = f->message.substr(line_start, line_end - line_start);
  size_t caret = f->message.find('^') - (line_end + 1);
  CHECK(line.substr(caret, 5) == "Bogus");
  f = testing::CompileSoql("SELECT Id FROM AgentWork WHERE Id = '" + std::string(50000, '1') + "'");
  REQUIRE(f);
  CHECK(f->message.size() < 1000);
}

TEST_CASE("a field value that holds an element is refused, not stored as empty") {
  struct soap* soap = soap_new1(SOAP_C_UTFSTRING);
  soap_dom_element name(soap, kPartnerSObjectNs, "Name");
  soap_dom_element bold(soap, "urn:x", "b", "x");
  soap_add_elt(&name, &bold);
  std::vector<soap_dom_element> fields{name};
  Record rec;
  auto fault = ReadFieldElements(fields, &rec);
  REQUIRE(fault);
  CHECK(fault->code == ExceptionCode::kUnknownException);
  CHECK(fault->message == "Unexpected element {urn:x}b during simple type deserialization");

  soap_dom_element plain(soap, kPartnerSObjectNs, "Name", "Acme");
  std::vector<soap_dom_element> ok{plain};
  Record good;
  CHECK_FALSE(ReadFieldElements(ok, &good));
  CHECK(good.fields.size() == 1);

  soap_dom_element account(soap, kEnterpriseSObjectNs, "sObjects");
  soap_att_text(soap_att(&account, kXsiNs, "type"), "Account");
  soap_add_elt(&account, &name);
  Record ent;
  fault = ReadEnterpriseSObject(account, &ent);
  REQUIRE(fault);
  CHECK(fault->message.find("Unexpected element") == 0);
  soap_destroy(soap);
  soap_end(soap);
  soap_free(soap);
}

}  // namespace omni
