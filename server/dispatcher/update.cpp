// update(): updates each record by its Id with the rules of record_checks.h.
#include "server/dispatcher/call_support.h"

namespace omni {

Outcome<std::vector<RecordResult>> Dispatcher::Update(const CallContext& ctx,
                                                      std::vector<Record> records,
                                                      const CallOptions& opts) {
  using Result = Outcome<std::vector<RecordResult>>;
  std::vector<const ObjectDef*> objs;
  if (auto fault = ResolveAll(&records, &objs)) return Result::Fail(*fault);
  return RunWriteCall(
      "update", Env(), ctx, records.size(), opts,
      [&](const WriteScope& scope, size_t i) -> RecordResult {
        const ObjectDef& obj = *objs[i];
        const Record& rec = records[i];
        if (!obj.Supports(Call::kUpdate)) {
          return Failed({StatusCode::kCannotInsertUpdateActivateEntity,
                         "entity type cannot be updated: " + obj.label,
                         {}});
        }
        const Value* id = rec.Find("Id");
        if (!id || !*id) {
          return Failed({StatusCode::kMissingArgument, "Id not specified in an update call", {}});
        }
        return UpdateById(scope, obj, **id, rec);
      });
}

}  // namespace omni
