// Helpers that build SQL text from catalog identifiers only, and bind parameter lists.
// Internal to storage/. Pure functions; thread-safe.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"

namespace omni::storage {

// Double-quoted identifier. Identifiers come from the catalog, never from a request; quoting is
// a second line of defence.
std::string QuoteIdent(const std::string& ident);

// The expression that reads a column back in the API's canonical text form.
std::string SelectExpr(const FieldDef& f);
// The same for any SQL expression of the field's type (a qualified column, min(...), ...).
std::string SelectExprOf(const FieldDef& f, const std::string& sql_expr);
// A timestamptz expression as the API's dateTime text ("2026-11-25T10:00:00.000Z").
std::string DateTimeText(const std::string& sql_expr);

// The placeholder for parameter n cast to the column's type ("$3::timestamptz").
std::string Placeholder(int n, const FieldDef& f);

// Parameters bound to one statement: values owned here, nulls as null pointers.
class Params {
 public:
  int Add(const Value& v) {
    if (!v) {
      ptrs_.push_back(nullptr);
    } else {
      store_.push_back(*v);
      ptrs_.push_back(store_.back().c_str());
    }
    return static_cast<int>(ptrs_.size());
  }
  int Add(const std::string& v) { return Add(Value(v)); }
  const std::vector<const char*>& values() const { return ptrs_; }

 private:
  std::deque<std::string> store_;  // deque: push_back keeps earlier c_str() pointers valid
  std::vector<const char*> ptrs_;
};

// The rows of AgentWork the push time-out sweep looks at, the predicate of its partial index:
// pushed work nobody has answered, with a time-out (Store::OrgsWithDuePushes). `qualifier`
// ("w." or "") goes before each column.
std::string PushSweepPredicate(const std::string& qualifier);

// The DDL that brings the database up to date with the catalog; idempotent.
std::vector<std::string> SchemaStatements(const Catalog& catalog);

}  // namespace omni::storage
