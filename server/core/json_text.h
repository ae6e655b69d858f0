// JSON string literals for the few JSON texts the emulator writes itself (change-log images,
// the change long-poll's pages), and the reader of those images. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace omni {

// Appends s as a JSON string literal ("..." with ", \ and control characters escaped).
void AppendJsonString(const std::string& s, std::string* out);
inline std::string JsonString(const std::string& s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

// Reads a flat JSON object of string and null values (a change-log image, as PostgreSQL's jsonb
// prints it) into (name, value) pairs in text order; every JSON escape is decoded, the
// four-hex-digit \u escapes (and their surrogate pairs) to UTF-8. A number, true or false is kept
// as its text. nullopt when the text is not such an object.
std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> ParseFlatJsonObject(
    const std::string& json);

}  // namespace omni
