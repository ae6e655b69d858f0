// An in-memory evaluator of a bound SOQL WHERE condition (plan.h) against one record image, with
// the same answers the database gives for the SQL storage/query_sql.cpp writes: SQL's
// three-valued logic (a comparison with a null field is unknown, and an unknown WHERE does not
// match), `!=` and NOT IN matching null fields, text equality and IN case-insensitive, LIKE as
// ILIKE with '\' escapes, numbers compared as numbers, datetimes as instants (any offset), and a
// date literal's [lower, upper) bounds as the binder produced them.
//
// What it cannot evaluate (a relationship path, a semi-join, an aggregate) is told by
// InMemoryEvaluable, so that a caller can refuse such a condition up front (PushTopic create)
// rather than guess; Matches answers false for it.
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "server/core/record.h"
#include "server/soql/plan.h"

namespace omni::soql {

// Whether c can be evaluated on a record image: only the object's own fields, no semi-joins,
// no aggregates. When not, *why names the first obstacle.
bool InMemoryEvaluable(const Condition& c, std::string* why);

// Whether the record image (every field in canonical text form; a field it does not carry is
// null) satisfies c.
bool Matches(const Condition& c, const Record& image);

// Milliseconds since 1970 of an xsd:dateTime text ("2026-11-25T10:00:00.000Z",
// "2026-11-25T10:00:00+02:00", "...-0500"); nullopt when it is not one.
std::optional<long long> DateTimeMillis(const std::string& text);

}  // namespace omni::soql
