#include "storage/store.h"

#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>

#include "storage/query_sql.h"
#include "storage/sql_text.h"

namespace omni::storage {

// A fixed set of connections handed out one per transaction. Broken connections are replaced
// on their next use, so a restarted database heals the pool.
class ConnectionPool {
 public:
  ConnectionPool(std::string url, int size) : url_(std::move(url)) {
    for (int i = 0; i < size; ++i) idle_.push_back(std::make_unique<pqxx::connection>(url_));
  }
  std::unique_ptr<pqxx::connection> Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty(); });
    auto c = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (!c || !c->is_open()) {
      try {
        c = std::make_unique<pqxx::connection>(url_);
      } catch (const std::exception& e) {
        Release(nullptr);
        throw StorageError(std::string("database unavailable: ") + e.what());
      }
    }
    return c;
  }
  void Release(std::unique_ptr<pqxx::connection> c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

 private:
  std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
};

namespace {

pqxx::result Exec(pqxx::transaction_base& w, const std::string& sql, const Params& p) {
  try {
    return w.exec_params(sql, pqxx::prepare::make_dynamic_params(p.values()));
  } catch (const pqxx::unique_violation& e) {
    throw UniqueViolation(e.what());
  } catch (const std::exception& e) {
    throw StorageError(e.what());
  }
}

Value Cell(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return std::string(f.c_str(), f.size());
}

class PgTx : public Tx {
 public:
  PgTx(ConnectionPool* pool, std::unique_ptr<pqxx::connection> conn)
      : pool_(pool), conn_(std::move(conn)), work_(std::make_unique<pqxx::work>(*conn_)) {}
  ~PgTx() override {
    try {
      work_.reset();  // aborts unless committed
    } catch (...) {
    }
    pool_->Release(std::move(conn_));
  }

  std::uint64_t NextIdSequence() override {
    return Exec(*work_, "SELECT nextval('omni_id_seq')", Params())[0][0].as<std::uint64_t>();
  }

  std::uint64_t NextAutoNumber(const std::string& org, const ObjectDef& obj,
                               const FieldDef& field) override {
    Params p;
    p.Add(org);
    p.Add(obj.name);
    p.Add(field.name);
    // Row lock on the counter: concurrent calls (from any process) take distinct numbers.
    auto r = Exec(*work_,
                  "INSERT INTO omni_autonumbers (org_id, object, field, last) VALUES ($1, $2, $3, "
                  "1) ON CONFLICT (org_id, object, field) DO UPDATE SET last = "
                  "omni_autonumbers.last + 1 RETURNING last",
                  p);
    return r[0][0].as<std::uint64_t>();
  }

  void Insert(const std::string& org, const ObjectDef& obj, const Record& rec) override {
    Params p;
    std::string cols = "org_id", vals = "$" + std::to_string(p.Add(org));
    for (const auto& [name, value] : rec.fields) {
      const FieldDef* f = obj.FindField(name);
      if (!f) throw StorageError("unknown field " + name);
      cols += ", " + QuoteIdent(ObjectDef::ColumnName(*f));
      vals += ", " + Placeholder(p.Add(value), *f);
    }
    Exec(*work_,
         "INSERT INTO " + QuoteIdent(obj.TableName()) + " (" + cols + ") VALUES (" + vals + ")", p);
  }

  bool Update(const std::string& org, const ObjectDef& obj, const std::string& id,
              const Record& changes) override {
    Params p;
    std::string sets;
    for (const auto& [name, value] : changes.fields) {
      const FieldDef* f = obj.FindField(name);
      if (!f) throw StorageError("unknown field " + name);
      if (!sets.empty()) sets += ", ";
      sets += QuoteIdent(ObjectDef::ColumnName(*f)) + " = " + Placeholder(p.Add(value), *f);
    }
    if (sets.empty()) return true;
    int org_n = p.Add(org), id_n = p.Add(id);
    auto r = Exec(*work_,
                  "UPDATE " + QuoteIdent(obj.TableName()) + " SET " + sets + " WHERE org_id = $" +
                      std::to_string(org_n) + " AND id = $" + std::to_string(id_n),
                  p);
    return r.affected_rows() > 0;
  }

  std::vector<Record> SelectByIds(const std::string& org, const ObjectDef& obj,
                                  const std::vector<std::string>& ids,
                                  const std::vector<const FieldDef*>& fields,
                                  bool include_deleted) override {
    std::vector<Record> out;
    if (ids.empty()) return out;
    Params p;
    std::string exprs = "id";
    for (const FieldDef* f : fields) exprs += ", " + SelectExpr(*f);
    std::string in;
    for (const auto& id : ids) {
      if (!in.empty()) in += ", ";
      in += "$" + std::to_string(p.Add(id));
    }
    std::string sql = "SELECT " + exprs + " FROM " + QuoteIdent(obj.TableName()) +
                      " WHERE org_id = $" + std::to_string(p.Add(org)) + " AND id IN (" + in + ")";
    if (!include_deleted) sql += " AND NOT isdeleted";
    auto rows = Exec(*work_, sql, p);
    std::map<std::string, Record> by_id;
    for (const auto& row : rows) {
      Record rec;
      rec.type = obj.name;
      rec.fields.emplace_back("Id", Cell(row[0]));
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i]->name == "Id") continue;
        rec.fields.emplace_back(fields[i]->name, Cell(row[static_cast<int>(i + 1)]));
      }
      by_id[row[0].c_str()] = std::move(rec);
    }
    for (const auto& id : ids) {
      auto it = by_id.find(id);
      if (it != by_id.end()) out.push_back(it->second);
    }
    return out;
  }

  std::vector<std::string> FindIdsByValue(const std::string& org, const ObjectDef& obj,
                                          const FieldDef& field, const std::string& value,
                                          bool include_deleted) override {
    Params p;
    std::string sql = "SELECT id FROM " + QuoteIdent(obj.TableName()) + " WHERE org_id = $" +
                      std::to_string(p.Add(org)) + " AND " +
                      QuoteIdent(ObjectDef::ColumnName(field)) + " = " +
                      Placeholder(p.Add(value), field);
    if (!include_deleted) sql += " AND NOT isdeleted";
    sql += " ORDER BY id LIMIT 100";
    std::vector<std::string> out;
    for (const auto& row : Exec(*work_, sql, p)) out.push_back(row[0].c_str());
    return out;
  }

  void SetDeleted(const std::string& org, const ObjectDef& obj, const std::string& id, bool deleted,
                  const std::string& user_id, const std::string& now) override {
    Params p;
    p.Add(std::string(deleted ? "true" : "false"));
    p.Add(user_id);
    p.Add(now);
    p.Add(org);
    p.Add(id);
    Exec(*work_,
         "UPDATE " + QuoteIdent(obj.TableName()) +
             " SET isdeleted = $1::boolean, lastmodifiedbyid = $2, lastmodifieddate = "
             "$3::timestamptz, systemmodstamp = $3::timestamptz WHERE org_id = $4 AND id = $5",
         p);
  }

  std::vector<std::pair<std::string, std::int64_t>> SelectModifiedBetween(
      const std::string& org, const ObjectDef& obj, bool deleted, std::int64_t start,
      std::int64_t end, std::size_t limit) override {
    Params p;
    p.Add(org);
    p.Add(std::to_string(start));
    p.Add(std::to_string(end));
    p.Add(std::to_string(limit));
    // Served by the (org_id, systemmodstamp) index every object table has.
    std::string sql = "SELECT id, floor(extract(epoch FROM systemmodstamp))::bigint FROM " +
                      QuoteIdent(obj.TableName()) +
                      " WHERE org_id = $1 AND systemmodstamp >= to_timestamp($2::bigint) AND "
                      "systemmodstamp < to_timestamp($3::bigint) AND " +
                      (deleted ? "isdeleted" : "NOT isdeleted") +
                      " ORDER BY systemmodstamp, id LIMIT $4::bigint";
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& row : Exec(*work_, sql, p)) {
      out.emplace_back(row[0].c_str(), row[1].as<std::int64_t>());
    }
    return out;
  }

  std::optional<std::int64_t> OrgCreated(const std::string& org) override {
    Params p;
    p.Add(org);
    auto r = Exec(*work_,
                  "SELECT floor(extract(epoch FROM created))::bigint FROM omni_orgs WHERE "
                  "org_id = $1",
                  p);
    if (r.empty()) return std::nullopt;
    return r[0][0].as<std::int64_t>();
  }

  void Savepoint() override { Exec(*work_, "SAVEPOINT omni_record", Params()); }
  void RollbackToSavepoint() override {
    Exec(*work_, "ROLLBACK TO SAVEPOINT omni_record", Params());
  }
  void ReleaseSavepoint() override { Exec(*work_, "RELEASE SAVEPOINT omni_record", Params()); }

  std::string Now() override {
    if (now_.empty()) {
      now_ = Exec(*work_,
                  "SELECT to_char(now() AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
                  Params())[0][0]
                 .c_str();
    }
    return now_;
  }

  void InsertSession(const SessionRow& row) override {
    Params p;
    p.Add(row.session_id);
    p.Add(row.org_id);
    p.Add(row.user_id);
    Exec(*work_, "INSERT INTO omni_sessions (session_id, org_id, user_id) VALUES ($1, $2, $3)", p);
  }
  std::optional<SessionRow> FindSession(const std::string& session_id) override {
    Params p;
    p.Add(session_id);
    auto r = Exec(*work_,
                  "SELECT session_id, org_id, user_id FROM omni_sessions WHERE session_id = $1", p);
    if (r.empty()) return std::nullopt;
    return SessionRow{r[0][0].c_str(), r[0][1].c_str(), r[0][2].c_str()};
  }
  void DeleteSession(const std::string& session_id) override {
    Params p;
    p.Add(session_id);
    Exec(*work_, "DELETE FROM omni_sessions WHERE session_id = $1", p);
  }
  std::optional<std::pair<std::string, std::string>> CheckLogin(
      const std::string& username, const std::string& password) override {
    Params p;
    p.Add(username);
    p.Add(password);
    auto r = Exec(*work_,
                  "SELECT org_id, user_id FROM omni_credentials WHERE lower(username) = lower($1) "
                  "AND password_hash = md5(salt || $2)",
                  p);
    if (r.empty()) return std::nullopt;
    return std::make_pair(std::string(r[0][0].c_str()), std::string(r[0][1].c_str()));
  }
  void SetPassword(const std::string& org, const std::string& user_id, const std::string& username,
                   const std::string& password) override {
    Params p;
    p.Add(username);
    p.Add(org);
    p.Add(user_id);
    p.Add(password);
    Exec(*work_,
         "INSERT INTO omni_credentials (username, org_id, user_id, salt, password_hash) "
         "SELECT $1, $2, $3, s, md5(s || $4) FROM (SELECT md5(random()::text) AS s) salt "
         "ON CONFLICT (username) DO UPDATE SET org_id = EXCLUDED.org_id, user_id = "
         "EXCLUDED.user_id, salt = EXCLUDED.salt, password_hash = EXCLUDED.password_hash",
         p);
  }
  std::vector<std::string> OrgIds() override {
    std::vector<std::string> out;
    for (const auto& row :
         Exec(*work_, "SELECT org_id FROM omni_orgs ORDER BY created", Params())) {
      out.push_back(row[0].c_str());
    }
    return out;
  }
  void LockBootstrap() override { Exec(*work_, "SELECT pg_advisory_xact_lock(4402)", Params()); }
  void InsertOrg(const std::string& org_id, const std::string& name) override {
    Params p;
    p.Add(org_id);
    p.Add(name);
    Exec(*work_, "INSERT INTO omni_orgs (org_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", p);
  }

  std::vector<std::vector<Value>> RunQuery(const std::string& org, const soql::QueryPlan& plan,
                                           bool include_deleted, std::int64_t page_offset,
                                           std::int64_t page_size) override {
    Params p;
    std::string sql = QuerySelectSql(plan, org, include_deleted, page_offset, page_size, &p);
    std::vector<std::vector<Value>> out;
    for (const auto& row : Exec(*work_, sql, p)) {
      std::vector<Value> values;
      values.reserve(row.size());
      for (const auto& f : row) values.push_back(Cell(f));
      out.push_back(std::move(values));
    }
    return out;
  }
  std::int64_t CountQuery(const std::string& org, const soql::QueryPlan& plan,
                          bool include_deleted) override {
    Params p;
    std::string sql = QueryCountSql(plan, org, include_deleted, &p);
    return Exec(*work_, sql, p)[0][0].as<std::int64_t>();
  }
  void SaveQueryLocator(const QueryLocatorRow& row) override {
    Params p;
    p.Add(row.locator);
    p.Add(row.org_id);
    p.Add(row.soql);
    p.Add(std::string(row.include_deleted ? "true" : "false"));
    p.Add(std::to_string(row.next_offset));
    p.Add(std::to_string(row.total));
    Exec(*work_,
         "INSERT INTO omni_query_locators (locator, org_id, soql, include_deleted, next_offset, "
         "total) VALUES ($1, $2, $3, $4::boolean, $5::bigint, $6::bigint) ON CONFLICT (locator) "
         "DO UPDATE SET next_offset = EXCLUDED.next_offset, total = EXCLUDED.total, last_used = "
         "now()",
         p);
  }
  std::optional<QueryLocatorRow> FindQueryLocator(const std::string& locator,
                                                  const std::string& org,
                                                  int max_idle_seconds) override {
    Params expire;
    expire.Add(std::to_string(max_idle_seconds));
    Exec(*work_,
         "DELETE FROM omni_query_locators WHERE last_used < now() - make_interval(secs => "
         "$1::bigint)",
         expire);
    Params p;
    p.Add(locator);
    p.Add(org);
    auto r = Exec(*work_,
                  "SELECT locator, org_id, soql, include_deleted, next_offset, total FROM "
                  "omni_query_locators WHERE locator = $1 AND org_id = $2 FOR UPDATE",
                  p);
    if (r.empty()) return std::nullopt;
    QueryLocatorRow row;
    row.locator = r[0][0].c_str();
    row.org_id = r[0][1].c_str();
    row.soql = r[0][2].c_str();
    row.include_deleted = r[0][3].as<bool>();
    row.next_offset = r[0][4].as<std::int64_t>();
    row.total = r[0][5].as<std::int64_t>();
    return row;
  }
  void DeleteQueryLocator(const std::string& locator) override {
    Params p;
    p.Add(locator);
    Exec(*work_, "DELETE FROM omni_query_locators WHERE locator = $1", p);
  }

  void Commit() override {
    try {
      work_->commit();
    } catch (const std::exception& e) {
      throw StorageError(e.what());
    }
  }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> work_;
  std::string now_;
};

}  // namespace

std::unique_ptr<Store> Store::Open(const std::string& url, std::shared_ptr<const Catalog> catalog,
                                   int pool_size, std::string* error) {
  std::unique_ptr<Store> store(new Store());
  store->catalog_ = std::move(catalog);
  try {
    {
      pqxx::connection c(url);
      pqxx::work w(c);
      // One process at a time brings the schema up to date; the others wait, then find it done.
      w.exec("SELECT pg_advisory_xact_lock(4401)");
      for (const auto& sql : SchemaStatements(*store->catalog_)) w.exec(sql);
      w.commit();
    }
    store->pool_ = std::make_unique<ConnectionPool>(url, pool_size);
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
    return std::make_unique<PgTx>(pool_.get(), std::move(conn));
  } catch (const std::exception& e) {
    pool_->Release(nullptr);
    throw StorageError(std::string("cannot begin transaction: ") + e.what());
  }
}

}  // namespace omni::storage
