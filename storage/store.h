// Store: the PostgreSQL persistence of every org's records, sessions and counters.
//
// One table per catalog object (derived from the catalog: one column per field, plus org_id),
// so no field list is written here by hand. Every API call runs in one Tx: what a call committed
// is on disk, what it did not commit left nothing behind. All user values reach SQL as bind
// parameters; identifiers come only from the catalog. Nothing in this header exposes libpqxx.
//
// Thread-safety: Store is thread-safe (a bounded pool of connections); a Tx belongs to one thread.
// Failures of the database itself (connection lost, disk full) are thrown as StorageError; the
// dispatcher turns them into one generic fault so that no SQL text reaches a client.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "server/soql/plan.h"

namespace omni::storage {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A unique constraint refused a write (the backstop behind the dispatcher's own check).
class UniqueViolation : public StorageError {
 public:
  using StorageError::StorageError;
};

// A queryMore continuation: the query, where its next page starts and its total size.
struct QueryLocatorRow {
  std::string locator, org_id, soql;
  bool include_deleted = false;
  std::int64_t next_offset = 0;
  std::int64_t total = 0;
};

struct SessionRow {
  std::string session_id, org_id, user_id;
};

class ConnectionPool;

class Tx {
 public:
  virtual ~Tx() = default;
  // Next value of the cluster-wide Id sequence (safe across processes).
  virtual std::uint64_t NextIdSequence() = 0;
  // Next auto-number of one field of one object in one org, starting at 1 (safe across processes).
  virtual std::uint64_t NextAutoNumber(const std::string& org, const ObjectDef& obj,
                                       const FieldDef& field) = 0;
  // Inserts a fully populated record (every value already validated and canonical).
  virtual void Insert(const std::string& org, const ObjectDef& obj, const Record& rec) = 0;
  // Sets the given fields of one row. Returns false when no such row exists.
  virtual bool Update(const std::string& org, const ObjectDef& obj, const std::string& id,
                      const Record& changes) = 0;
  // Reads rows by Id with the given fields (catalog spelling), in the order of ids; absent or
  // (unless include_deleted) deleted rows are skipped. Each returned record carries field "Id".
  virtual std::vector<Record> SelectByIds(const std::string& org, const ObjectDef& obj,
                                          const std::vector<std::string>& ids,
                                          const std::vector<const FieldDef*>& fields,
                                          bool include_deleted) = 0;
  // Ids of the rows (deleted ones too, when include_deleted) whose field equals value.
  virtual std::vector<std::string> FindIdsByValue(const std::string& org, const ObjectDef& obj,
                                                  const FieldDef& field, const std::string& value,
                                                  bool include_deleted) = 0;
  // Moves a row in or out of the recycle bin, stamping the audit fields.
  virtual void SetDeleted(const std::string& org, const ObjectDef& obj, const std::string& id,
                          bool deleted, const std::string& user_id, const std::string& now) = 0;
  // Replication (getUpdated/getDeleted): Ids and SystemModstamps (epoch seconds) of the rows
  // whose SystemModstamp lies in [start, end), in the recycle bin or out of it as `deleted` asks,
  // oldest first, at most `limit` of them.
  virtual std::vector<std::pair<std::string, std::int64_t>> SelectModifiedBetween(
      const std::string& org, const ObjectDef& obj, bool deleted, std::int64_t start,
      std::int64_t end, std::size_t limit) = 0;
  // When the org was created (epoch seconds), or nullopt for an org the database lacks.
  virtual std::optional<std::int64_t> OrgCreated(const std::string& org) = 0;
  // Savepoints, so that one record of a call can fail without undoing the others.
  virtual void Savepoint() = 0;
  virtual void RollbackToSavepoint() = 0;
  virtual void ReleaseSavepoint() = 0;
  // The transaction's timestamp in the API's text form ("2026-11-25T10:00:00.000Z").
  virtual std::string Now() = 0;

  // Sessions live in the database so that several server processes can share them.
  virtual void InsertSession(const SessionRow& row) = 0;
  virtual std::optional<SessionRow> FindSession(const std::string& session_id) = 0;
  virtual void DeleteSession(const std::string& session_id) = 0;
  // The org and user Id for a username/password pair, or nullopt.
  virtual std::optional<std::pair<std::string, std::string>> CheckLogin(
      const std::string& username, const std::string& password) = 0;
  virtual void SetPassword(const std::string& org, const std::string& user_id,
                           const std::string& username, const std::string& password) = 0;
  virtual std::vector<std::string> OrgIds() = 0;
  // Serialises org bootstrapping across processes until the transaction ends.
  virtual void LockBootstrap() = 0;
  virtual void InsertOrg(const std::string& org_id, const std::string& name) = 0;

  // SOQL (storage/query_sql.h): rows [page_offset, page_offset + page_size) of a bound query's
  // result, one value per plan.columns entry in canonical text form, in a stable total order.
  virtual std::vector<std::vector<Value>> RunQuery(const std::string& org,
                                                   const soql::QueryPlan& plan,
                                                   bool include_deleted, std::int64_t page_offset,
                                                   std::int64_t page_size) = 0;
  // The number of rows of the whole result (LIMIT/OFFSET applied); for SELECT COUNT() the count.
  virtual std::int64_t CountQuery(const std::string& org, const soql::QueryPlan& plan,
                                  bool include_deleted) = 0;
  // Query locators: insert or update one (marking it used now); find one of this org unused
  // for less than max_idle_seconds (expired ones are removed); remove one.
  virtual void SaveQueryLocator(const QueryLocatorRow& row) = 0;
  virtual std::optional<QueryLocatorRow> FindQueryLocator(const std::string& locator,
                                                          const std::string& org,
                                                          int max_idle_seconds) = 0;
  virtual void DeleteQueryLocator(const std::string& locator) = 0;

  // Makes every change durable. Without Commit() the destructor rolls everything back.
  virtual void Commit() = 0;
};

class Store {
 public:
  // Connects (pool_size connections) and brings the schema up to date with the catalog
  // (CREATE TABLE / ADD COLUMN IF NOT EXISTS: safe to run from several processes at once).
  // On failure returns nullptr and sets *error.
  static std::unique_ptr<Store> Open(const std::string& url, std::shared_ptr<const Catalog> catalog,
                                     int pool_size, std::string* error);
  ~Store();
  // Starts a transaction on a pooled connection; blocks while every connection is in use.
  std::unique_ptr<Tx> Begin();
  const Catalog& catalog() const { return *catalog_; }

 private:
  Store() = default;
  std::shared_ptr<const Catalog> catalog_;
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace omni::storage
