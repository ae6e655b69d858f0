// The filter half of the binder: WHERE and HAVING conditions, typed values, date literals and
// semi-joins (see bind_context.h).
#include <cstdio>
#include <cstdlib>

#include "server/core/sf_id.h"
#include "server/dispatcher/field_values.h"
#include "server/soql/bind_context.h"
#include "server/soql/date_literals.h"
#include "server/soql/lexer.h"
#include "server/soql/soql_error.h"

namespace omni::soql {

namespace {

const char* TypeWord(FieldType t) {
  switch (t) {
    case FieldType::kId:
    case FieldType::kReference:
      return "id";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kInt:
      return "int";
    case FieldType::kDouble:
    case FieldType::kPercent:
      return "double";
    case FieldType::kDatetime:
      return "dateTime";
    case FieldType::kDate:
      return "date";
    default:
      return "string";
  }
}

bool Quoted(FieldType t) {
  return t == FieldType::kId || t == FieldType::kReference || IsTextType(t);
}

SoqlError WrongType(const FieldDef& f, const Pos& p) {
  return InvalidField("value of filter criterion for field '" + f.name + "' must be of type " +
                          TypeWord(f.type) + " and should " + (Quoted(f.type) ? "" : "not ") +
                          "be enclosed in quotes",
                      p.row, p.column);
}

bool ValidDate(const std::string& text) {
  int y = std::atoi(text.substr(0, 4).c_str());
  int m = std::atoi(text.substr(5, 2).c_str());
  int d = std::atoi(text.substr(8, 2).c_str());
  if (y < 1700 || y > 4000 || m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > kDays[m - 1]) return false;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
  return true;
}

bool ValidDateTime(const std::string& text) {
  if (!ValidDate(text)) return false;
  int h = std::atoi(text.substr(11, 2).c_str());
  int mi = std::atoi(text.substr(14, 2).c_str());
  int s = std::atoi(text.substr(17, 2).c_str());
  if (h > 23 || mi > 59 || s > 59) return false;
  size_t tz = text.find_first_of("+-", 19);
  if (tz != std::string::npos) {
    int oh = std::atoi(text.substr(tz + 1, 2).c_str());
    int om = std::atoi(text.substr(tz + 4, 2).c_str());
    if (oh > 18 || om > 59) return false;
  }
  return true;
}

CmpOp OpOf(const std::string& op) {
  if (op == "=") return CmpOp::kEq;
  if (op == "!=") return CmpOp::kNe;
  if (op == "<") return CmpOp::kLt;
  if (op == "<=") return CmpOp::kLe;
  if (op == ">") return CmpOp::kGt;
  return CmpOp::kGe;
}

bool HasSemiJoin(const Condition& c) {
  if (c.kind == Condition::Kind::kSemiJoin) return true;
  for (const auto& k : c.children) {
    if (HasSemiJoin(k)) return true;
  }
  return false;
}

}  // namespace

Condition BindContext::BindCondition(const ObjectDef& obj, const CondAst& c, bool having,
                                     const QueryPlan* plan) {
  Condition out;
  switch (c.kind) {
    case CondAst::Kind::kAnd:
    case CondAst::Kind::kOr:
    case CondAst::Kind::kNot:
      out.kind = c.kind == CondAst::Kind::kAnd  ? Condition::Kind::kAnd
                 : c.kind == CondAst::Kind::kOr ? Condition::Kind::kOr
                                                : Condition::Kind::kNot;
      for (const auto& k : c.children) out.children.push_back(BindCondition(obj, k, having, plan));
      return out;
    default:
      return BindLeaf(obj, c, having, plan);
  }
}

Condition BindContext::BindLeaf(const ObjectDef& obj, const CondAst& c, bool having,
                                const QueryPlan* plan) {
  Condition out;
  const Pos& at = c.lhs.pos;
  if (!c.lhs.func.empty()) {
    if (!having) {
      throw MalformedQuery("Aggregate functions are not supported in the WHERE clause", at.row,
                           at.column);
    }
    out.lhs = BindExpr(obj, c.lhs, Use::kAggregateArg);
  } else {
    out.lhs.ref = ResolvePath(obj, c.lhs.path, Use::kFilter);
    if (having) {
      bool grouped = false;
      for (const auto& g : plan->group_by) {
        bool same = g.field == out.lhs.ref.field && g.hops.size() == out.lhs.ref.hops.size();
        for (size_t i = 0; same && i < g.hops.size(); ++i) {
          same = g.hops[i].ref == out.lhs.ref.hops[i].ref;
        }
        grouped = grouped || same;
      }
      if (!grouped) {
        throw MalformedQuery("Field must be grouped or aggregated: " + c.lhs.path.Text(), at.row,
                             at.column);
      }
    }
  }
  // The field whose type the values must have. COUNT(...) compares with integers.
  FieldDef count_field;
  count_field.name = c.lhs.func.empty() ? "" : c.lhs.func;
  count_field.type = FieldType::kInt;
  const FieldDef* f = out.lhs.ref.field;
  if (out.lhs.func == AggFunc::kCount || out.lhs.func == AggFunc::kCountDistinct) {
    f = &count_field;
  }
  FieldDef avg_field;
  if (out.lhs.func == AggFunc::kAvg || out.lhs.func == AggFunc::kSum) {
    avg_field = *f;
    avg_field.type = FieldType::kDouble;
    f = &avg_field;
  }
  out.value_type = f->type;
  bool text = IsTextType(f->type);

  if (c.kind == CondAst::Kind::kLike) {
    out.op = CmpOp::kLike;
    if (!text) {
      throw FilterOperator("invalid operator on field: " + f->name + " (LIKE needs a text field)",
                           c.pos.row, c.pos.column);
    }
    out.values.push_back(BindValue(*f, c.values[0], at, true));
    return out;
  }
  if (c.kind == CondAst::Kind::kIn || c.kind == CondAst::Kind::kNotIn) {
    bool negated = c.kind == CondAst::Kind::kNotIn;
    out.op = negated ? CmpOp::kNotIn : CmpOp::kIn;
    out.case_insensitive = text;
    if (c.subquery) {
      if (f->type != FieldType::kId && f->type != FieldType::kReference) {
        throw MalformedQuery("semi join sub-selects are only allowed on Id or reference fields",
                             at.row, at.column);
      }
      out.kind = Condition::Kind::kSemiJoin;
      out.negated = negated;
      out.subquery = std::make_shared<QueryPlan>(BindSelect(*c.subquery, true));
      if (out.subquery->where && HasSemiJoin(*out.subquery->where)) {
        throw MalformedQuery("Nesting of semi join sub-selects is not supported", at.row,
                             at.column);
      }
      return out;
    }
    // Date literals in the list are ranges: IN is inside any of them, NOT IN outside all.
    std::vector<Condition> ranges;
    for (const auto& v : c.values) {
      if (v.kind == ValueAst::Kind::kDateLiteral) {
        Condition r = out;
        r.op = negated ? CmpOp::kNe : CmpOp::kEq;
        r.case_insensitive = false;
        BindDateRange(*f, v, at, &r);
        ranges.push_back(std::move(r));
        continue;
      }
      out.values.push_back(BindValue(*f, v, at, false));
    }
    if (ranges.empty()) return out;
    Condition combined;
    combined.kind = negated ? Condition::Kind::kAnd : Condition::Kind::kOr;
    if (!out.values.empty()) combined.children.push_back(std::move(out));
    for (auto& r : ranges) combined.children.push_back(std::move(r));
    if (combined.children.size() == 1) return std::move(combined.children[0]);
    return combined;
  }

  out.op = OpOf(c.op);
  const ValueAst& v = c.values[0];
  bool ordering = out.op != CmpOp::kEq && out.op != CmpOp::kNe;
  if (ordering && f->type == FieldType::kBoolean) {
    throw FilterOperator("invalid operator on boolean field: " + f->name, c.pos.row, c.pos.column);
  }
  if (v.kind == ValueAst::Kind::kNull && ordering) {
    throw FilterOperator("invalid operator with null: " + c.op, c.pos.row, c.pos.column);
  }
  if (v.kind == ValueAst::Kind::kDateLiteral) {
    BindDateRange(*f, v, at, &out);
    return out;
  }
  out.case_insensitive = text && !ordering;
  out.values.push_back(BindValue(*f, v, at, false));
  return out;
}

void BindContext::BindDateRange(const FieldDef& f, const ValueAst& v, const Pos& field_pos,
                                Condition* out) {
  if (f.type != FieldType::kDate && f.type != FieldType::kDatetime) throw WrongType(f, field_pos);
  std::optional<int> n;
  if (v.has_n) n = v.n;
  auto range = DateLiteralRange(v.text, n, now_);
  if (!range) throw UnexpectedToken(v.text, v.pos.row, v.pos.column - 1);
  out->range = true;
  if (f.type == FieldType::kDatetime) {
    out->values = {range->lower + "T00:00:00Z", range->upper + "T00:00:00Z"};
  } else {
    out->values = {range->lower, range->upper};
  }
}

Value BindContext::BindValue(const FieldDef& f, const ValueAst& v, const Pos& field_pos,
                             bool like) {
  using K = ValueAst::Kind;
  if (v.kind == K::kNull) return std::nullopt;
  switch (f.type) {
    case FieldType::kId:
    case FieldType::kReference: {
      if (v.kind != K::kString) throw WrongType(f, field_pos);
      std::string s, bad;
      if (!DecodeString(v.text, false, &s, &bad)) {
        throw MalformedQuery("Illegal character sequence '" + bad + "' in string literal.",
                             v.pos.row, v.pos.column);
      }
      if (s.empty()) return std::nullopt;
      auto id = NormalizeId(s);
      if (!id) {
        throw FilterOperator("invalid ID field: " + ValueExcerpt(s), field_pos.row,
                             field_pos.column);
      }
      return *id;
    }
    case FieldType::kBoolean:
      if (v.kind == K::kTrue) return std::string("true");
      if (v.kind == K::kFalse) return std::string("false");
      throw WrongType(f, field_pos);
    case FieldType::kInt:
    case FieldType::kDouble:
    case FieldType::kPercent:
      if (v.kind != K::kInteger && v.kind != K::kDecimal) throw WrongType(f, field_pos);
      if (v.text.size() > 40) throw WrongType(f, field_pos);
      return v.text;
    case FieldType::kDate:
      if (v.kind != K::kDate) throw WrongType(f, field_pos);
      if (!ValidDate(v.text)) {
        throw FilterOperator("invalid date: " + v.text, v.pos.row, v.pos.column);
      }
      return v.text;
    case FieldType::kDatetime:
      if (v.kind != K::kDateTime) throw WrongType(f, field_pos);
      if (!ValidDateTime(v.text)) {
        throw FilterOperator("invalid dateTime: " + v.text, v.pos.row, v.pos.column);
      }
      return v.text;
    default: {
      if (v.kind != K::kString) throw WrongType(f, field_pos);
      std::string s, bad;
      if (!DecodeString(v.text, like, &s, &bad)) {
        throw MalformedQuery("Illegal character sequence '" + bad + "' in string literal.",
                             v.pos.row, v.pos.column);
      }
      return s;
    }
  }
}

}  // namespace omni::soql
