// QueryPlan: a SOQL statement bound against the catalog — every name resolved to its ObjectDef /
// FieldDef, every value typed and in the API's canonical text form, date literals turned into
// UTC bounds. Pure data, no SQL: storage/query_sql turns it into one parameterised statement.
// The pointers point into the Catalog, which must outlive the plan. Thread-compatible.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"

namespace omni::soql {

// One step through a reference field to its parent object. A polymorphic reference (several
// referenceTo objects, e.g. Owner: User or Group) must be the last hop of a path, and reaches
// only Id and the fields every target has with the same type (Owner.Name); its Id is the
// reference value itself.
struct Hop {
  const FieldDef* ref = nullptr;
  const ObjectDef* target = nullptr;  // the (first) referenced object
  bool polymorphic = false;
  std::vector<const ObjectDef*> targets;  // every referenced object (one unless polymorphic)
};

// A field reachable from the query's object through zero or more hops.
struct FieldRef {
  std::vector<Hop> hops;
  const FieldDef* field = nullptr;  // on hops.back().target, or on the query's object
  std::string Path() const;         // "ServiceChannel.DeveloperName" (catalog spelling)
};

enum class AggFunc { kNone, kCount, kCountDistinct, kMin, kMax, kSum, kAvg };

// A field or an aggregate over a field; COUNT() has count_star.
struct Expr {
  AggFunc func = AggFunc::kNone;
  bool count_star = false;
  FieldRef ref;
  FieldType ValueType() const;  // the type of the result value (kInt for counts, kDouble for AVG)
};

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe, kLike, kIn, kNotIn };

struct QueryPlan;

struct Condition {
  enum class Kind { kAnd, kOr, kNot, kCompare, kSemiJoin };
  Kind kind = Kind::kCompare;
  std::vector<Condition> children;  // kAnd/kOr: two or more; kNot: one
  // kCompare and kSemiJoin:
  Expr lhs;
  CmpOp op = CmpOp::kEq;
  FieldType value_type = FieldType::kString;  // how values are cast
  std::vector<Value> values;  // canonical text; nullopt is null; LIKE: an ILIKE pattern, ESCAPE '\'
  // A date literal: values are [lower, upper) bounds (dates, or UTC datetimes for datetime fields)
  // and op compares against the range (= inside, != outside, < below lower, <= below upper...).
  bool range = false;
  bool case_insensitive = false;        // text equality as Salesforce compares it
  std::shared_ptr<QueryPlan> subquery;  // kSemiJoin: selects one Id/reference column
  bool negated = false;                 // kSemiJoin: NOT IN
};

struct OrderItem {
  Expr expr;
  bool desc = false;
  bool nulls_first = true;
};

// How one SELECT item appears in results.
struct SelectItem {
  Expr expr;
  std::string name;  // field name (catalog spelling), or alias / exprN for aggregates
  int column = 0;    // index into QueryPlan::columns
};

struct QueryPlan {
  const ObjectDef* object = nullptr;
  std::vector<SelectItem> select;
  // What the statement reads, in order: the select items, then for each parent relationship
  // path the parent's Id (to tell an empty reference from a parent with null fields).
  std::vector<Expr> columns;
  // For each relationship path selected (as "A" or "A.B"): the column with the parent's Id.
  std::vector<std::pair<std::string, int>> parent_id_columns;
  bool count_only = false;  // SELECT COUNT() FROM ...: no rows, size = count
  bool aggregate = false;   // aggregates or GROUP BY: rows are AggregateResult
  std::optional<Condition> where;
  std::vector<FieldRef> group_by;
  std::optional<Condition> having;
  std::vector<OrderItem> order_by;
  std::optional<long long> limit;
  long long offset = 0;
};

}  // namespace omni::soql
