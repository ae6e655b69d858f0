#include "server/dispatcher/dispatcher.h"

#include "server/core/sf_id.h"
#include "server/dispatcher/call_support.h"

namespace omni {

std::optional<Fault> ResolveRecord(const Catalog& catalog, Record* rec, const ObjectDef** obj) {
  if (rec->type.empty()) return MissingTypeFault();
  *obj = catalog.FindObject(rec->type);
  if (!*obj) return InvalidTypeFault(rec->type);
  rec->type = (*obj)->name;
  for (auto& [name, v] : rec->fields) {
    const FieldDef* f = (*obj)->FindField(name);
    if (!f) return NoSuchColumnFault(name, (*obj)->name);
    name = f->name;
  }
  for (auto& name : rec->fields_to_null) {
    const FieldDef* f = (*obj)->FindField(name);
    if (!f) return NoSuchColumnFault(name, (*obj)->name);
    name = f->name;
  }
  return std::nullopt;
}

void ApplyAllOrNone(std::vector<RecordResult>* results, bool* commit) {
  bool failed = false;
  for (const auto& r : *results) failed = failed || !r.success;
  if (!failed) return;
  *commit = false;
  for (auto& r : *results) {
    if (!r.success) continue;
    r.success = false;
    // A rolled-back insert names no record: Salesforce answers it without an Id.
    if (r.created) r.id.reset();
    r.created = false;
    r.errors.push_back(Error{StatusCode::kAllOrNoneOperationRolledBack,
                             "Record rolled back because not all records were valid and the "
                             "request was using AllOrNone header",
                             {}});
  }
}

RecordResult InsertOne(const WriteScope& scope, const ObjectDef& obj, const Record& rec) {
  Error err;
  auto id = InsertRecord(scope, obj, rec, &err);
  if (!id) return Failed(err);
  return Succeeded(*id, true);
}

RecordResult UpdateById(const WriteScope& scope, const ObjectDef& obj, const std::string& raw_id,
                        const Record& changes) {
  auto id = NormalizeId(raw_id);
  if (!id || KeyPrefixOf(*id) != obj.key_prefix) {
    return Failed({StatusCode::kMalformedId,
                   obj.label + " ID: id value of incorrect type: " + raw_id,
                   {"Id"}});
  }
  Error err;
  auto before = LoadForWrite(scope, obj, *id, false, &err);
  if (!before) return Failed(err);
  if (!UpdateRecord(scope, obj, *before, changes, &err)) return Failed(err);
  return Succeeded(*id);
}

Dispatcher::Dispatcher(std::shared_ptr<const Catalog> catalog, storage::Store* store,
                       const ChangeBus* bus, OrgClock* clock, const FaultInjection* faults)
    : catalog_(std::move(catalog)), store_(store), bus_(bus), clock_(clock), faults_(faults) {}

CallEnv Dispatcher::Env() const { return CallEnv{*store_, *catalog_, *bus_, faults_, *clock_}; }

std::optional<Fault> Dispatcher::ResolveAll(std::vector<Record>* records,
                                            std::vector<const ObjectDef*>* objs) const {
  if (records->size() > static_cast<size_t>(kMaxRecordsPerCall)) {
    return ExceededIdLimitFault(kMaxRecordsPerCall);
  }
  objs->assign(records->size(), nullptr);
  for (size_t i = 0; i < records->size(); ++i) {
    if (auto fault = ResolveRecord(*catalog_, &(*records)[i], &(*objs)[i])) return fault;
  }
  return std::nullopt;
}

}  // namespace omni
