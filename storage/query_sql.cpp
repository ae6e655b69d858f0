#include "storage/query_sql.h"

#include <algorithm>
#include <map>

namespace omni::storage {

namespace {

using soql::AggFunc;
using soql::CmpOp;
using soql::Condition;
using soql::Expr;
using soql::FieldRef;
using soql::QueryPlan;

bool IsText(FieldType t) {
  return t == FieldType::kString || t == FieldType::kTextarea || t == FieldType::kPicklist ||
         t == FieldType::kEmail || t == FieldType::kPhone || t == FieldType::kUrl;
}

// The SQL type a value of this field type is bound as.
std::string CastOf(FieldType t) {
  switch (t) {
    case FieldType::kInt:
    case FieldType::kDouble:
    case FieldType::kPercent:
      return "numeric";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kDate:
      return "date";
    case FieldType::kDatetime:
      return "timestamptz";
    default:
      return "text";
  }
}

// One SELECT level (the query, or a semi-join's sub-select): its table alias and joins.
class Scope {
 public:
  Scope(const ObjectDef& obj, std::string alias, bool include_deleted, int* alias_counter)
      : obj_(obj),
        alias_(std::move(alias)),
        include_deleted_(include_deleted),
        counter_(alias_counter) {}

  const std::string& alias() const { return alias_; }

  // The column a field path reads, joining parents as needed.
  std::string Column(const FieldRef& ref) {
    std::string table = alias_;
    std::string key;
    size_t n = ref.hops.size();
    for (size_t k = 0; k < n; ++k) {
      const soql::Hop& hop = ref.hops[k];
      if (hop.polymorphic) {
        // The Id of a polymorphic parent is the reference value itself; another field comes
        // from whichever target table holds the parent (Ids never collide across objects).
        std::string ref_col = table + "." + QuoteIdent(ObjectDef::ColumnName(*hop.ref));
        if (ref.field->name == "Id") return ref_col;
        std::string values;
        for (const ObjectDef* target : hop.targets) {
          std::string a =
              Join(key + "/" + hop.ref->name + "/" + target->name, *target, table, *hop.ref);
          values += (values.empty() ? "" : ", ") + a + "." +
                    QuoteIdent(ObjectDef::ColumnName(*ref.field));
        }
        return "COALESCE(" + values + ")";
      }
      key += "/" + hop.ref->name;
      table = Join(key, *hop.target, table, *hop.ref);
    }
    return table + "." + QuoteIdent(ObjectDef::ColumnName(*ref.field));
  }

  // The alias of the parent table reached from `from` through ref, joined once per path key.
  std::string Join(const std::string& key, const ObjectDef& target, const std::string& from,
                   const FieldDef& ref) {
    auto it = joins_.find(key);
    if (it != joins_.end()) return it->second;
    std::string a = "j" + std::to_string((*counter_)++);
    std::string on = a + ".id = " + from + "." + QuoteIdent(ObjectDef::ColumnName(ref)) + " AND " +
                     a + ".org_id = " + from + ".org_id";
    // A parent in the recycle bin reads as null (queryAll sees it).
    if (!include_deleted_) on += " AND NOT " + a + ".isdeleted";
    join_sql_ += " LEFT JOIN " + QuoteIdent(target.TableName()) + " " + a + " ON " + on;
    joins_.emplace(key, a);
    return a;
  }

  std::string From() const { return QuoteIdent(obj_.TableName()) + " " + alias_ + join_sql_; }
  std::string BaseFilter(int org_n) const {
    std::string w = alias_ + ".org_id = $" + std::to_string(org_n);
    if (!include_deleted_) w += " AND NOT " + alias_ + ".isdeleted";
    return w;
  }

 private:
  const ObjectDef& obj_;
  std::string alias_;
  bool include_deleted_;
  int* counter_;
  std::map<std::string, std::string> joins_;
  std::string join_sql_;
};

class Builder {
 public:
  Builder(const std::string& org, bool include_deleted, Params* p)
      : include_deleted_(include_deleted), p_(p) {
    org_n_ = p_->Add(org);
  }

  // Raw (unformatted) value of an expression: for WHERE, HAVING, GROUP BY and ORDER BY.
  std::string Raw(Scope& s, const Expr& e) {
    if (e.count_star) return "count(*)";
    std::string col = Column(s, e.ref);
    switch (e.func) {
      case AggFunc::kNone:
        return col;
      case AggFunc::kCount:
        return "count(" + col + ")";
      case AggFunc::kCountDistinct:
        return "count(DISTINCT " + col + ")";
      case AggFunc::kMin:
        return "min(" + col + ")";
      case AggFunc::kMax:
        return "max(" + col + ")";
      case AggFunc::kSum:
        return "sum(" + col + ")";
      case AggFunc::kAvg:
        return "avg(" + col + ")";
    }
    return col;
  }

  // The value in the API's canonical text form.
  std::string Formatted(Scope& s, const Expr& e) {
    std::string raw = Raw(s, e);
    switch (e.func) {
      case AggFunc::kCount:
      case AggFunc::kCountDistinct:
      case AggFunc::kSum:
        return "(" + raw + ")::text";
      case AggFunc::kAvg:
        return "((" + raw + ")::float8)::text";  // as doubles read back
      case AggFunc::kNone:
      case AggFunc::kMin:
      case AggFunc::kMax:
        break;
    }
    if (e.count_star) return "(" + raw + ")::text";
    return SelectExprOf(*e.ref.field, raw);
  }

  std::string Cond(Scope& s, const Condition& c) {
    switch (c.kind) {
      case Condition::Kind::kAnd:
      case Condition::Kind::kOr: {
        std::string out;
        for (const auto& k : c.children) {
          if (!out.empty()) out += c.kind == Condition::Kind::kAnd ? " AND " : " OR ";
          out += Cond(s, k);
        }
        return "(" + out + ")";
      }
      case Condition::Kind::kNot:
        return "(NOT COALESCE(" + Cond(s, c.children.at(0)) + ", false))";
      case Condition::Kind::kSemiJoin:
        return SemiJoin(s, c);
      case Condition::Kind::kCompare:
        break;
    }
    std::string col = Raw(s, c.lhs);
    std::string cast = CastOf(c.value_type);
    auto param = [&](const Value& v) { return "$" + std::to_string(p_->Add(v)) + "::" + cast; };
    if (c.range) {
      // Only the bounds used become parameters (an unused one has no type for PostgreSQL).
      auto lo = [&] { return param(c.values.at(0)); };
      auto hi = [&] { return param(c.values.at(1)); };
      switch (c.op) {
        case CmpOp::kEq: {
          std::string l = lo();
          return "(" + col + " >= " + l + " AND " + col + " < " + hi() + ")";
        }
        case CmpOp::kNe: {
          std::string l = lo();
          return "(" + col + " IS NULL OR " + col + " < " + l + " OR " + col + " >= " + hi() + ")";
        }
        case CmpOp::kLt:
          return "(" + col + " < " + lo() + ")";
        case CmpOp::kLe:
          return "(" + col + " < " + hi() + ")";
        case CmpOp::kGt:
          return "(" + col + " >= " + hi() + ")";
        case CmpOp::kGe:
          return "(" + col + " >= " + lo() + ")";
        default:
          return "false";
      }
    }
    auto side = [&](const std::string& x) { return c.case_insensitive ? "lower(" + x + ")" : x; };
    switch (c.op) {
      case CmpOp::kLike:
        return "COALESCE(" + col + " ILIKE " + param(c.values.at(0)) + " ESCAPE '\\', false)";
      case CmpOp::kIn:
      case CmpOp::kNotIn: {
        std::string list;
        bool has_null = false;
        for (const auto& v : c.values) {
          if (!v) {
            has_null = true;
            continue;
          }
          list += (list.empty() ? "" : ", ") + side(param(v));
        }
        if (c.op == CmpOp::kIn) {
          std::string in = list.empty() ? "false" : side(col) + " IN (" + list + ")";
          return "(" + in + (has_null ? " OR " + col + " IS NULL" : "") + ")";
        }
        std::string not_in = list.empty() ? "true" : side(col) + " NOT IN (" + list + ")";
        return has_null ? "(" + col + " IS NOT NULL AND " + not_in + ")"
                        : "(" + col + " IS NULL OR " + not_in + ")";
      }
      default:
        break;
    }
    const Value& v = c.values.at(0);
    if (!v) return "(" + col + (c.op == CmpOp::kNe ? " IS NOT NULL)" : " IS NULL)");
    std::string rhs = side(param(v));
    switch (c.op) {
      case CmpOp::kEq:
        return "(" + side(col) + " = " + rhs + ")";
      case CmpOp::kNe:
        return "(" + col + " IS NULL OR " + side(col) + " <> " + rhs + ")";
      case CmpOp::kLt:
        return "(" + col + " < " + rhs + ")";
      case CmpOp::kLe:
        return "(" + col + " <= " + rhs + ")";
      case CmpOp::kGt:
        return "(" + col + " > " + rhs + ")";
      case CmpOp::kGe:
        return "(" + col + " >= " + rhs + ")";
      default:
        return "false";
    }
  }

  std::string SemiJoin(Scope& s, const Condition& c) {
    std::string col = Raw(s, c.lhs);
    const QueryPlan& sub = *c.subquery;
    std::string alias = "s" + std::to_string(counter_++);
    Scope inner(*sub.object, alias, include_deleted_, &counter_);
    std::string sub_col = inner.Column(sub.select.at(0).expr.ref);
    std::string where = inner.BaseFilter(org_n_) + " AND " + sub_col + " IS NOT NULL";
    if (sub.where) where += " AND " + Cond(inner, *sub.where);
    std::string select = "SELECT " + sub_col + " FROM " + inner.From() + " WHERE " + where;
    if (c.negated) return "(" + col + " IS NULL OR " + col + " NOT IN (" + select + "))";
    return "(" + col + " IN (" + select + "))";
  }

  // FROM ... WHERE ... [GROUP BY ... HAVING ...] with the select list built first (joins).
  struct Body {
    std::string select, from_where, order;
  };

  Body Build(const QueryPlan& plan, bool with_columns) {
    Scope root(*plan.object, "t0", include_deleted_, &counter_);
    Body b;
    if (with_columns) {
      for (const auto& e : plan.columns) {
        b.select += (b.select.empty() ? "" : ", ") + Formatted(root, e);
      }
    }
    std::string where = root.BaseFilter(org_n_);
    if (plan.where) where += " AND " + Cond(root, *plan.where);
    std::string group;
    for (const auto& g : plan.group_by) {
      Expr e;
      e.ref = g;
      group += (group.empty() ? "" : ", ") + Raw(root, e);
    }
    std::string having;
    if (plan.having) having = Cond(root, *plan.having);
    for (const auto& o : plan.order_by) {
      std::string raw = Raw(root, o.expr);
      if (o.expr.func == AggFunc::kNone && IsText(o.expr.ref.field->type)) {
        raw = "lower(" + raw + ")";
      }
      b.order += (b.order.empty() ? "" : ", ") + raw + (o.desc ? " DESC" : " ASC") +
                 (o.nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    // A total order, so that pages neither repeat nor skip rows.
    if (plan.aggregate) {
      for (const auto& g : plan.group_by) {
        Expr e;
        e.ref = g;
        b.order += (b.order.empty() ? "" : ", ") + Raw(root, e) + " ASC NULLS FIRST";
      }
    } else {
      b.order += (b.order.empty() ? "" : ", ") + root.alias() + ".id";
    }
    b.from_where = " FROM " + root.From() + " WHERE " + where;
    if (!group.empty()) b.from_where += " GROUP BY " + group;
    if (!having.empty()) b.from_where += " HAVING " + having;
    return b;
  }

  std::string Param(std::int64_t n) {
    return "$" + std::to_string(p_->Add(std::to_string(n))) + "::bigint";
  }

 private:
  std::string Column(Scope& s, const FieldRef& ref) { return s.Column(ref); }

  bool include_deleted_;
  Params* p_;
  int org_n_ = 0;
  int counter_ = 1;
};

}  // namespace

std::string QuerySelectSql(const QueryPlan& plan, const std::string& org, bool include_deleted,
                           std::int64_t page_offset, std::int64_t page_size, Params* params) {
  Builder b(org, include_deleted, params);
  auto body = b.Build(plan, true);
  std::int64_t limit = std::max<std::int64_t>(0, page_size);
  if (plan.limit) {
    limit = std::min<std::int64_t>(limit, std::max<std::int64_t>(0, *plan.limit - page_offset));
  }
  std::string sql = "SELECT " + body.select + body.from_where;
  if (!body.order.empty()) sql += " ORDER BY " + body.order;
  std::string limit_param = b.Param(limit);
  sql += " LIMIT " + limit_param + " OFFSET " + b.Param(plan.offset + page_offset);
  return sql;
}

std::string QueryCountSql(const QueryPlan& plan, const std::string& org, bool include_deleted,
                          Params* params) {
  Builder b(org, include_deleted, params);
  auto body = b.Build(plan, false);
  // An aggregate query without GROUP BY has one row (none when HAVING refuses it).
  bool one_group = plan.aggregate && plan.group_by.empty();
  std::string inner = (one_group ? "SELECT count(*) AS one" : "SELECT 1 AS one") + body.from_where;
  if (plan.limit) inner += " LIMIT " + b.Param(*plan.limit);
  if (plan.offset) inner += " OFFSET " + b.Param(plan.offset);
  return "SELECT count(*) FROM (" + inner + ") q";
}

}  // namespace omni::storage
