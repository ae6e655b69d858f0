// The SQL of a bound SOQL query (server/soql/plan.h): ONE parameterised SELECT over the object's
// table, LEFT JOINs for parent relationships, and semi-joins as IN (SELECT ...). Identifiers come
// only from the catalog (quoted); every value — org id, literals, LIKE patterns, date bounds,
// LIMIT and OFFSET — is a bind parameter. Internal to storage/. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "server/soql/plan.h"
#include "storage/sql_text.h"

namespace omni::storage {

// Rows [page_offset, page_offset + page_size) of the query's own result (its LIMIT and OFFSET
// applied first), one column per plan.columns entry in the API's canonical text form, in the
// query's ORDER BY completed to a total order (by Id, or by the GROUP BY fields). Appends the
// values to *params.
std::string QuerySelectSql(const soql::QueryPlan& plan, const std::string& org,
                           bool include_deleted, std::int64_t page_offset, std::int64_t page_size,
                           Params* params);

// One row, one bigint column: the number of rows of the query's whole result (its LIMIT and
// OFFSET applied), or for SELECT COUNT() the count itself.
std::string QueryCountSql(const soql::QueryPlan& plan, const std::string& org, bool include_deleted,
                          Params* params);

}  // namespace omni::storage
