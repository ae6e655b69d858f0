// JSON string literals for the few JSON texts the emulator writes itself (change-log images,
// the change long-poll's pages). Pure; thread-safe.
#pragma once

#include <string>

namespace omni {

// Appends s as a JSON string literal ("..." with ", \ and control characters escaped).
void AppendJsonString(const std::string& s, std::string* out);
inline std::string JsonString(const std::string& s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

}  // namespace omni
