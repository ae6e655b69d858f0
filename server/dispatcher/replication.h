// Replication: getUpdated and getDeleted, free of any wire format.
//
// Salesforce's rules (wire notes §2.2; API docs for getUpdated/getDeleted): the seconds of both
// dates are ignored (12:30:15 is 12:30:00); the range must span at least one minute; an endDate
// in the future is clamped to the current minute (latestDateCovered says how far the answer
// goes); startDate may not precede the org's creation, nor lie more than 30 days (getUpdated) /
// 15 days (getDeleted, the recycle bin's retention) back; more than 600,000 ids fail the call.
// Every violation is the fault INVALID_REPLICATION_DATE / EXCEEDED_ID_LIMIT. Only objects whose
// catalog calls include getUpdated / getDeleted replicate (else INVALID_TYPE_FOR_OPERATION).
//
// getUpdated answers the records created, changed or undeleted in [start, end) that are not in
// the recycle bin; getDeleted the records moved to the bin in [start, end), with the time. Both
// read SystemModstamp, which every write (and delete/undelete) stamps.
//
// Thread-safety: the service is stateless and thread-safe; each call uses its own transaction.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/status.h"
#include "server/dispatcher/dispatcher.h"
#include "storage/store.h"

namespace omni {

constexpr int kGetUpdatedMaxDays = 30;
constexpr int kGetDeletedMaxDays = 15;
constexpr std::size_t kMaxReplicationIds = 600000;

enum class ReplicationKind { kUpdated, kDeleted };

// The window a call reads, after the date rules: [start, end), both whole minutes (UTC epoch
// seconds). earliest is what getDeleted reports as earliestDateAvailable.
struct ReplicationWindow {
  std::time_t start = 0;
  std::time_t end = 0;       // = latestDateCovered
  std::time_t earliest = 0;  // max(org creation, now - retention), whole minute
};

// Applies the date rules to a request made at `now` in an org created at `org_created`.
// Pure (no clock, no database), so the rules are unit-testable.
Outcome<ReplicationWindow> ReplicationDates(ReplicationKind kind, std::time_t start,
                                            std::time_t end, std::time_t now,
                                            std::time_t org_created);

// EXCEEDED_ID_LIMIT for an answer of more than kMaxReplicationIds ids.
Fault TooManyReplicationIds();

// Seconds cut off: 12:30:15 -> 12:30:00.
inline std::time_t TruncateToMinute(std::time_t t) { return t - ((t % 60) + 60) % 60; }

struct DeletedRecordValue {
  std::string id;
  std::time_t deleted_date = 0;
};

struct GetUpdatedValue {
  std::vector<std::string> ids;
  std::time_t latest_date_covered = 0;
};

struct GetDeletedValue {
  std::vector<DeletedRecordValue> deleted_records;
  std::time_t earliest_date_available = 0;
  std::time_t latest_date_covered = 0;
};

class ReplicationService {
 public:
  // Neither is owned; both outlive the service.
  // The replication windows are checked against the org's `clock`.
  ReplicationService(const Catalog& catalog, storage::Store* store, OrgClock* clock);

  // Faults: unknown type (INVALID_TYPE), a type without the call (INVALID_TYPE_FOR_OPERATION),
  // the date rules (INVALID_REPLICATION_DATE), too many ids (EXCEEDED_ID_LIMIT).
  Outcome<GetUpdatedValue> GetUpdated(const CallContext& ctx, const std::string& type,
                                      std::time_t start, std::time_t end) const;
  Outcome<GetDeletedValue> GetDeleted(const CallContext& ctx, const std::string& type,
                                      std::time_t start, std::time_t end) const;

 private:
  // Resolves the type and the window; on success *obj and *window are set.
  std::optional<Fault> Prepare(ReplicationKind kind, const CallContext& ctx,
                               const std::string& type, std::time_t start, std::time_t end,
                               storage::Tx& tx, const ObjectDef** obj,
                               ReplicationWindow* window) const;

  const Catalog* catalog_;
  storage::Store* store_;
  OrgClock* clock_;
};

}  // namespace omni
