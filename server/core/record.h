// Record: one sObject as the dispatcher, storage and adapters exchange it, free of any wire format.
//
// Values are kept in their canonical text form (as the SOAP API writes them: "true", "12.5",
// "2026-11-25T10:00:00.000Z"); std::nullopt is null. Field names use the catalog's spelling once a
// record has been resolved against the catalog. Plain data; thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace omni {

using Value = std::optional<std::string>;

struct Record {
  std::string type;                                   // sObject type name, as given or as resolved
  std::vector<std::pair<std::string, Value>> fields;  // in the order given or selected
  std::vector<std::string> fields_to_null;            // only on input (create/update/upsert)

  // The value of a field by exact name, or nullptr when the record does not carry it.
  const Value* Find(const std::string& name) const {
    for (const auto& f : fields) {
      if (f.first == name) return &f.second;
    }
    return nullptr;
  }
  void Set(const std::string& name, Value v) {
    for (auto& f : fields) {
      if (f.first == name) {
        f.second = std::move(v);
        return;
      }
    }
    fields.emplace_back(name, std::move(v));
  }
};

}  // namespace omni
