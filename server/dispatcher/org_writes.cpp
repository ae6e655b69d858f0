#include "server/dispatcher/org_writes.h"

#include "server/dispatcher/call_support.h"
#include "server/dispatcher/record_writer.h"
#include "server/dispatcher/usage_rules.h"

namespace omni {

namespace {

bool Visible(const std::optional<Record>& row) {
  return row && *row->Find("IsDeleted") != std::optional<std::string>("true");
}

std::vector<const FieldDef*> AllFields(const ObjectDef& obj) {
  std::vector<const FieldDef*> fields;
  for (const auto& f : obj.fields) fields.push_back(&f);
  return fields;
}

}  // namespace

OrgTx::OrgTx(const WriteScope& scope) : scope_(scope) {}
OrgTx::~OrgTx() = default;

RecordWriter& OrgTx::Writer() {
  if (!writer_) writer_ = std::make_unique<ScopedRecordWriter>(scope_);
  return *writer_;
}

std::optional<Record> OrgTx::Read(const ObjectDef& obj, const std::string& id) {
  auto rows = scope_.tx.records().SelectByIds(scope_.org_id, obj, {id}, AllFields(obj), false);
  if (rows.empty()) return std::nullopt;
  rows[0].type = obj.name;
  return rows[0];
}

std::optional<Record> OrgTx::Lock(const ObjectDef& obj, const std::string& id) {
  LockScopeFor(scope_, obj);
  auto row = scope_.tx.records().LockRow(scope_.org_id, obj, id);
  if (!Visible(row)) return std::nullopt;
  row->type = obj.name;
  return row;
}

std::optional<Record> OrgTx::TryLock(const ObjectDef& obj, const std::string& id) {
  LockScopeFor(scope_, obj);
  auto row = scope_.tx.records().TryLockRow(scope_.org_id, obj, id);
  if (!Visible(row)) return std::nullopt;
  row->type = obj.name;
  return row;
}

std::vector<Record> OrgTx::FindBy(const ObjectDef& obj, const std::string& field,
                                  const std::string& value) {
  const FieldDef* f = obj.FindField(field);
  if (!f) return {};
  RowSelect sel;
  sel.where.push_back(FieldTest{f, FieldTest::Op::kEq, {value}});
  return Select(obj, sel);
}

std::vector<Record> OrgTx::Select(const ObjectDef& obj, const RowSelect& sel) {
  auto rows = scope_.tx.records().SelectWhere(scope_.org_id, obj, sel);
  for (auto& r : rows) r.type = obj.name;
  return rows;
}

std::optional<std::string> OrgTx::Create(Record rec, Error* error) {
  const ObjectDef* obj = nullptr;
  if (auto fault = ResolveRecord(scope_.catalog, &rec, &obj)) {
    *error = Error{StatusCode::kInvalidFieldFault, fault->message, {}};
    return std::nullopt;
  }
  RecordResult r = InSavepoint(scope_.tx, [&] { return InsertOne(scope_, *obj, rec); });
  if (!r.success) {
    if (!r.errors.empty()) *error = r.errors[0];
    return std::nullopt;
  }
  return r.id;
}

bool OrgTx::Update(const ObjectDef& obj, const std::string& id, Record changes, Error* error) {
  changes.type = obj.name;
  const ObjectDef* resolved = nullptr;
  if (auto fault = ResolveRecord(scope_.catalog, &changes, &resolved)) {
    *error = Error{StatusCode::kInvalidFieldFault, fault->message, {}};
    return false;
  }
  RecordResult r = InSavepoint(scope_.tx, [&] { return UpdateById(scope_, obj, id, changes); });
  if (!r.success && !r.errors.empty()) *error = r.errors[0];
  return r.success;
}

bool OrgTx::Delete(const ObjectDef& obj, const std::string& id, Error* error) {
  RecordResult r = InSavepoint(scope_.tx, [&]() -> RecordResult {
    Error err;
    auto current = LoadForWrite(scope_, obj, id, false, &err);
    if (!current) return Failed(err, id);
    if (auto refused = CheckDeletable(obj, *current)) return Failed(*refused, id);
    if (!BinRecord(scope_, obj, *current, false, &err)) return Failed(err, id);
    return Succeeded(id);
  });
  if (!r.success && !r.errors.empty()) *error = r.errors[0];
  return r.success;
}

void OrgTx::LockRouting() { scope_.tx.LockOrgScope(scope_.org_id, kRoutingScope); }

const std::string& OrgTx::now() const { return scope_.now; }
const Catalog& OrgTx::catalog() const { return scope_.catalog; }

OrgWrites::OrgWrites(std::shared_ptr<const Catalog> catalog, storage::Store* store,
                     const ChangeBus* bus, OrgClock* clock)
    : catalog_(std::move(catalog)), store_(store), bus_(bus), clock_(clock) {}

Outcome<bool> OrgWrites::Run(const CallContext& ctx, const std::function<bool(OrgTx&)>& fn) const {
  return GuardedWrite<bool>("org write", [&]() {
    Outcome<bool> out;
    // The Run's one timestamp, from its org's clock (read before the transaction begins).
    const std::string now = clock_->NowText(ctx.org_id);
    auto tx = store_->Begin();
    WriteScope scope{*catalog_, *tx, *bus_, ctx.org_id, ctx.user_id, now, nullptr, 0, false};
    scope.as_org = true;
    OrgTx org_tx(scope);
    out.value = fn(org_tx);
    if (out.value) {
      RunBeforeCommit(scope);
      tx->Commit();
    }
    return out;
  });
}

}  // namespace omni
