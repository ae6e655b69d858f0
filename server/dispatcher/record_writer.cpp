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

// Runs fn in a savepoint of the call's transaction: released on success, rolled back otherwise.
template <typename Fn>
auto InSavepoint(storage::Tx& tx, Fn fn) {
  tx.Savepoint();
  try {
    auto ok = fn();
    if (ok)
      tx.ReleaseSavepoint();
    else
      tx.RollbackToSavepoint();
    return ok;
  } catch (...) {
    tx.RollbackToSavepoint();
    throw;
  }
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
  return InSavepoint(scope_.tx, [&] { return InsertRecord(scope_, *obj, rec, error); });
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
  return InSavepoint(scope_.tx, [&] {
    auto before = LoadForWrite(scope_, obj, id, false, error);
    return before && UpdateRecord(scope_, obj, *before, changes, error);
  });
}

}  // namespace omni
