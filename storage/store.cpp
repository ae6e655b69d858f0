#include "storage/store.h"

#include <poll.h>

#include <algorithm>

#include "storage/pg.h"

namespace omni::storage {

std::atomic<long> g_round_trips{0};

namespace {
constexpr size_t kMaxPrepared = 400;
}  // namespace

ConnectionPool::ConnectionPool(std::string url, int size) : url_(std::move(url)) {
  for (int i = 0; i < size; ++i) idle_.push_back(std::make_unique<PgConn>(url_));
}

std::unique_ptr<PgConn> ConnectionPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty(); });
  auto c = std::move(idle_.back());
  idle_.pop_back();
  lock.unlock();
  // An idle connection has nothing to read: if its socket is readable, closed or in error, the
  // server ended it (a restart of the cluster, a terminated backend). Replace it now, so that a
  // restart costs no call its failure.
  if (c && c->conn.is_open()) {
    struct pollfd p {};
    p.fd = c->conn.sock();
    p.events = POLLIN;
    if (p.fd < 0 || ::poll(&p, 1, 0) != 0) c.reset();
  }
  if (!c || !c->conn.is_open()) {
    try {
      c = std::make_unique<PgConn>(url_);
    } catch (const std::exception& e) {
      Release(nullptr);
      throw StorageError(std::string("database unavailable: ") + e.what());
    }
  }
  return c;
}

void ConnectionPool::Release(std::unique_ptr<PgConn> c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

std::optional<LockConflict::Kind> LockConflict::KindOf(const std::string& sqlstate) {
  if (sqlstate == "40P01") return Kind::kDeadlock;
  if (sqlstate == "55P03") return Kind::kLockTimeout;
  if (sqlstate == "40001") return Kind::kSerialization;
  return std::nullopt;
}

namespace {

// Every statement's failure as storage's own exception: a lost lock fight (LockConflict), a
// unique index's refusal (UniqueViolation), or anything else (StorageError).
[[noreturn]] void Rethrow() {
  try {
    throw;
  } catch (const StorageError&) {
    throw;
  } catch (const pqxx::unique_violation& e) {
    throw UniqueViolation(e.what());
  } catch (const pqxx::deadlock_detected& e) {
    // libpqxx 6 gives these two classes of their own, outside sql_error and without SQLSTATE.
    throw LockConflict(LockConflict::Kind::kDeadlock, e.what());
  } catch (const pqxx::serialization_failure& e) {
    throw LockConflict(LockConflict::Kind::kSerialization, e.what());
  } catch (const pqxx::sql_error& e) {
    if (auto kind = LockConflict::KindOf(e.sqlstate())) throw LockConflict(*kind, e.what());
    throw StorageError(e.what());
  } catch (const std::exception& e) {
    throw StorageError(e.what());
  }
}

}  // namespace

pqxx::result Exec(PgConn& c, pqxx::transaction_base& w, const std::string& sql, const Params& p,
                  bool prepare) {
  try {
    auto it = c.prepared.find(sql);
    if (!prepare || (it == c.prepared.end() && c.prepared.size() >= kMaxPrepared)) {
      // Statement texts that vary with the request must not fill the cache: they, and any text
      // past the bound, run unprepared.
      ++g_round_trips;
      return w.exec_params(sql, pqxx::prepare::make_dynamic_params(p.values()));
    }
    if (it == c.prepared.end()) {
      std::string name = "omni_" + std::to_string(c.prepared.size() + 1);
      c.conn.prepare(name, sql);
      it = c.prepared.emplace(sql, name).first;
    }
    ++g_round_trips;
    return w.exec_prepared(it->second, pqxx::prepare::make_dynamic_params(p.values()));
  } catch (...) {
    Rethrow();
  }
}

pqxx::result ExecSimple(pqxx::transaction_base& w, const std::string& sql) {
  try {
    ++g_round_trips;
    return w.exec(sql);
  } catch (...) {
    Rethrow();  // COMMIT's serialization failure, too
  }
}

std::string ImageColumns(const ObjectDef& obj) {
  std::string out = "id";
  for (const auto& f : obj.fields) {
    if (f.name != "Id") out += ", " + SelectExpr(f);
  }
  return out;
}

Record ImageRecord(const ObjectDef& obj, const pqxx::row& row, int first) {
  Record rec;
  rec.type = obj.name;
  rec.fields.emplace_back("Id", Cell(row[first]));
  int i = first + 1;
  for (const auto& f : obj.fields) {
    if (f.name != "Id") rec.fields.emplace_back(f.name, Cell(row[i++]));
  }
  return rec;
}

PgTx::PgTx(Store* store, ConnectionPool* pool, std::unique_ptr<PgConn> conn, bool read_only)
    : store_(store), pool_(pool), conn_(std::move(conn)), read_only_(read_only) {
  work_ = std::make_unique<pqxx::nontransaction>(conn_->conn);
}

PgTx::~PgTx() {
  try {
    if (begun_) ExecSimple(*work_, "ROLLBACK");
  } catch (...) {
    // A broken connection has no transaction left: the pool replaces it on its next use.
  }
  try {
    work_.reset();
  } catch (...) {
  }
  pool_->Release(std::move(conn_));
}

void PgTx::EnsureBegun() {
  if (lone_insert_id_) {
    throw StorageError("a statement after the transaction's lone insert had committed it");
  }
  if (begun_ || read_only_) return;
  ExecSimple(*work_, "BEGIN");
  begun_ = true;
}

void PgTx::ExpectLoneInsert(const std::string& user_id) {
  if (!read_only_ && !begun_ && pending_.empty()) lone_insert_user_ = user_id;
}

void PgTx::Savepoint() {
  lone_insert_user_.reset();  // a savepoint means more than one statement to come
  EnsureBegun();
  ExecSimple(*work_, "SAVEPOINT omni_record");
  marks_.push_back(pending_.size());
}

void PgTx::RollbackToSavepoint() {
  // Released too, so that savepoints nest: the next Rollback/Release ends the enclosing one.
  ExecSimple(*work_, "ROLLBACK TO SAVEPOINT omni_record; RELEASE SAVEPOINT omni_record");
  if (!marks_.empty()) {
    pending_.resize(marks_.back());
    marks_.pop_back();
  }
  // A lock taken inside the savepoint went with it.
  scope_locks_.erase(std::remove_if(scope_locks_.begin(), scope_locks_.end(),
                                    [&](const auto& l) { return l.second > marks_.size(); }),
                     scope_locks_.end());
}

void PgTx::ReleaseSavepoint() {
  ExecSimple(*work_, "RELEASE SAVEPOINT omni_record");
  if (!marks_.empty()) marks_.pop_back();
  for (auto& l : scope_locks_) l.second = std::min(l.second, marks_.size());
}

void PgTx::LockOrgScope(const std::string& org, const std::string& scope) {
  const std::string key = org + "/" + scope;
  for (const auto& l : scope_locks_) {
    if (l.first == key) return;
  }
  Params p;
  p.Add(key);
  // One 64-bit key per org and scope; a collision only makes two orgs take turns.
  Write("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", p);
  scope_locks_.emplace_back(key, marks_.size());
}

void PgTx::Commit() {
  if (read_only_) {
    if (!pending_.empty()) throw StorageError("a read-only transaction queued changes");
    return;
  }
  if (committed_) {
    if (!pending_.empty()) throw StorageError("changes queued after the lone insert committed");
    return;
  }
  if (!begun_ && pending_.empty()) {  // no statement ran: nothing to make durable
    committed_ = true;
    return;
  }
  EnsureBegun();
  if (!pending_.empty()) FlushChanges();
  ExecSimple(*work_, "COMMIT");
  begun_ = false;
  committed_ = true;
}

std::unique_ptr<Store> Store::Open(const std::string& url, std::shared_ptr<const Catalog> catalog,
                                   const StoreOptions& options, std::string* error) {
  std::unique_ptr<Store> store(new Store());
  store->catalog_ = std::move(catalog);
  store->url_ = url;
  store->options_ = options;
  try {
    {
      pqxx::connection c(url);
      pqxx::work w(c);
      // One process at a time brings the schema up to date; the others wait, then find it done.
      w.exec("SELECT pg_advisory_xact_lock(4401)");
      for (const auto& sql : SchemaStatements(*store->catalog_)) w.exec(sql);
      w.exec("ALTER SEQUENCE omni_id_seq INCREMENT BY " + std::to_string(kIdBlock));
      w.commit();
    }
    store->pool_ = std::make_unique<ConnectionPool>(url, options.pool_size);
  } catch (const std::exception& e) {
    *error = std::string("cannot open database: ") + e.what();
    return nullptr;
  }
  return store;
}

Store::~Store() = default;

std::unique_ptr<Tx> Store::Begin() {
  auto conn = pool_->Acquire();
  try {
    return std::make_unique<PgTx>(this, pool_.get(), std::move(conn), false);
  } catch (const std::exception& e) {
    pool_->Release(nullptr);
    throw StorageError(std::string("cannot begin transaction: ") + e.what());
  }
}

std::unique_ptr<Tx> Store::BeginReadOnly() {
  auto conn = pool_->Acquire();
  try {
    return std::make_unique<PgTx>(this, pool_.get(), std::move(conn), true);
  } catch (const std::exception& e) {
    pool_->Release(nullptr);
    throw StorageError(std::string("cannot begin: ") + e.what());
  }
}

std::optional<SessionRow> Store::LookupSession(const std::string& session_id, std::int64_t now_ms) {
  return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) {
    return TouchSession(c, w, session_id, now_ms);
  });
}

long Store::StatementsSent() { return g_round_trips.load(); }

bool Store::Ping() {
  try {
    return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) {
      return !Exec(c, w, "SELECT 1", Params()).empty();
    });
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<CommittedChange> Store::ReadChangesAfter(const std::string& org,
                                                     std::int64_t after_position, int limit) {
  return ReadChanges(org, std::nullopt, after_position, limit);
}

std::vector<CommittedChange> Store::ReadObjectChangesAfter(const std::string& org,
                                                           const std::string& object,
                                                           std::int64_t after_position, int limit) {
  return ReadChanges(org, object, after_position, limit);
}

std::vector<CommittedChange> Store::ReadChanges(const std::string& org,
                                                const std::optional<std::string>& object,
                                                std::int64_t after_position, int limit) {
  return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) {
    Params p;
    p.Add(org);
    p.Add(std::to_string(after_position));
    p.Add(std::to_string(limit < 1 ? 1 : limit));
    std::string filter;
    if (object) filter = " AND object = $" + std::to_string(p.Add(*object));
    auto rows = Exec(c, w,
                     "SELECT position, kind, object, record_id, user_id, before::text, "
                     "after::text, " +
                         DateTimeText("committed_at") +
                         " FROM omni_change_log WHERE org_id = $1 AND position > $2::bigint" +
                         filter + " ORDER BY position LIMIT $3::bigint",
                     p);
    std::vector<CommittedChange> out;
    for (const auto& row : rows) {
      CommittedChange ch;
      ch.org_id = org;
      ch.position = row[0].as<std::int64_t>();
      std::string kind = row[1].c_str();
      ch.kind = kind == "created"   ? ChangeKind::kCreated
                : kind == "updated" ? ChangeKind::kUpdated
                : kind == "deleted" ? ChangeKind::kDeleted
                                    : ChangeKind::kUndeleted;
      ch.object = row[2].c_str();
      ch.record_id = row[3].c_str();
      ch.user_id = row[4].c_str();
      ch.before_json = Cell(row[5]);
      ch.after_json = Cell(row[6]);
      ch.committed_at = row[7].c_str();
      out.push_back(std::move(ch));
    }
    return out;
  });
}

std::int64_t Store::FirstChangeSince(const std::string& org, const std::string& since) {
  return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) -> std::int64_t {
    Params p;
    p.Add(org);
    p.Add(since);
    // The change's time on the emulator clock is its record's SystemModstamp (every write stamps
    // it from the org's clock); the commit time only for an image without one. The scan walks
    // the primary key from the oldest kept change and stops at the first retained one.
    auto r = Exec(c, w,
                  "SELECT position FROM omni_change_log WHERE org_id = $1 AND "
                  "coalesce(after->>'SystemModstamp', " +
                      DateTimeText("committed_at") + ") >= $2 ORDER BY position LIMIT 1",
                  p);
    return r.empty() ? 0 : r[0][0].as<std::int64_t>();
  });
}

std::int64_t Store::LastChangePosition(const std::string& org) {
  return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) -> std::int64_t {
    Params p;
    p.Add(org);
    auto r = Exec(c, w, "SELECT last FROM omni_change_heads WHERE org_id = $1", p);
    return r.empty() ? 0 : r[0][0].as<std::int64_t>();
  });
}

std::int64_t Store::OldestChangePosition(const std::string& org) {
  return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) -> std::int64_t {
    Params p;
    p.Add(org);
    auto r =
        Exec(c, w, "SELECT coalesce(min(position), 0) FROM omni_change_log WHERE org_id = $1", p);
    return r[0][0].as<std::int64_t>();
  });
}

}  // namespace omni::storage
