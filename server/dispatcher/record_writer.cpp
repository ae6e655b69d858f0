#include "server/dispatcher/record_writer.h"

#include <stdexcept>

#include "server/dispatcher/call_support.h"

namespace omni {

namespace {

void CheckDepth(const WriteScope& s) {
  if (s.depth > kMaxListenerDepth) {
    throw std::runtime_error("change listeners nested their writes more than " +
                             std::to_string(kMaxListenerDepth) + " deep");
  }
}

// The outcome of a nested write as the listener sees it: the first error on failure.
bool Unpack(const RecordResult& r, Error* error) {
  if (!r.success && !r.errors.empty()) *error = r.errors[0];
  return r.success;
}

}  // namespace

std::optional<Record> ScopedRecordWriter::Read(const ObjectDef& obj, const std::string& id) {
  auto row = scope_.tx.records().LockRow(scope_.org_id, obj, id);
  if (!row || *row->Find("IsDeleted") == std::optional<std::string>("true")) return std::nullopt;
  return row;
}

std::optional<std::string> ScopedRecordWriter::Create(const Record& in, Error* error) {
  CheckDepth(scope_);
  Record rec = in;
  const ObjectDef* obj = nullptr;
  if (auto fault = ResolveRecord(scope_.catalog, &rec, &obj)) {
    *error = Error{StatusCode::kInvalidFieldFault, fault->message, {}};
    return std::nullopt;
  }
  RecordResult r = InSavepoint(scope_.tx, [&] { return InsertOne(scope_, *obj, rec); });
  if (!Unpack(r, error)) return std::nullopt;
  return r.id;
}

bool ScopedRecordWriter::Update(const ObjectDef& obj, const std::string& id,
                                const Record& changes_in, Error* error) {
  CheckDepth(scope_);
  Record changes = changes_in;
  changes.type = obj.name;
  const ObjectDef* resolved = nullptr;
  if (auto fault = ResolveRecord(scope_.catalog, &changes, &resolved)) {
    *error = Error{StatusCode::kInvalidFieldFault, fault->message, {}};
    return false;
  }
  // The same Id checks (MALFORMED_ID, the object's key prefix) as an update call's.
  return Unpack(InSavepoint(scope_.tx, [&] { return UpdateById(scope_, obj, id, changes); }),
                error);
}

}  // namespace omni
