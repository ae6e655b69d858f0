// Internal to server/soql: the state shared by the binder's statement part (binder.cpp) and its
// filter part (bind_filter.cpp) while one statement is bound. Not thread-safe; one per Compile.
#pragma once

#include <ctime>
#include <string>

#include "server/catalog/catalog.h"
#include "server/soql/ast.h"
#include "server/soql/plan.h"

namespace omni::soql {

enum class Use { kSelect, kFilter, kOrder, kGroup, kAggregateArg };

class BindContext {
 public:
  BindContext(const Catalog& catalog, std::time_t now) : catalog_(catalog), now_(now) {}

  // The whole statement (binder.cpp). sub: a semi-join's inner SELECT.
  QueryPlan BindSelect(const SelectAst& ast, bool sub);
  // A field path from obj, checked for its use (binder.cpp).
  FieldRef ResolvePath(const ObjectDef& obj, const PathAst& path, Use use);
  // An aggregate or field expression (binder.cpp).
  Expr BindExpr(const ObjectDef& obj, const ExprAst& e, Use use);

  // WHERE / HAVING (bind_filter.cpp). having: aggregates allowed on the left.
  Condition BindCondition(const ObjectDef& obj, const CondAst& c, bool having,
                          const QueryPlan* plan);

  const Catalog& catalog() const { return catalog_; }

 private:
  // Faults when field f may not be used so (Filter, Sort, Group).
  void CheckUse(const FieldDef& f, Use use, const Pos& at);
  Condition BindLeaf(const ObjectDef& obj, const CondAst& c, bool having, const QueryPlan* plan);
  // A date literal (TODAY, LAST_N_DAYS:n, ...) as the [lower, upper) bounds of *out.
  void BindDateRange(const FieldDef& f, const ValueAst& v, const Pos& field_pos, Condition* out);
  Value BindValue(const FieldDef& f, const ValueAst& v, const Pos& field_pos, bool like);

  const Catalog& catalog_;
  std::time_t now_;
};

// Whether a field of this type holds text compared case-insensitively.
std::string UpperAscii(std::string s);

}  // namespace omni::soql
