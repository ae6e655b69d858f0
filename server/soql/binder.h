// Binder: resolves a parsed SOQL statement against the catalog into a QueryPlan, enforcing what
// Salesforce enforces, with its faults: unknown object or one without query() (INVALID_TYPE),
// unknown field or relationship (INVALID_FIELD), WHERE on a field without Filter (INVALID_FIELD),
// ORDER BY without Sort and GROUP BY without Group (MALFORMED_QUERY), fields neither grouped nor
// aggregated, OFFSET over 2000, and values of the wrong type for their field
// (INVALID_QUERY_FILTER_OPERATOR for Ids and operators, INVALID_FIELD for literal kinds).
//
// Relationship paths follow reference fields by their relationshipName, any number of hops. A
// polymorphic reference (several referenceTo objects, e.g. Owner) can only be followed to Id.
// Thread-safety: pure functions over an immutable catalog; thread-safe.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "server/catalog/catalog.h"
#include "server/core/status.h"
#include "server/soql/plan.h"

namespace omni::soql {

constexpr long long kMaxOffset = 2000;
// Salesforce's default limit on the length of a SOQL statement (which also keeps the number of
// bind parameters far below PostgreSQL's 65535).
constexpr size_t kMaxQueryChars = 100000;

// Parses and binds soql. now is the moment date literals are relative to (UTC). Returns the
// fault (message in Salesforce's SOQL layout) or fills *plan. Never throws.
std::optional<Fault> Compile(const Catalog& catalog, const std::string& soql, std::time_t now,
                             QueryPlan* plan);

}  // namespace omni::soql
