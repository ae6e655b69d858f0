// RowSelect: a plain selection of one object's rows, for the org's own logic (the routing
// engine's candidate requests and agents) where a SOQL text would have to be built and parsed
// for every decision: comparisons of fields with values in the API's canonical text form, an
// order over fields (a key may be the first non-null of several fields), and a limit. The
// fields come from the catalog; storage binds every value as a parameter.
//
// Thread-safety: plain data.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"

namespace omni {

struct FieldTest {
  enum class Op { kEq, kIn, kLe, kGe, kIsNull, kNotNull };
  const FieldDef* field = nullptr;
  Op op = Op::kEq;
  std::vector<std::string> values;  // one for kEq/kLe/kGe, any number for kIn, none else
};

struct RowOrder {
  std::vector<const FieldDef*> first_of;  // the first non-null of these fields
  bool descending = false;
};

struct RowSelect {
  std::vector<const FieldDef*> fields;  // the fields to read (Id always); none: every field
  std::vector<FieldTest> where;         // all must hold (AND); deleted rows never match
  std::vector<RowOrder> order;          // then Id, so that the order is total
  std::size_t limit = 0;                // 0: no limit
  std::size_t offset = 0;               // rows of that order to skip first
};

}  // namespace omni
