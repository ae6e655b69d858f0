#include "server/dispatcher/record_writer.h"

#include <stdexcept>

#include "server/dispatcher/call_support.h"
#include "server/dispatcher/usage_rules.h"

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
  LockScopeFor(scope_, obj);
  auto row = scope_.tx.records().LockRow(scope_.org_id, obj, id);
  if (!row || *row->Find("IsDeleted") == std::optional<std::string>("true")) return std::nullopt;
  return row;
}

std::optional<Record> ScopedRecordWriter::Peek(const ObjectDef& obj, const std::string& id) {
  std::vector<const FieldDef*> fields;
  for (const auto& f : obj.fields) fields.push_back(&f);
  auto rows = scope_.tx.records().SelectByIds(scope_.org_id, obj, {id}, fields, false);
  if (rows.empty()) return std::nullopt;
  rows[0].type = obj.name;
  return rows[0];
}

std::optional<Record> ScopedRecordWriter::TryRead(const ObjectDef& obj, const std::string& id) {
  LockScopeFor(scope_, obj);
  auto row = scope_.tx.records().TryLockRow(scope_.org_id, obj, id);
  if (!row || *row->Find("IsDeleted") == std::optional<std::string>("true")) return std::nullopt;
  return row;
}

std::vector<Record> ScopedRecordWriter::Select(const ObjectDef& obj, const RowSelect& sel) {
  return scope_.tx.records().SelectWhere(scope_.org_id, obj, sel);
}

void ScopedRecordWriter::LockRouting() { scope_.tx.LockOrgScope(scope_.org_id, kRoutingScope); }

std::vector<std::string> ScopedRecordWriter::FindIds(const ObjectDef& obj, const FieldDef& field,
                                                     const std::string& value) {
  return scope_.tx.records().FindIdsByValue(scope_.org_id, obj, field, value, false);
}

std::optional<std::string> ScopedRecordWriter::Insert(const WriteScope& scope, const Record& in,
                                                      Error* error) {
  CheckDepth(scope);
  Record rec = in;
  const ObjectDef* obj = nullptr;
  if (auto fault = ResolveRecord(scope.catalog, &rec, &obj)) {
    *error = Error{StatusCode::kInvalidFieldFault, fault->message, {}};
    return std::nullopt;
  }
  RecordResult r = Guard(scope.tx, [&] { return InsertOne(scope, *obj, rec); });
  if (!Unpack(r, error)) return std::nullopt;
  return r.id;
}

bool ScopedRecordWriter::Change(const WriteScope& scope, const ObjectDef& obj,
                                const std::string& id, const Record& changes_in, Error* error) {
  CheckDepth(scope);
  Record changes = changes_in;
  changes.type = obj.name;
  const ObjectDef* resolved = nullptr;
  if (auto fault = ResolveRecord(scope.catalog, &changes, &resolved)) {
    *error = Error{StatusCode::kInvalidFieldFault, fault->message, {}};
    return false;
  }
  // The same Id checks (MALFORMED_ID, the object's key prefix) as an update call's. (UpdateById
  // leaves the object's supported calls to the update call, update.cpp.)
  return Unpack(Guard(scope.tx, [&] { return UpdateById(scope, obj, id, changes); }), error);
}

std::optional<std::string> ScopedRecordWriter::Create(const Record& in, Error* error) {
  return Insert(scope_, in, error);
}

bool ScopedRecordWriter::Update(const ObjectDef& obj, const std::string& id, const Record& changes,
                                Error* error) {
  return Change(scope_, obj, id, changes, error);
}

std::optional<std::string> ScopedRecordWriter::CreateAsOrg(const Record& in, Error* error) {
  WriteScope org = scope_;
  org.as_org = true;
  return Insert(org, in, error);
}

bool ScopedRecordWriter::UpdateAsOrg(const ObjectDef& obj, const std::string& id,
                                     const Record& changes, Error* error) {
  WriteScope org = scope_;
  org.as_org = true;
  return Change(org, obj, id, changes, error);
}

bool ScopedRecordWriter::DeleteAsOrg(const ObjectDef& obj, const std::string& id, Error* error) {
  CheckDepth(scope_);
  WriteScope org = scope_;
  org.as_org = true;
  RecordResult r = Guard(org.tx, [&]() -> RecordResult {
    Error err;
    auto current = LoadForWrite(org, obj, id, false, &err);
    if (!current) return Failed(err, id);
    if (auto refused = CheckDeletable(obj, *current)) return Failed(*refused, id);
    if (!BinRecord(org, obj, *current, false, &err)) return Failed(err, id);
    return Succeeded(id);
  });
  return Unpack(r, error);
}

}  // namespace omni

namespace omni {

void LockScopeFor(const WriteScope& s, const ObjectDef& obj) {
  if (s.bus.SerializesWrites(obj)) s.tx.LockOrgScope(s.org_id, kRoutingScope);
}

namespace {

ChangeEvent::Kind KindOf(storage::ChangeKind kind) {
  switch (kind) {
    case storage::ChangeKind::kCreated:
      return ChangeEvent::Kind::kCreated;
    case storage::ChangeKind::kUpdated:
      return ChangeEvent::Kind::kUpdated;
    case storage::ChangeKind::kDeleted:
      return ChangeEvent::Kind::kDeleted;
    case storage::ChangeKind::kUndeleted:
      return ChangeEvent::Kind::kUndeleted;
  }
  throw std::logic_error("unknown change kind");
}

}  // namespace

void RunBeforeCommit(const WriteScope& s) {
  std::vector<TxChange> changes;
  // Copied first: the listeners' writes queue more changes into the same vector.
  for (const auto& row : s.tx.QueuedChanges()) {
    const ObjectDef* obj = s.catalog.FindObject(row.object);
    if (!obj || !s.bus.Wants(*obj)) continue;
    changes.push_back(TxChange{KindOf(row.kind), obj, row.record_id, row.before, row.after});
  }
  if (changes.empty()) return;
  ScopedRecordWriter writer(s, false);
  s.bus.BeforeCommit(changes, writer);
}

}  // namespace omni
