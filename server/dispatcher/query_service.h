// QueryService: the SOQL calls query, queryAll and queryMore, free of any wire format.
//
// A query is parsed and bound against the catalog (server/soql), enforcing Filter, Sort and Group
// with Salesforce's faults; storage turns the bound plan into one parameterised SQL statement and
// reads one page at a time, so memory does not grow with the table. Results larger than the batch
// size leave a query locator in the database (several server processes share them); queryMore
// continues from it. Thread-safety: thread-safe; each call uses its own transaction.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "server/core/status.h"
#include "server/dispatcher/dispatcher.h"

namespace omni {

// One row of a query result. A parent relationship (SELECT ServiceChannel.DeveloperName ...) is
// a nested record under the relationship name, or a null QueryValue when the reference is empty.
// Aggregate queries give records of type "AggregateResult" with fields named by alias or exprN.
struct QueryRecord;
using QueryValue = std::variant<Value, std::shared_ptr<QueryRecord>>;
struct QueryRecord {
  std::string type;
  std::vector<std::pair<std::string, QueryValue>> fields;  // in SELECT order; Id first if selected
};

struct QueryPage {
  std::vector<QueryRecord> records;
  bool done = true;
  std::optional<std::string> locator;  // set when !done
  int size = 0;                        // total rows of the whole query (COUNT() for SELECT COUNT())
};

constexpr int kDefaultBatchSize = 500;

class QueryService {
 public:
  // Date literals (TODAY, LAST_N_DAYS:n, ...) are computed on the org's `clock`.
  QueryService(std::shared_ptr<const Catalog> catalog, storage::Store* store, OrgClock* clock);
  // Runs a SOQL query; include_deleted for queryAll. batch_size is QueryOptions.batchSize (0 when
  // absent), bounded as Salesforce bounds it (200..2000, default 500). Faults: MALFORMED_QUERY,
  // INVALID_FIELD, INVALID_TYPE (with row/column and the SOQL excerpt in the message), and
  // INVALID_QUERY_FILTER_OPERATOR for ill-typed filters.
  Outcome<QueryPage> Query(const CallContext& ctx, const std::string& soql, bool include_deleted,
                           int batch_size);
  // The next page of a query. Fault INVALID_QUERY_LOCATOR "invalid query locator" for an unknown,
  // finished or expired locator, or one of another org.
  Outcome<QueryPage> QueryMore(const CallContext& ctx, const std::string& locator, int batch_size);

 private:
  std::shared_ptr<const Catalog> catalog_;
  storage::Store* store_;
  OrgClock* clock_;
};

}  // namespace omni
