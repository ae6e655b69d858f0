// delete() and undelete(): move records into and out of the recycle bin.
#include "server/core/sf_id.h"
#include "server/dispatcher/call_support.h"
#include "server/dispatcher/usage_rules.h"

namespace omni {

Outcome<std::vector<RecordResult>> Dispatcher::Delete(const CallContext& ctx,
                                                      const std::vector<std::string>& ids,
                                                      const CallOptions& opts) {
  return Bin(ctx, false, ids, opts);
}

Outcome<std::vector<RecordResult>> Dispatcher::Undelete(const CallContext& ctx,
                                                        const std::vector<std::string>& ids,
                                                        const CallOptions& opts) {
  return Bin(ctx, true, ids, opts);
}

Outcome<std::vector<RecordResult>> Dispatcher::Bin(const CallContext& ctx, bool undelete,
                                                   const std::vector<std::string>& ids,
                                                   const CallOptions& opts) {
  using Result = Outcome<std::vector<RecordResult>>;
  if (ids.size() > static_cast<size_t>(kMaxRecordsPerCall)) {
    return Result::Fail(ExceededIdLimitFault(kMaxRecordsPerCall));
  }
  return RunWriteCall(
      undelete ? "undelete" : "delete", Env(), ctx, ids.size(), opts,
      [&](const WriteScope& scope, size_t i) -> RecordResult {
        const std::string& raw = ids[i];
        auto id = NormalizeId(raw);
        if (!id) return Failed({StatusCode::kMalformedId, "bad id " + raw, {}});
        const ObjectDef* obj = catalog_->FindByKeyPrefix(KeyPrefixOf(*id));
        if (!obj) {
          return Failed({StatusCode::kInvalidCrossReferenceKey, "invalid cross reference id", {}},
                        *id);
        }
        Call call = undelete ? Call::kUndelete : Call::kDelete;
        if (!obj->Supports(call)) {
          // LIMITATIONS: no capture of the real org's answer exists; see CATALOG-DECISIONS.md.
          return Failed({StatusCode::kInvalidTypeForOperation,
                         std::string("entity type cannot be ") +
                             (undelete ? "undeleted: " : "deleted: ") + obj->label,
                         {}},
                        *id);
        }
        Error err;
        auto current = LoadForWrite(scope, *obj, *id, true, &err);
        if (!current) return Failed(err, *id);
        bool in_bin = *current->Find("IsDeleted") == std::optional<std::string>("true");
        if (undelete && !in_bin) {
          return Failed({StatusCode::kUndeleteFailed, "Entity is not in the recycle bin", {}}, *id);
        }
        if (!undelete && in_bin) {
          return Failed({StatusCode::kEntityIsDeleted, "entity is deleted", {}}, *id);
        }
        if (!undelete) {
          if (auto refused = CheckDeletable(*obj, *current)) return Failed(*refused, *id);
        }
        if (!BinRecord(scope, *obj, *current, undelete, &err)) return Failed(err, *id);
        return Succeeded(*id);
      });
}

}  // namespace omni
