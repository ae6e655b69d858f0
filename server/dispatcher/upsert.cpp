// upsert(): matches each record on Id or an idLookup field, then updates or inserts it.
#include <algorithm>

#include "server/dispatcher/call_support.h"

namespace omni {

namespace {

Record Without(const Record& rec, const std::string& field) {
  Record out = rec;
  out.fields.erase(std::remove_if(out.fields.begin(), out.fields.end(),
                                  [&](const auto& f) { return f.first == field; }),
                   out.fields.end());
  return out;
}

RecordResult UpsertOne(const WriteScope& scope, const ObjectDef& obj, const FieldDef& match,
                       const Record& rec) {
  if (!obj.Supports(Call::kUpsert)) {
    return Failed({StatusCode::kCannotInsertUpdateActivateEntity,
                   "entity type cannot be upserted: " + obj.label,
                   {}});
  }
  const Value* key = rec.Find(match.name);
  if (match.name == "Id") {
    if (!key || !*key) return InsertOne(scope, obj, Without(rec, "Id"));
    return UpdateById(scope, obj, **key, rec);
  }
  if (!key || !*key) {
    return Failed({StatusCode::kMissingArgument, match.name + " not specified", {}});
  }
  auto ids = scope.tx.records().FindIdsByValue(scope.org_id, obj, match, **key, false);
  if (ids.size() > 1) {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    return Failed(
        {StatusCode::kDuplicateExternalId,
         match.label + ": more than one record found for external id field: [" + list + "]",
         {match.name}});
  }
  if (ids.empty()) return InsertOne(scope, obj, rec);
  // The matching value is already on the record: leave it out when it cannot be updated.
  return UpdateById(scope, obj, ids[0], match.updateable ? rec : Without(rec, match.name));
}

}  // namespace

Outcome<std::vector<RecordResult>> Dispatcher::Upsert(const CallContext& ctx,
                                                      const std::string& external_id_field,
                                                      std::vector<Record> records,
                                                      const CallOptions& opts) {
  using Result = Outcome<std::vector<RecordResult>>;
  std::vector<const ObjectDef*> objs;
  if (auto fault = ResolveAll(&records, &objs)) return Result::Fail(*fault);
  std::vector<const FieldDef*> match(records.size(), nullptr);
  for (size_t i = 0; i < records.size(); ++i) {
    const FieldDef* f = objs[i]->FindField(external_id_field);
    if (!f || !(f->id_lookup || f->name == "Id")) {
      return Result::Fail(Fault{ExceptionCode::kInvalidField, FaultKind::kInvalidFieldFault,
                                "Field name provided, " + external_id_field +
                                    " is not an External ID or indexed field for " +
                                    objs[i]->name});
    }
    match[i] = f;
  }
  return RunWriteCall("upsert", Env(), ctx, records.size(), opts,
                      [&](const WriteScope& scope, size_t i) {
                        return UpsertOne(scope, *objs[i], *match[i], records[i]);
                      });
}

}  // namespace omni
