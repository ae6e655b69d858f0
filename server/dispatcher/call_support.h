// What the data calls (create.cpp, update.cpp, upsert.cpp, delete.cpp, retrieve.cpp) share: name
// resolution, per-record results, and RunWriteCall, which runs one call in one transaction.
// Internal to the dispatcher. Thread-safety: stateless.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/clock/org_clock.h"
#include "server/core/clock.h"
#include "server/core/unexpected.h"
#include "server/dispatcher/dispatcher.h"
#include "server/dispatcher/record_checks.h"
#include "storage/store.h"

namespace omni {

// Resolves type and field names against the catalog, in place (catalog spelling afterwards).
// A record without type, of an unknown type, or with an unknown field fails the whole call.
std::optional<Fault> ResolveRecord(const Catalog& catalog, Record* rec, const ObjectDef** obj);

// With AllOrNoneHeader, one failure turns every other result into a rollback.
void ApplyAllOrNone(std::vector<RecordResult>* results, bool* commit);

inline RecordResult Failed(Error e, std::optional<std::string> id = std::nullopt) {
  RecordResult r;
  r.id = std::move(id);
  r.errors.push_back(std::move(e));
  return r;
}

inline RecordResult Succeeded(const std::string& id, bool created = false) {
  RecordResult r;
  r.id = id;
  r.success = true;
  r.created = created;
  return r;
}

// Create/upsert's insert of one record; update/upsert's update of the record with raw_id.
RecordResult InsertOne(const WriteScope& scope, const ObjectDef& obj, const Record& rec);
RecordResult UpdateById(const WriteScope& scope, const ObjectDef& obj, const std::string& raw_id,
                        const Record& changes);

// Runs fn (returning a RecordResult) in a savepoint of the call's transaction: released when the
// record succeeded, rolled back when it failed or threw (the exception goes on).
template <typename Fn>
RecordResult InSavepoint(storage::Tx& tx, Fn fn) {
  tx.Savepoint();
  try {
    RecordResult r = fn();
    if (r.success)
      tx.ReleaseSavepoint();
    else
      tx.RollbackToSavepoint();
    return r;
  } catch (...) {
    tx.RollbackToSavepoint();
    throw;
  }
}

// Guarded (core/unexpected.h) for a call that writes: a lost lock fight no record is to blame for
// (the COMMIT, an org write) fails the call with UNABLE_TO_LOCK_ROW, as Salesforce answers lock
// contention, and is not logged as unexpected; any other exception is UNKNOWN_EXCEPTION. The
// transaction rolls back when its Tx is destroyed (CATALOG-DECISIONS P1).
template <typename T, typename Fn>
Outcome<T> GuardedWrite(const char* where, Fn&& fn) {
  return Guarded<T>(where, [&]() -> Outcome<T> {
    try {
      return fn();
    } catch (const storage::LockConflict&) {
      return Outcome<T>::Fail(UnableToLockRowFault());
    }
  });
}

// One record of a write call: a deadlock, lock timeout or serialization failure while it is
// written fails that record with UNABLE_TO_LOCK_ROW (its savepoint is rolled back by then, or,
// alone in its call, the call does not commit), so the call's other records go on.
template <typename Fn>
RecordResult LockFailsRecord(Fn fn) {
  try {
    return fn();
  } catch (const storage::LockConflict&) {
    return Failed(UnableToLockRowError());
  }
}

// What a data call runs with: the dispatcher's parts (Dispatcher::Env()).
struct CallEnv {
  storage::Store& store;
  const Catalog& catalog;
  const ChangeBus& bus;
  const FaultInjection* faults;
  OrgClock& clock;
};

// Runs a data call of n records in ONE transaction: fn(scope, i) handles record i. Each record
// runs in a savepoint, so that a failed one leaves nothing behind, except when the call has one
// record: then a failure simply does not commit (a round trip fewer each way). AllOrNoneHeader
// rolls everything back on any failure. A record that loses a lock fight fails alone with
// UNABLE_TO_LOCK_ROW; any other exception becomes the UNKNOWN_EXCEPTION fault (and the
// transaction rolls back).
template <typename Fn>
Outcome<std::vector<RecordResult>> RunWriteCall(const char* where, const CallEnv& env,
                                                const CallContext& ctx, size_t n,
                                                const CallOptions& opts, Fn fn) {
  return GuardedWrite<std::vector<RecordResult>>(where, [&]() {
    Outcome<std::vector<RecordResult>> out;
    if (n == 0) return out;
    // The call's one timestamp, from its org's clock (read before the transaction begins), in
    // whole seconds as an org stamps records (CreatedDate and the like always end in .000Z).
    const std::string now = Clock::Format(env.clock.Now(ctx.org_id) / 1000 * 1000);
    auto tx = env.store.Begin();
    const bool single = n == 1;
    WriteScope scope{env.catalog, *tx,        env.bus, ctx.org_id, ctx.user_id,
                     now,         env.faults, 0,       single};
    for (size_t i = 0; i < n; ++i) {
      if (single) {
        out.value.push_back(LockFailsRecord([&] { return fn(scope, i); }));
        break;
      }
      out.value.push_back(
          LockFailsRecord([&] { return InSavepoint(*tx, [&] { return fn(scope, i); }); }));
    }
    bool commit = !single || out.value[0].success;
    if (opts.all_or_none) ApplyAllOrNone(&out.value, &commit);
    if (commit) {
      RunBeforeCommit(scope);
      tx->Commit();
    }
    return out;
  });
}

}  // namespace omni
