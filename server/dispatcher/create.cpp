// create(): inserts each record with the rules of record_checks.h.
#include "server/dispatcher/call_support.h"

namespace omni {

Outcome<std::vector<RecordResult>> Dispatcher::Create(const CallContext& ctx,
                                                      std::vector<Record> records,
                                                      const CallOptions& opts) {
  using Result = Outcome<std::vector<RecordResult>>;
  std::vector<const ObjectDef*> objs;
  if (auto fault = ResolveAll(&records, &objs)) return Result::Fail(*fault);
  return RunWriteCall(
      "create", Env(), ctx, records.size(), opts,
      [&](const WriteScope& scope, size_t i) { return InsertOne(scope, *objs[i], records[i]); });
}

}  // namespace omni
