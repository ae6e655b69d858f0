// The syntax tree of one SOQL statement as the parser builds it: names as written, with the
// position of every name and value, not yet resolved against the catalog (see binder.h).
// Plain data; thread-compatible.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace omni::soql {

struct Pos {
  int row = 1;
  int column = 1;  // 1-based
};

// A dotted field path (ServiceChannel.DeveloperName), each part with its position.
struct PathAst {
  std::vector<std::string> parts;
  std::vector<Pos> pos;
  std::string Text() const {
    std::string t;
    for (const auto& p : parts) t += (t.empty() ? "" : ".") + p;
    return t;
  }
};

// A field, or an aggregate function over a field (COUNT() has no argument).
struct ExprAst {
  std::string func;  // empty for a plain field; upper-case function name otherwise
  bool has_arg = true;
  PathAst path;
  std::string alias;
  Pos alias_pos;
  Pos pos;  // of the function name or of the field
};

struct ValueAst {
  enum class Kind {
    kString,
    kInteger,
    kDecimal,
    kTrue,
    kFalse,
    kNull,
    kDate,
    kDateTime,
    kDateLiteral
  };
  Kind kind = Kind::kNull;
  std::string text;  // strings: raw text between quotes; numbers with their sign; literal names
  int n = 0;         // the n of LAST_N_DAYS:n and friends
  bool has_n = false;
  Pos pos;
};

struct SelectAst;

struct CondAst {
  enum class Kind { kAnd, kOr, kNot, kCompare, kLike, kIn, kNotIn };
  Kind kind = Kind::kCompare;
  std::vector<CondAst> children;  // kAnd, kOr: two or more; kNot: one
  ExprAst lhs;
  std::string op;                       // "=", "!=", "<", "<=", ">", ">=" for kCompare
  std::vector<ValueAst> values;         // one for kCompare/kLike; the list for kIn/kNotIn
  std::shared_ptr<SelectAst> subquery;  // kIn/kNotIn with a semi-join
  Pos pos;                              // of the operator
};

struct OrderAst {
  ExprAst expr;
  bool desc = false;
  std::optional<bool> nulls_first;
};

struct SelectAst {
  std::vector<ExprAst> fields;
  std::string object;
  Pos object_pos;
  std::optional<CondAst> where;
  std::vector<ExprAst> group_by;
  std::optional<CondAst> having;
  std::vector<OrderAst> order_by;
  std::optional<long long> limit;
  Pos limit_pos;
  std::optional<long long> offset;
  Pos offset_pos;
};

}  // namespace omni::soql
