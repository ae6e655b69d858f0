// The change-log image reader (core/json_text.h): every value the writer escapes, and what
// PostgreSQL's jsonb prints, reads back as it was written.
#include "server/core/json_text.h"

#include <doctest/doctest.h>

namespace omni {
namespace {

TEST_CASE("json: an image written with AppendJsonString reads back value for value") {
  const std::string values[] = {"plain",
                                "quote \" and \\ backslash",
                                "line\nbreak\rreturn\ttab",
                                std::string("bell\x07 unit\x1f", 12),
                                "é ü 中文 😀",
                                ""};
  std::string json = "{";
  for (size_t i = 0; i < std::size(values); ++i) {
    if (i) json += ", ";
    AppendJsonString("F" + std::to_string(i), &json);
    json += ": ";
    AppendJsonString(values[i], &json);
  }
  json += ", \"Nothing\": null}";
  auto read = ParseFlatJsonObject(json);
  REQUIRE(read);
  REQUIRE(read->size() == std::size(values) + 1);
  for (size_t i = 0; i < std::size(values); ++i) {
    CHECK((*read)[i].first == "F" + std::to_string(i));
    CHECK((*read)[i].second == std::optional<std::string>(values[i]));
  }
  CHECK((*read)[std::size(values)].second == std::nullopt);
}

TEST_CASE("json: \\u escapes, surrogate pairs and every short escape decode to UTF-8") {
  auto read = ParseFlatJsonObject(
      R"({"A": "\u00e9\u4e2d\ud83d\ude00", "B": "\b\f\/\u0001", "N": 12.5, "T": true})");
  REQUIRE(read);
  CHECK((*read)[0].second == std::optional<std::string>("é中😀"));
  CHECK((*read)[1].second == std::optional<std::string>("\b\f/\x01"));
  CHECK((*read)[2].second == std::optional<std::string>("12.5"));
  CHECK((*read)[3].second == std::optional<std::string>("true"));
}

TEST_CASE("json: text that is not a flat object of strings is refused, not half read") {
  for (const char* bad : {"", "[]", "{\"A\": \"open", "{\"A\": \"\\ud83d\"}", "{\"A\": \"\\x\"}",
                          "{\"A\" \"B\"}", "{\"A\": \"B\"} trailing", "{\"A\": \"\\u12\"}"}) {
    INFO(bad);
    CHECK_FALSE(ParseFlatJsonObject(bad));
  }
  auto empty = ParseFlatJsonObject(" { } ");
  REQUIRE(empty);
  CHECK(empty->empty());
}

}  // namespace
}  // namespace omni
