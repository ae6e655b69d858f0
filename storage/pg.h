// Internal to storage/: pooled libpqxx connections with a per-connection cache of prepared
// statements, the one statement runner every query goes through, and PgTx, the Tx over them.
// Thread-safety: ConnectionPool is thread-safe; a PgConn and a PgTx belong to one thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/sql_text.h"
#include "storage/store.h"

namespace omni::storage {

// One connection and the statements prepared on it, keyed by SQL text. Prepared statements skip
// parsing and planning on every later use, and a parameterised statement costs one round trip.
struct PgConn {
  explicit PgConn(const std::string& url) : conn(url) {}
  pqxx::connection conn;
  std::unordered_map<std::string, std::string> prepared;  // SQL text -> statement name
};

// A fixed set of connections handed out one per transaction. Broken connections are replaced
// on their next use, so a restarted database heals the pool.
class ConnectionPool {
 public:
  ConnectionPool(std::string url, int size);
  std::unique_ptr<PgConn> Acquire();
  void Release(std::unique_ptr<PgConn> c);

 private:
  std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
};

// Counts statements sent to the server (each is one round trip), for tests and benchmarks.
extern std::atomic<long> g_round_trips;

// Runs a parameterised statement as a prepared statement of this connection.
// Runs one parameterised statement; prepared on this connection (once per text) unless
// prepare is false, as for SOQL, whose texts vary with every query's shape.
pqxx::result Exec(PgConn& c, pqxx::transaction_base& w, const std::string& sql, const Params& p,
                  bool prepare = true);
// Runs parameterless SQL (possibly several statements) as one simple query.
pqxx::result ExecSimple(pqxx::transaction_base& w, const std::string& sql);

// Runs fn(conn, nontransaction) on a pooled connection: one statement, no BEGIN/COMMIT.
template <typename Fn>
auto WithoutTx(ConnectionPool& pool, Fn fn) {
  auto conn = pool.Acquire();
  struct Back {
    ConnectionPool& pool;
    std::unique_ptr<PgConn>& conn;
    ~Back() { pool.Release(std::move(conn)); }
  } back{pool, conn};
  try {
    pqxx::nontransaction w(conn->conn);
    return fn(*conn, w);
  } catch (const StorageError&) {
    throw;
  } catch (const std::exception& e) {
    throw StorageError(e.what());
  }
}

inline Value Cell(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return std::string(f.c_str(), f.size());
}

// "id, <canonical text of every other field>": the columns of a whole-row image.
std::string ImageColumns(const ObjectDef& obj);
// The record of a row read with ImageColumns, starting at column `first`.
Record ImageRecord(const ObjectDef& obj, const pqxx::row& row, int first = 0);

// The session with this id if it has not expired at now_ms, its expiry moved to now_ms + its
// timeout when more than half of the timeout has passed since it was last moved (Salesforce's
// rule): one statement (pg_sessions.cpp).
std::optional<SessionRow> TouchSession(PgConn& c, pqxx::transaction_base& w,
                                       const std::string& session_id, std::int64_t now_ms);

class PgTx : public Tx, RecordTx, SessionTx, LocatorTx, ChangeLogTx {
 public:
  PgTx(Store* store, ConnectionPool* pool, std::unique_ptr<PgConn> conn, bool read_only);
  ~PgTx() override;

  RecordTx& records() override { return *this; }
  SessionTx& sessions() override { return *this; }
  LocatorTx& locators() override { return *this; }
  ChangeLogTx& changes() override { return *this; }
  void Savepoint() override;
  void RollbackToSavepoint() override;
  void ReleaseSavepoint() override;
  void Commit() override;
  void ExpectLoneInsert(const std::string& user_id) override;
  void LockOrgScope(const std::string& org, const std::string& scope) override;
  const std::vector<ChangeRow>& QueuedChanges() const override { return pending_; }

  // RecordTx (pg_records.cpp)
  std::uint64_t NextId() override;
  std::uint64_t NextAutoNumber(const std::string& org, const ObjectDef& obj,
                               const FieldDef& field) override;
  Record Insert(const std::string& org, const ObjectDef& obj, const Record& rec) override;
  std::optional<Record> Update(const std::string& org, const ObjectDef& obj, const std::string& id,
                               const Record& changes) override;
  std::optional<Record> SetDeleted(const std::string& org, const ObjectDef& obj,
                                   const std::string& id, bool deleted, const std::string& user_id,
                                   const std::string& now) override;
  std::optional<Record> LockRow(const std::string& org, const ObjectDef& obj,
                                const std::string& id) override;
  std::optional<Record> TryLockRow(const std::string& org, const ObjectDef& obj,
                                   const std::string& id) override;
  std::vector<Record> SelectByIds(const std::string& org, const ObjectDef& obj,
                                  const std::vector<std::string>& ids,
                                  const std::vector<const FieldDef*>& fields,
                                  bool include_deleted) override;
  std::vector<std::string> FindIdsByValue(const std::string& org, const ObjectDef& obj,
                                          const FieldDef& field, const std::string& value,
                                          bool include_deleted) override;
  std::vector<Record> SelectWhere(const std::string& org, const ObjectDef& obj,
                                  const RowSelect& sel) override;  // pg_select.cpp
  std::vector<std::vector<std::string>> RunChecks(const std::string& org,
                                                  const std::vector<ValueCheck>& checks) override;
  std::vector<std::pair<std::string, std::int64_t>> SelectModifiedBetween(
      const std::string& org, const ObjectDef& obj, bool deleted, std::int64_t start,
      std::int64_t end, std::size_t limit) override;
  std::vector<std::vector<Value>> RunQuery(const std::string& org, const soql::QueryPlan& plan,
                                           bool include_deleted, std::int64_t page_offset,
                                           std::int64_t page_size) override;
  std::int64_t CountQuery(const std::string& org, const soql::QueryPlan& plan,
                          bool include_deleted) override;

  // SessionTx and LocatorTx (pg_sessions.cpp)
  void InsertSession(const SessionRow& row, std::int64_t now_ms) override;
  std::optional<SessionRow> FindSession(const std::string& session_id) override;
  void DeleteSession(const std::string& session_id) override;
  LoginAttempt AttemptLogin(const std::string& username, const std::string& password,
                            std::int64_t now_ms, const LockoutPolicy& policy) override;
  void SetPassword(const std::string& org, const std::string& user_id, const std::string& username,
                   const std::string& password, bool ends_lockout) override;
  std::vector<std::string> OrgIds() override;
  std::optional<std::int64_t> OrgCreated(const std::string& org) override;
  void LockBootstrap() override;
  void InsertOrg(const std::string& org_id, const std::string& name,
                 std::int64_t created_ms) override;
  void SaveQueryLocator(const QueryLocatorRow& row) override;
  std::optional<QueryLocatorRow> FindQueryLocator(const std::string& locator,
                                                  const std::string& org,
                                                  int max_idle_seconds) override;
  void DeleteQueryLocator(const std::string& locator) override;

  // ChangeLogTx (pg_change_log.cpp)
  void Append(ChangeRow row) override;

 private:
  // A read. Before a promised lone insert it runs on its own, without BEGIN (ExpectLoneInsert).
  pqxx::result Run(const std::string& sql, const Params& p) {
    if (!ReadsAlone()) EnsureBegun();
    return Exec(*conn_, *work_, sql, p);
  }
  // A statement that changes data: refused on a read-only Tx, whose statements would otherwise
  // each commit on their own (it runs without BEGIN).
  pqxx::result Write(const std::string& sql, const Params& p) {
    if (read_only_) throw StorageError("a read-only transaction cannot change data");
    lone_insert_user_.reset();  // a write that is not the promised insert: a real transaction
    EnsureBegun();
    return Exec(*conn_, *work_, sql, p);
  }
  // A statement whose text varies with the request: never prepared.
  pqxx::result RunOnce(const std::string& sql, const Params& p) {
    if (!ReadsAlone()) EnsureBegun();
    return Exec(*conn_, *work_, sql, p, false);
  }
  bool ReadsAlone() const { return lone_insert_user_ && !begun_; }
  // A write Tx's BEGIN goes out with its first statement; a read-only Tx never sends one.
  void EnsureBegun();
  void FlushChanges();  // pg_change_log.cpp
  // The promised lone insert as one auto-committed statement with its change-log row
  // (pg_change_log.cpp); the stored image.
  Record InsertLogged(const std::string& org, const ObjectDef& obj, const Record& rec);

  Store* store_;
  ConnectionPool* pool_;
  std::unique_ptr<PgConn> conn_;
  bool read_only_;
  // Always a nontransaction: a write Tx sends its own BEGIN/COMMIT/ROLLBACK, so that BEGIN can
  // wait for the first statement and a lone insert can commit by itself.
  std::unique_ptr<pqxx::nontransaction> work_;
  bool begun_ = false;      // BEGIN sent, and neither COMMIT nor ROLLBACK since
  bool committed_ = false;  // by Commit() or by a lone insert
  std::optional<std::string> lone_insert_user_;  // ExpectLoneInsert's promise, until used
  std::optional<std::string> lone_insert_id_;    // the record a lone insert committed
  bool lone_insert_appended_ = false;            // its caller's Append came (and was dropped)
  std::vector<ChangeRow> pending_;
  std::vector<size_t> marks_;  // pending_.size() at each open savepoint
  // The org scopes locked (LockOrgScope), each with the number of savepoints open when it was
  // taken: a rollback of one of those gives the lock back.
  std::vector<std::pair<std::string, size_t>> scope_locks_;
};

}  // namespace omni::storage
