// RecordTx: the record half of a transaction (storage/store.h): one org's rows of the catalog's
// objects, read and written with parameterised SQL. Writes answer the row as stored (every field
// in the API's canonical text form) in the same round trip, which is the change log's after
// image; LockRow reads the before image and holds the row until the transaction ends.
//
// Thread-safety: belongs to its Tx, which belongs to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "server/core/row_select.h"
#include "server/soql/plan.h"

namespace omni::storage {

// One of the checks a write needs before it writes, batched into one statement.
struct ValueCheck {
  enum class Kind {
    kReferenceExists,  // a row of `object` with Id `value` exists and is not deleted
    kUniqueHolders,    // the Ids (deleted rows too) other than own_id whose `field` is `value`
  };
  Kind kind;
  const ObjectDef* object;
  const FieldDef* field;  // kUniqueHolders only
  std::string value;
  std::string own_id;  // kUniqueHolders only; may be empty
};

class RecordTx {
 public:
  virtual ~RecordTx() = default;
  // A number unique across the cluster (Ids): taken from the Id sequence in blocks, so most
  // calls cost no round trip; safe across processes.
  virtual std::uint64_t NextId() = 0;
  // Next auto-number of one field of one object in one org, starting at 1 (safe across processes).
  virtual std::uint64_t NextAutoNumber(const std::string& org, const ObjectDef& obj,
                                       const FieldDef& field) = 0;
  // Inserts a fully populated record (every value already validated and canonical); answers the
  // row as stored, every field of the object.
  virtual Record Insert(const std::string& org, const ObjectDef& obj, const Record& rec) = 0;
  // Sets the given fields of one row; answers the row as stored afterwards, or nullopt when no
  // such row exists.
  virtual std::optional<Record> Update(const std::string& org, const ObjectDef& obj,
                                       const std::string& id, const Record& changes) = 0;
  // Moves a row in or out of the recycle bin, stamping the audit fields; answers the row after.
  virtual std::optional<Record> SetDeleted(const std::string& org, const ObjectDef& obj,
                                           const std::string& id, bool deleted,
                                           const std::string& user_id, const std::string& now) = 0;
  // Every field of one row (deleted or not), locked until the transaction ends (SELECT ... FOR
  // UPDATE), so that concurrent writers of the row take turns and each sees the other's result.
  virtual std::optional<Record> LockRow(const std::string& org, const ObjectDef& obj,
                                        const std::string& id) = 0;
  // As LockRow, but without waiting: nullopt when another transaction holds the row (SELECT ...
  // FOR UPDATE SKIP LOCKED), so that time-out sweeps in several processes never handle one row
  // twice nor queue behind each other.
  virtual std::optional<Record> TryLockRow(const std::string& org, const ObjectDef& obj,
                                           const std::string& id) = 0;
  // Reads rows by Id with the given fields (catalog spelling), in the order of ids; absent or
  // (unless include_deleted) deleted rows are skipped. Each returned record carries field "Id".
  virtual std::vector<Record> SelectByIds(const std::string& org, const ObjectDef& obj,
                                          const std::vector<std::string>& ids,
                                          const std::vector<const FieldDef*>& fields,
                                          bool include_deleted) = 0;
  // The visible rows of obj that pass every test of sel, every field, in sel's order (then Id),
  // at most sel.limit of them (0: all). One statement; every value is a parameter.
  virtual std::vector<Record> SelectWhere(const std::string& org, const ObjectDef& obj,
                                          const RowSelect& sel) = 0;
  // Ids of the rows (deleted ones too, when include_deleted) whose field equals value.
  virtual std::vector<std::string> FindIdsByValue(const std::string& org, const ObjectDef& obj,
                                                  const FieldDef& field, const std::string& value,
                                                  bool include_deleted) = 0;
  // Runs the checks in one round trip; one answer per check, in order: for kReferenceExists the
  // Id when the row exists (else empty), for kUniqueHolders the other holders' Ids.
  virtual std::vector<std::vector<std::string>> RunChecks(
      const std::string& org, const std::vector<ValueCheck>& checks) = 0;
  // Replication (getUpdated/getDeleted): Ids and SystemModstamps (epoch seconds) of the rows
  // whose SystemModstamp lies in [start, end), in the recycle bin or out of it as `deleted` asks,
  // oldest first, at most `limit` of them.
  virtual std::vector<std::pair<std::string, std::int64_t>> SelectModifiedBetween(
      const std::string& org, const ObjectDef& obj, bool deleted, std::int64_t start,
      std::int64_t end, std::size_t limit) = 0;
  // SOQL (storage/query_sql.h): rows [page_offset, page_offset + page_size) of a bound query's
  // result, one value per plan.columns entry in canonical text form, in a stable total order.
  virtual std::vector<std::vector<Value>> RunQuery(const std::string& org,
                                                   const soql::QueryPlan& plan,
                                                   bool include_deleted, std::int64_t page_offset,
                                                   std::int64_t page_size) = 0;
  // The number of rows of the whole result (LIMIT/OFFSET applied); for SELECT COUNT() the count.
  virtual std::int64_t CountQuery(const std::string& org, const soql::QueryPlan& plan,
                                  bool include_deleted) = 0;
};

}  // namespace omni::storage
