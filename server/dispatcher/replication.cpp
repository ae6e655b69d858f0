#include "server/dispatcher/replication.h"

#include <algorithm>

#include "server/core/clock.h"
#include "server/core/unexpected.h"

namespace omni {

namespace {

constexpr std::time_t kDay = 24 * 60 * 60;

Fault ReplicationDateFault(const std::string& message) {
  return Fault{ExceptionCode::kInvalidReplicationDate, FaultKind::kApiFault, message};
}

}  // namespace

Outcome<ReplicationWindow> ReplicationDates(ReplicationKind kind, std::time_t start,
                                            std::time_t end, std::time_t now,
                                            std::time_t org_created) {
  using Result = Outcome<ReplicationWindow>;
  std::time_t s = TruncateToMinute(start), e = TruncateToMinute(end);
  std::time_t n = TruncateToMinute(now), org = TruncateToMinute(org_created);
  // Salesforce's own text, direction and all (restforce/restforce#667).
  if (e - s < 60) {
    return Result::Fail(
        ReplicationDateFault("startDate must be at least one minute greater than endDate"));
  }
  if (s < org) {
    // jsforce/jsforce#406: the org's creation is its replication enabled date.
    return Result::Fail(ReplicationDateFault("startDate before org replication enabled date"));
  }
  int days = kind == ReplicationKind::kUpdated ? kGetUpdatedMaxDays : kGetDeletedMaxDays;
  std::time_t oldest = n - days * kDay;
  if (s < oldest) {
    // No real capture of this text exists (wire notes §6.7); it states the documented rule.
    return Result::Fail(ReplicationDateFault("startDate cannot be more than " +
                                             std::to_string(days) + " days ago"));
  }
  Result out;
  out.value.start = s;
  // The answer never reaches into the current, still open minute: a client that resumes from
  // latestDateCovered then misses nothing written after the call.
  out.value.end = std::min(e, n);
  out.value.earliest = std::max(org, oldest);
  return out;
}

ReplicationService::ReplicationService(const Catalog& catalog, storage::Store* store,
                                       OrgClock* clock)
    : catalog_(&catalog), store_(store), clock_(clock) {}

std::optional<Fault> ReplicationService::Prepare(ReplicationKind kind, const CallContext& ctx,
                                                 const std::string& type, std::time_t start,
                                                 std::time_t end, storage::Tx& tx,
                                                 const ObjectDef** obj,
                                                 ReplicationWindow* window) const {
  *obj = catalog_->FindObject(type);
  if (!*obj) return InvalidTypeFault(type);
  Call call = kind == ReplicationKind::kUpdated ? Call::kGetUpdated : Call::kGetDeleted;
  if (!(*obj)->Supports(call)) {
    // The same fault retrieve() answers for an object without retrieve().
    return Fault{ExceptionCode::kInvalidTypeForOperation, FaultKind::kApiFault,
                 "entity type " + (*obj)->name + " does not support " + CallName(call)};
  }
  std::time_t now = static_cast<std::time_t>(clock_->Now(ctx.org_id) / 1000);
  std::time_t created = static_cast<std::time_t>(tx.sessions().OrgCreated(ctx.org_id).value_or(0));
  auto dates = ReplicationDates(kind, start, end, now, created);
  if (dates.fault) return dates.fault;
  *window = dates.value;
  return std::nullopt;
}

Outcome<GetUpdatedValue> ReplicationService::GetUpdated(const CallContext& ctx,
                                                        const std::string& type, std::time_t start,
                                                        std::time_t end) const {
  using Result = Outcome<GetUpdatedValue>;
  return Guarded<GetUpdatedValue>("getUpdated", [&]() -> Result {
    auto tx = store_->BeginReadOnly();
    const ObjectDef* obj = nullptr;
    ReplicationWindow w;
    if (auto fault = Prepare(ReplicationKind::kUpdated, ctx, type, start, end, *tx, &obj, &w)) {
      return Result::Fail(*fault);
    }
    // One row past the limit tells "too many" from "exactly the limit".
    auto rows = tx->records().SelectModifiedBetween(ctx.org_id, *obj, false, w.start, w.end,
                                                    kMaxReplicationIds + 1);
    if (rows.size() > kMaxReplicationIds) return Result::Fail(TooManyReplicationIds());
    Result out;
    for (auto& r : rows) out.value.ids.push_back(std::move(r.first));
    out.value.latest_date_covered = w.end;
    return out;
  });
}

Outcome<GetDeletedValue> ReplicationService::GetDeleted(const CallContext& ctx,
                                                        const std::string& type, std::time_t start,
                                                        std::time_t end) const {
  using Result = Outcome<GetDeletedValue>;
  return Guarded<GetDeletedValue>("getDeleted", [&]() -> Result {
    auto tx = store_->BeginReadOnly();
    const ObjectDef* obj = nullptr;
    ReplicationWindow w;
    if (auto fault = Prepare(ReplicationKind::kDeleted, ctx, type, start, end, *tx, &obj, &w)) {
      return Result::Fail(*fault);
    }
    auto rows = tx->records().SelectModifiedBetween(ctx.org_id, *obj, true, w.start, w.end,
                                                    kMaxReplicationIds + 1);
    if (rows.size() > kMaxReplicationIds) return Result::Fail(TooManyReplicationIds());
    Result out;
    for (auto& r : rows) {
      out.value.deleted_records.push_back(
          DeletedRecordValue{std::move(r.first), static_cast<std::time_t>(r.second)});
    }
    out.value.earliest_date_available = w.earliest;
    out.value.latest_date_covered = w.end;
    return out;
  });
}

Fault TooManyReplicationIds() {
  return Fault{ExceptionCode::kExceededIdLimit, FaultKind::kApiFault,
               "The result would contain more than " + std::to_string(kMaxReplicationIds) +
                   " ids: narrow the date range"};
}

}  // namespace omni
