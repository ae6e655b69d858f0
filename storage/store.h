// Store: the PostgreSQL persistence of every org's records, sessions, counters and change log.
//
// One table per catalog object (derived from the catalog: one column per field, plus org_id),
// so no field list is written here by hand. Every API call runs in one Tx: what a call committed
// is on disk, what it did not commit left nothing behind. All user values reach SQL as bind
// parameters; identifiers come only from the catalog. Nothing in this header exposes libpqxx.
//
// A write Tx sends BEGIN only with its first statement, so a call refused before it touches the
// database costs no round trip. A Tx is split by concern: records() (storage/record_tx.h),
// sessions() — sessions, credentials and orgs (storage/session_tx.h), locators()
// (storage/locator_tx.h) and changes() (the change log, storage/change_log.h). Statements are
// prepared once per connection and reused.
//
// Thread-safety: Store is thread-safe (a bounded pool of connections); a Tx belongs to one thread.
// Failures of the database itself (connection lost, disk full) are thrown as StorageError; the
// services turn them into one opaque fault so that no SQL text reaches a client.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "storage/change_log.h"
#include "storage/clock_row.h"
#include "storage/locator_tx.h"
#include "storage/record_tx.h"
#include "storage/session_tx.h"

namespace omni::storage {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A unique constraint refused a write (the backstop behind the dispatcher's own check, and the
// only check of a DeveloperName).
class UniqueViolation : public StorageError {
 public:
  using StorageError::StorageError;
  // Whether the refusing index is the one that keeps field f of obj unique (sql_text.cpp).
  bool IsOnField(const ObjectDef& obj, const FieldDef& f) const;
};

// PostgreSQL aborted a statement because it lost a fight for a lock: a deadlock (SQLSTATE 40P01,
// PostgreSQL picked this transaction as the victim), a lock timeout (55P03, lock_timeout or NOWAIT)
// or a serialization failure (40001). The transaction is aborted: the caller rolls back (to the
// record's savepoint, or the whole Tx) and answers UNABLE_TO_LOCK_ROW, as Salesforce does for a
// record it cannot lock; the connection stays good. Thrown by every statement of a Tx.
// LIMITATIONS: no lock_timeout is set, so a row lock is waited for as long as its holder runs,
// where Salesforce gives up after about 10 seconds.
class LockConflict : public StorageError {
 public:
  enum class Kind { kDeadlock, kLockTimeout, kSerialization };
  LockConflict(Kind kind, const std::string& what) : StorageError(what), kind_(kind) {}
  Kind kind() const { return kind_; }
  // The condition of a SQLSTATE, or nullopt when it is none of the three.
  static std::optional<Kind> KindOf(const std::string& sqlstate);

 private:
  Kind kind_;
};

struct StoreOptions {
  int pool_size = 4;
  // Change-log retention: the newest change_log_keep changes of each org are kept (0: all);
  // older ones are deleted every change_log_prune_every positions, by the committing call.
  std::int64_t change_log_keep = 100000;
  std::int64_t change_log_prune_every = 1000;
};

class Tx {
 public:
  virtual ~Tx() = default;
  virtual RecordTx& records() = 0;
  virtual SessionTx& sessions() = 0;
  virtual LocatorTx& locators() = 0;
  virtual ChangeLogTx& changes() = 0;
  // Savepoints, so that one record of a call can fail without undoing the others. They nest:
  // each Rollback/Release ends the innermost one; a rollback also drops the changes queued since.
  virtual void Savepoint() = 0;
  virtual void RollbackToSavepoint() = 0;
  virtual void ReleaseSavepoint() = 0;
  // Holds the org-wide lock named `scope` until the transaction ends (a PostgreSQL advisory
  // transaction lock, so that it serialises every process on the database): for decisions that
  // must be taken one at a time per org (routing: which agent gets which work). Waits while
  // another transaction holds it. Taking it again costs nothing; a rollback to a savepoint
  // opened before it was taken gives it back, as PostgreSQL does.
  virtual void LockOrgScope(const std::string& org, const std::string& scope) = 0;
  // The changes queued so far (a rollback to a savepoint drops those made since): what the
  // transaction would commit now. Valid until the next write of this Tx.
  virtual const std::vector<ChangeRow>& QueuedChanges() const = 0;
  // Writes the queued changes to the change log, then makes everything durable (two round
  // trips; one when nothing changed, none when no statement ran). Without Commit() the
  // destructor rolls everything back.
  virtual void Commit() = 0;
  // A promise that makes the commonest write one round trip: if the next write statement of this
  // Tx is an Insert, it is the transaction's last statement and the change it makes is the only
  // one the caller queues (no listener reacts, nothing else is written); and the reads before it
  // need no transaction (plain checks: at READ COMMITTED a read inside the transaction would see
  // nothing more, so they run on their own). Storage may then run the insert, its change-log row
  // and the notification as ONE auto-committed statement, drop the caller's Append of that same
  // change, and have nothing left for Commit(). Any other write first voids the promise (a real
  // transaction begins). `user_id` is the change's user. A statement after such an insert throws
  // StorageError (a broken promise).
  virtual void ExpectLoneInsert(const std::string& user_id) = 0;
};

class ConnectionPool;

class Store {
 public:
  // Connects and brings the schema up to date with the catalog (CREATE TABLE / ADD COLUMN IF NOT
  // EXISTS: safe to run from several processes at once). On failure returns nullptr, sets *error.
  static std::unique_ptr<Store> Open(const std::string& url, std::shared_ptr<const Catalog> catalog,
                                     const StoreOptions& options, std::string* error);
  static std::unique_ptr<Store> Open(const std::string& url, std::shared_ptr<const Catalog> catalog,
                                     int pool_size, std::string* error) {
    StoreOptions o;
    o.pool_size = pool_size;
    return Open(url, std::move(catalog), o, error);
  }
  ~Store();
  // Starts a transaction on a pooled connection; blocks while every connection is in use.
  std::unique_ptr<Tx> Begin();
  // For calls that only read with one statement (retrieve, getUpdated, user info): no BEGIN and
  // no COMMIT, each statement runs on its own. It must not write, queue changes or use
  // savepoints (StorageError); Commit() is a no-op.
  std::unique_ptr<Tx> BeginReadOnly();
  const Catalog& catalog() const { return *catalog_; }
  const std::string& url() const { return url_; }

  // One round trip, no transaction: the session unless unknown or expired at now_ms, with its
  // expiry extended as Salesforce extends it (TouchSession in pg.h); the session cache's miss
  // path.
  std::optional<SessionRow> LookupSession(const std::string& session_id, std::int64_t now_ms);
  // Whether the database answers (health page).
  bool Ping();
  // Statements sent to PostgreSQL by every Store of this process so far, BEGIN and COMMIT
  // included (each is one round trip; a statement's first use on a connection also prepares
  // it, one more). For tests and benchmarks counting round trips per call.
  static long StatementsSent();

  // Change-log consumers: committed changes of one org with position > after_position, oldest
  // first, at most limit of them. Never a change that rolled back; positions have no gaps
  // except below OldestChangePosition (pruned by retention).
  std::vector<CommittedChange> ReadChangesAfter(const std::string& org, std::int64_t after_position,
                                                int limit);
  // As ReadChangesAfter, only the changes of records of `object` (PushTopic history).
  std::vector<CommittedChange> ReadObjectChangesAfter(const std::string& org,
                                                      const std::string& object,
                                                      std::int64_t after_position, int limit);
  // The position of the org's oldest kept change made at or after `since` on the org's clock
  // ("2026-12-02T09:00:00.000Z"; a change's time is its record's SystemModstamp), or 0 when
  // none is. The org's clock never goes back, so every later change is as recent.
  std::int64_t FirstChangeSince(const std::string& org, const std::string& since);
  // The position of the org's newest committed change (0 when it has none).
  std::int64_t LastChangePosition(const std::string& org);
  // The position of the org's oldest change still kept (0 when it has none): a consumer whose
  // after_position + 1 is below it has missed changes that retention deleted.
  std::int64_t OldestChangePosition(const std::string& org);

  // The org's clock (pg_clock.cpp): its stored row, or nullopt when it has none (yet).
  std::optional<ClockRow> ReadClock(const std::string& org);
  // Its stored row, created from `initial` when the org has none yet (the first process to ask
  // decides, every later one reads the same row).
  ClockRow LoadClock(const std::string& org, const ClockRow& initial);
  // Stores `next` (its version is ignored) if the row is still at `expected_version`, and sends
  // NOTIFY omni_clock '<org>' on commit; the stored row, or nullopt when another change came
  // first (re-read and decide again).
  std::optional<ClockRow> SaveClock(const std::string& org, const ClockRow& next,
                                    std::int64_t expected_version);

  // The push time-out sweep (pg_clock.cpp): the orgs whose clock runs in real time and that hold
  // an Assigned AgentWork whose PushTimeout (seconds, > 0) has passed since its AssignedDateTime
  // at their clock's time (the system's `system_ms` plus the org's offset). An org without a
  // clock row runs as new orgs do: frozen when `new_orgs_frozen`. One statement over the partial
  // index of outstanding pushes (sql_text.cpp), so its cost follows the pushes nobody answered
  // yet, not the orgs or the AgentWork kept. Empty when the catalog has no AgentWork.
  std::vector<std::string> OrgsWithDuePushes(std::int64_t system_ms, bool new_orgs_frozen);

  // Internal (PgTx): the next Id number from the in-process block of the Id sequence; `fetch`
  // takes a new block's first value from the database when the block is used up.
  template <typename Fetch>
  std::uint64_t NextIdFromBlock(Fetch fetch) {
    std::lock_guard<std::mutex> lock(id_mu_);
    if (id_next_ == id_end_) {
      id_next_ = fetch();
      id_end_ = id_next_ + kIdBlock;
    }
    return id_next_++;
  }
  static constexpr std::uint64_t kIdBlock = 64;  // the sequence's INCREMENT BY
  const StoreOptions& options() const { return options_; }

 private:
  Store() = default;
  std::vector<CommittedChange> ReadChanges(const std::string& org,
                                           const std::optional<std::string>& object,
                                           std::int64_t after_position, int limit);
  std::shared_ptr<const Catalog> catalog_;
  std::string url_;
  StoreOptions options_;
  std::unique_ptr<ConnectionPool> pool_;
  std::mutex id_mu_;
  std::uint64_t id_next_ = 0, id_end_ = 0;
};

}  // namespace omni::storage
