// retrieve(): reads records by Id with a field list, reported like an internal SELECT.
#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "server/core/sf_id.h"
#include "server/dispatcher/call_support.h"

namespace omni {

Outcome<std::vector<std::optional<Record>>> Dispatcher::Retrieve(
    const CallContext& ctx, const std::string& field_list, const std::string& type,
    const std::vector<std::string>& ids) {
  using Result = Outcome<std::vector<std::optional<Record>>>;
  const ObjectDef* obj = catalog_->FindObject(type);
  if (!obj) return Result::Fail(InvalidTypeFault(type));
  if (!obj->Supports(Call::kRetrieve)) {
    return Result::Fail(Fault{ExceptionCode::kInvalidTypeForOperation, FaultKind::kApiFault,
                              "entity type " + obj->name + " does not support retrieve"});
  }
  if (ids.size() > static_cast<size_t>(kMaxRetrieveIds)) {
    return Result::Fail(ExceededIdLimitFault(kMaxRetrieveIds));
  }
  // retrieve() is reported as an internal SELECT: unknown fields get the SOQL-style position.
  std::string soql = "SELECT " + field_list + " FROM " + obj->name;
  std::vector<const FieldDef*> fields;
  size_t pos = 0;
  while (pos <= field_list.size()) {
    size_t comma = field_list.find(',', pos);
    if (comma == std::string::npos) comma = field_list.size();
    size_t b = pos, e = comma;
    while (b < e && std::isspace(static_cast<unsigned char>(field_list[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(field_list[e - 1]))) --e;
    std::string name = field_list.substr(b, e - b);
    if (!name.empty()) {
      const FieldDef* f = obj->FindField(name);
      if (!f) {
        Fault fault = NoSuchColumnFault(name, obj->name);
        int column = static_cast<int>(7 + b + 1);
        fault.message = "\n" + soql + "\n" + std::string(column - 1, ' ') +
                        "^\nERROR at Row:1:Column:" + std::to_string(column) + "\n" + fault.message;
        fault.row = 1;
        fault.column = column;
        return Result::Fail(fault);
      }
      if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
    }
    pos = comma + 1;
  }
  std::vector<std::string> normalized;
  for (const auto& raw : ids) {
    auto id = NormalizeId(raw);
    if (!id) {
      return Result::Fail(
          Fault{ExceptionCode::kMalformedId, FaultKind::kApiFault, "malformed id " + raw});
    }
    normalized.push_back(*id);
  }
  return Guarded<std::vector<std::optional<Record>>>("retrieve", [&]() {
    auto tx = store_->BeginReadOnly();
    std::vector<std::string> mine;
    for (const auto& id : normalized) {
      if (KeyPrefixOf(id) == obj->key_prefix) mine.push_back(id);
    }
    auto rows = tx->records().SelectByIds(ctx.org_id, *obj, mine, fields, false);
    // One answer per asked Id, in the order asked (an Id asked twice answers twice).
    std::unordered_map<std::string, const Record*> by_id;
    for (const auto& r : rows) {
      const Value* id = r.Find("Id");
      if (id && *id) by_id.emplace(**id, &r);
    }
    Result out;
    out.value.reserve(normalized.size());
    for (const auto& id : normalized) {
      auto it = by_id.find(id);
      out.value.push_back(it == by_id.end() ? std::nullopt : std::optional<Record>(*it->second));
    }
    return out;
  });
}

}  // namespace omni
