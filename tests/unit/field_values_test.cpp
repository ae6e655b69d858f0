// Field values (server/dispatcher/field_values.h): every catalog type's parsing, canonical form
// and Salesforce error.
#include "server/dispatcher/field_values.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/unit/test_paths.h"

namespace omni {
namespace {

FieldDef Field(FieldType type, const std::string& name = "Thing", int length = 0) {
  FieldDef f;
  f.name = name;
  f.label = name + " Label";
  f.type = type;
  f.length = length;
  if (type == FieldType::kDouble || type == FieldType::kPercent) {
    f.precision = 18;
    f.scale = 2;
  }
  return f;
}

// The canonical value, or "ERR:<STATUS_CODE>".
std::string Norm(const FieldDef& f, const std::string& raw) {
  Error error{StatusCode::kMissingArgument, "", {}};
  auto v = NormalizeValue(f, raw, &error);
  if (v) return *v;
  return std::string("ERR:") + StatusCodeName(error.code);
}

Error ErrorOf(const FieldDef& f, const std::string& raw) {
  Error error{StatusCode::kMissingArgument, "", {}};
  auto v = NormalizeValue(f, raw, &error);
  CHECK_FALSE(v);
  return error;
}

TEST_CASE("booleans take xsd:boolean's four spellings") {
  FieldDef f = Field(FieldType::kBoolean, "IsAway");
  CHECK(Norm(f, "true") == "true");
  CHECK(Norm(f, "1") == "true");
  CHECK(Norm(f, "false") == "false");
  CHECK(Norm(f, "0") == "false");
  for (const char* bad : {"", "yes", "no", "2", "t", "truee", " true"}) {
    CAPTURE(bad);
    CHECK(Norm(f, bad) == "ERR:INVALID_TYPE_ON_FIELD_IN_RECORD");
  }
  Error e = ErrorOf(f, "yes");
  CHECK(e.message == "IsAway Label: value not of required type: yes");
  CHECK(e.fields == std::vector<std::string>{"IsAway"});
}

TEST_CASE("int is a 32-bit signed integer") {
  FieldDef f = Field(FieldType::kInt, "Capacity");
  CHECK(Norm(f, "0") == "0");
  CHECK(Norm(f, "42") == "42");
  CHECK(Norm(f, "-7") == "-7");
  CHECK(Norm(f, "+5") == "5");
  CHECK(Norm(f, "007") == "7");
  CHECK(Norm(f, "2147483647") == "2147483647");
  CHECK(Norm(f, "-2147483648") == "-2147483648");
  CHECK(Norm(f, "2147483648") == "ERR:NUMBER_OUTSIDE_VALID_RANGE");
  CHECK(Norm(f, "-2147483649") == "ERR:NUMBER_OUTSIDE_VALID_RANGE");
  CHECK(Norm(f, "99999999999999999999999").rfind("ERR:", 0) == 0);
  for (const char* bad : {"", "abc", "1.5", "1e3", "12abc", "0x10", "--1"}) {
    CAPTURE(bad);
    CHECK(Norm(f, bad) == "ERR:INVALID_TYPE_ON_FIELD_IN_RECORD");
  }
  Error range = ErrorOf(f, "2147483648");
  CHECK(range.message ==
        "Capacity Label: value outside of valid range on numeric field: "
        "2147483648");
  CHECK(range.fields == std::vector<std::string>{"Capacity"});
}

TEST_CASE("double and percent parse decimals within precision - scale digits") {
  for (FieldType type : {FieldType::kDouble, FieldType::kPercent}) {
    FieldDef f = Field(type, "CapacityWeight");
    CHECK(Norm(f, "12.5") == "12.5");
    CHECK(Norm(f, "-0.25") == "-0.25");
    CHECK(Norm(f, "3") == "3");
    CHECK(Norm(f, "1e3") == "1e3");
    CHECK(Norm(f, "999999999999999.99") == "999999999999999.99");
    // 16 integer digits (9999999999999999 itself rounds to 1e16 as a double).
    CHECK(Norm(f, "9999999999999998") == "9999999999999998");
    CHECK(Norm(f, "10000000000000000") == "ERR:NUMBER_OUTSIDE_VALID_RANGE");
    CHECK(Norm(f, "-1e16") == "ERR:NUMBER_OUTSIDE_VALID_RANGE");
    for (const char* bad : {"", "abc", "1.2.3", "12,5", "inf", "-inf", "nan", "1e999", " 1"}) {
      CAPTURE(bad);
      CHECK(Norm(f, bad) == "ERR:INVALID_TYPE_ON_FIELD_IN_RECORD");
    }
  }
}

TEST_CASE("datetimes become canonical UTC with milliseconds") {
  CHECK(CanonicalDateTime("2026-11-25T10:00:00Z") ==
        std::optional<std::string>("2026-11-25T10:00:00.000Z"));
  CHECK(CanonicalDateTime("2026-11-25T10:00:00.5Z") ==
        std::optional<std::string>("2026-11-25T10:00:00.500Z"));
  CHECK(CanonicalDateTime("2026-11-25T10:00:00.123Z") ==
        std::optional<std::string>("2026-11-25T10:00:00.123Z"));
  CHECK(CanonicalDateTime("2026-11-25T10:00:00.123456Z") ==
        std::optional<std::string>("2026-11-25T10:00:00.123Z"));
  // Offsets are applied, across day, month and year boundaries.
  CHECK(CanonicalDateTime("2026-11-25T10:00:00+02:00") ==
        std::optional<std::string>("2026-11-25T08:00:00.000Z"));
  CHECK(CanonicalDateTime("2026-11-25T10:00:00.250-05:30") ==
        std::optional<std::string>("2026-11-25T15:30:00.250Z"));
  CHECK(CanonicalDateTime("2026-12-31T22:00:00-05:00") ==
        std::optional<std::string>("2027-01-01T03:00:00.000Z"));
  CHECK(CanonicalDateTime("2026-03-01T01:00:00+02:00") ==
        std::optional<std::string>("2026-02-28T23:00:00.000Z"));
  CHECK(CanonicalDateTime("2024-03-01T00:30:00+01:00") ==
        std::optional<std::string>("2024-02-29T23:30:00.000Z"));
  CHECK(CanonicalDateTime("2026-11-25T10:00:00+00:00") ==
        std::optional<std::string>("2026-11-25T10:00:00.000Z"));
  // Without a zone the time is taken as UTC; a bare date is midnight UTC.
  CHECK(CanonicalDateTime("2026-11-25T10:00:00") ==
        std::optional<std::string>("2026-11-25T10:00:00.000Z"));
  CHECK(CanonicalDateTime("2026-11-25") == std::optional<std::string>("2026-11-25T00:00:00.000Z"));
  CHECK(CanonicalDateTime("2024-02-29T12:00:00Z") ==
        std::optional<std::string>("2024-02-29T12:00:00.000Z"));
  CHECK(CanonicalDateTime("2000-02-29T12:00:00Z") ==
        std::optional<std::string>("2000-02-29T12:00:00.000Z"));

  for (const char* bad : {"",
                          "garbage",
                          "2026-11-25T10:00Z",
                          "2026-11-25 10:00:00Z",
                          "2026-02-30T00:00:00Z",
                          "2026-13-01T00:00:00Z",
                          "2026-00-10T00:00:00Z",
                          "2026-11-00T00:00:00Z",
                          "2100-02-29T00:00:00Z",
                          "2026-11-25T24:00:00Z",
                          "2026-11-25T10:60:00Z",
                          "2026-11-25T10:00:60Z",
                          "2026-11-25T10:00:00.Z",
                          "2026-11-25T10:00:00+0200",
                          "2026-11-25T10:00:00+02",
                          "2026-11-25T10:00:00ZZ",
                          "2026-11-25T10:00:00Zx",
                          "2026-11-25T10:00:00+15:00",
                          "26-11-25T10:00:00Z",
                          "2026/11/25"}) {
    CAPTURE(bad);
    CHECK_FALSE(CanonicalDateTime(bad));
  }

  FieldDef f = Field(FieldType::kDatetime, "AcceptDateTime");
  CHECK(Norm(f, "2026-11-25T10:00:00.1+01:00") == "2026-11-25T09:00:00.100Z");
  CHECK(Norm(f, "yesterday") == "ERR:INVALID_TYPE_ON_FIELD_IN_RECORD");
  Error e = ErrorOf(f, "yesterday");
  CHECK(e.message == "AcceptDateTime Label: value not of required type: yesterday");
  CHECK(e.fields == std::vector<std::string>{"AcceptDateTime"});
}

TEST_CASE("dates are YYYY-MM-DD calendar dates") {
  FieldDef f = Field(FieldType::kDate, "ActivityDate");
  CHECK(Norm(f, "2026-11-25") == "2026-11-25");
  CHECK(Norm(f, "2024-02-29") == "2024-02-29");
  for (const char* bad : {"", "2026-02-30", "2023-02-29", "2026-13-01", "20261125", "2026-1-25",
                          "2026-11-25x", "tomorrow"}) {
    CAPTURE(bad);
    CHECK(Norm(f, bad) == "ERR:INVALID_TYPE_ON_FIELD_IN_RECORD");
  }
}

TEST_CASE("text length counts characters, not bytes") {
  FieldDef f = Field(FieldType::kString, "Alias", 5);
  CHECK(Norm(f, "") == "");
  CHECK(Norm(f, "abcde") == "abcde");
  CHECK(Norm(f, "abcdef") == "ERR:STRING_TOO_LONG");
  // "héllo": 5 characters in 6 bytes; "日本語日本": 5 characters in 15 bytes; an emoji is one.
  CHECK(Norm(f, "h\xc3\xa9llo") == "h\xc3\xa9llo");
  CHECK(Norm(f, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac") ==
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac");
  CHECK(Norm(f, "abcd\xf0\x9f\x98\x80") == "abcd\xf0\x9f\x98\x80");
  CHECK(Norm(f, "h\xc3\xa9llo!") == "ERR:STRING_TOO_LONG");
  Error e = ErrorOf(f, "abcdef");
  CHECK(e.message == "Alias Label: data value too large: abcdef (max length=5)");
  CHECK(e.fields == std::vector<std::string>{"Alias"});

  // Every text-like type is checked the same way.
  for (FieldType type : {FieldType::kTextarea, FieldType::kEmail, FieldType::kPhone,
                         FieldType::kUrl, FieldType::kPicklist}) {
    FieldDef t = Field(type, "Text", 3);
    CHECK(Norm(t, "abc") == "abc");
    CHECK(Norm(t, "abcd") == "ERR:STRING_TOO_LONG");
  }
  // No length: no limit.
  FieldDef unlimited = Field(FieldType::kString, "Free", 0);
  CHECK(Norm(unlimited, std::string(100000, 'x')) == std::string(100000, 'x'));
}

TEST_CASE("restricted picklists take only their values; others take any text") {
  FieldDef f = Field(FieldType::kPicklist, "RelatedEntity", 255);
  f.restricted_picklist = true;
  f.picklist_values = {"Case", "Lead", "LiveChatTranscript"};
  CHECK(Norm(f, "Case") == "Case");
  CHECK(Norm(f, "LiveChatTranscript") == "LiveChatTranscript");
  CHECK(Norm(f, "Account") == "ERR:INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CHECK(Norm(f, "") == "ERR:INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  Error e = ErrorOf(f, "Account");
  CHECK(e.message == "RelatedEntity Label: bad value for restricted picklist field: Account");
  CHECK(e.fields == std::vector<std::string>{"RelatedEntity"});

  f.restricted_picklist = false;
  CHECK(Norm(f, "Account") == "Account");

  // The same through the real catalog.
  std::string error;
  auto catalog = Catalog::Load(testing::SourcePath("wsdl/catalog.xml"), &error);
  REQUIRE(catalog);
  const FieldDef* related = catalog->FindObject("ServiceChannel")->FindField("RelatedEntity");
  CHECK(Norm(*related, "Case") == "Case");
  CHECK(Norm(*related, "Opportunity") == "ERR:INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  const FieldDef* status = catalog->FindObject("AgentWork")->FindField("Status");
  for (const auto& v : status->picklist_values) CHECK(Norm(*status, v) == v);
  CHECK(Norm(*status, "Pending") == "ERR:INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  const FieldDef* origin = catalog->FindObject("Case")->FindField("Origin");
  CHECK(Norm(*origin, "Carrier Pigeon") == "Carrier Pigeon");
}

TEST_CASE("ids and references become 18-character Ids") {
  for (FieldType type : {FieldType::kId, FieldType::kReference}) {
    FieldDef f = Field(type, "UserId", 18);
    CHECK(Norm(f, "00558000001N0Ke") == "00558000001N0KeAAK");
    CHECK(Norm(f, "00558000001N0KeAAK") == "00558000001N0KeAAK");
    CHECK(Norm(f, "00558000001N0Keaak") == "00558000001N0KeAAK");
    for (const char* bad :
         {"", "abc", "00558000001N0KeAAA", "00558000001N0Ke!", "00558000001N0K"}) {
      CAPTURE(bad);
      CHECK(Norm(f, bad) == "ERR:MALFORMED_ID");
    }
    Error e = ErrorOf(f, "abc");
    CHECK(e.message == "UserId Label: id value of incorrect type: abc");
    CHECK(e.fields == std::vector<std::string>{"UserId"});
  }
}

}  // namespace
}  // namespace omni
