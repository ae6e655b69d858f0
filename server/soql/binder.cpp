#include "server/soql/binder.h"

#include <algorithm>
#include <set>

#include "server/soql/bind_context.h"
#include "server/soql/parser.h"
#include "server/soql/soql_error.h"

namespace omni::soql {

std::string UpperAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

namespace {

AggFunc FuncOf(const std::string& name) {
  if (name == "COUNT") return AggFunc::kCount;
  if (name == "COUNT_DISTINCT") return AggFunc::kCountDistinct;
  if (name == "MIN") return AggFunc::kMin;
  if (name == "MAX") return AggFunc::kMax;
  if (name == "SUM") return AggFunc::kSum;
  if (name == "AVG") return AggFunc::kAvg;
  return AggFunc::kNone;
}

bool SameRef(const FieldRef& a, const FieldRef& b) {
  if (a.field != b.field || a.hops.size() != b.hops.size()) return false;
  for (size_t i = 0; i < a.hops.size(); ++i) {
    if (a.hops[i].ref != b.hops[i].ref) return false;
  }
  return true;
}

bool IsNumeric(FieldType t) {
  return t == FieldType::kInt || t == FieldType::kDouble || t == FieldType::kPercent;
}

}  // namespace

FieldRef BindContext::ResolvePath(const ObjectDef& root, const PathAst& path, Use use) {
  FieldRef ref;
  const ObjectDef* obj = &root;
  size_t start = 0;
  const Pos& at = path.pos.front();
  // "SELECT Contact.Name FROM Contact": the object's own name may prefix a path.
  if (path.parts.size() > 1 && ToLower(path.parts[0]) == ToLower(root.name)) {
    bool is_rel = false;
    for (const auto& f : root.fields) {
      is_rel = is_rel || (!f.relationship_name.empty() &&
                          ToLower(f.relationship_name) == ToLower(path.parts[0]));
    }
    if (!is_rel) start = 1;
  }
  for (size_t i = start; i + 1 < path.parts.size(); ++i) {
    if (!ref.hops.empty() && ref.hops.back().polymorphic) {
      throw BadRelationship(path.parts[i], at.row, at.column);
    }
    const FieldDef* hop = nullptr;
    for (const auto& f : obj->fields) {
      if (f.type == FieldType::kReference && !f.relationship_name.empty() &&
          ToLower(f.relationship_name) == ToLower(path.parts[i])) {
        hop = &f;
        break;
      }
    }
    const ObjectDef* target =
        hop && !hop->reference_to.empty() ? catalog_.FindObject(hop->reference_to[0]) : nullptr;
    if (!hop || !target) throw BadRelationship(path.parts[i], at.row, at.column);
    Hop h{hop, target, hop->reference_to.size() > 1, {}};
    for (const auto& name : hop->reference_to) {
      if (const ObjectDef* t = catalog_.FindObject(name)) h.targets.push_back(t);
    }
    ref.hops.push_back(h);
    obj = target;
  }
  const std::string& last = path.parts.back();
  ref.field = obj->FindField(last);
  std::vector<const FieldDef*> checked = {ref.field};
  if (ref.field && !ref.hops.empty() && ref.hops.back().polymorphic) {
    // A polymorphic parent (User or Group, ...): the field must exist alike on every target.
    // Salesforce calls the polymorphic entity "Name".
    for (const ObjectDef* t : ref.hops.back().targets) {
      const FieldDef* other = t->FindField(last);
      if (!other || other->type != ref.field->type) {
        throw NoSuchColumn(last, "Name", at.row, at.column);
      }
      checked.push_back(other);
    }
  }
  if (!ref.field) {
    bool poly = !ref.hops.empty() && ref.hops.back().polymorphic;
    throw NoSuchColumn(last, poly ? "Name" : obj->name, at.row, at.column);
  }
  for (const FieldDef* f : checked) CheckUse(*f, use, at);
  return ref;
}

void BindContext::CheckUse(const FieldDef& f, Use use, const Pos& at) {
  switch (use) {
    case Use::kFilter:
      if (!f.filterable) {
        throw InvalidField("field '" + f.name + "' can not be filtered in query call", at.row,
                           at.column);
      }
      break;
    case Use::kOrder:
      if (!f.sortable) {
        throw MalformedQuery("field '" + f.name + "' can not be sorted in a query call", at.row,
                             at.column);
      }
      break;
    case Use::kGroup:
      if (!f.groupable) {
        throw MalformedQuery("field '" + f.name + "' can not be grouped in a query call", at.row,
                             at.column);
      }
      break;
    case Use::kSelect:
    case Use::kAggregateArg:
      break;
  }
}

Expr BindContext::BindExpr(const ObjectDef& obj, const ExprAst& e, Use use) {
  Expr out;
  if (e.func.empty()) {
    out.ref = ResolvePath(obj, e.path, use);
    return out;
  }
  out.func = FuncOf(e.func);
  if (!e.has_arg) {
    out.count_star = true;
    return out;
  }
  out.ref = ResolvePath(obj, e.path, Use::kAggregateArg);
  FieldType t = out.ref.field->type;
  bool ok = true;
  switch (out.func) {
    case AggFunc::kSum:
    case AggFunc::kAvg:
      ok = IsNumeric(t);
      break;
    case AggFunc::kMin:
    case AggFunc::kMax:
      ok = t != FieldType::kBoolean && t != FieldType::kTextarea;
      break;
    case AggFunc::kCount:
    case AggFunc::kCountDistinct:
      ok = t != FieldType::kTextarea;
      break;
    case AggFunc::kNone:
      break;
  }
  if (!ok) {
    throw MalformedQuery(
        "field " + out.ref.field->name + " does not support aggregate operator " + e.func,
        e.path.pos.front().row, e.path.pos.front().column);
  }
  return out;
}

QueryPlan BindContext::BindSelect(const SelectAst& ast, bool sub) {
  QueryPlan plan;
  const ObjectDef* obj = catalog_.FindObject(ast.object);
  if (!obj || !obj->Supports(Call::kQuery)) {
    throw UnsupportedObject(ast.object, ast.object_pos.row, ast.object_pos.column);
  }
  plan.object = obj;

  // GROUP BY first: the select list is checked against it.
  for (const auto& g : ast.group_by) {
    if (!g.func.empty()) throw UnexpectedToken("(", g.pos.row, g.pos.column);
    plan.group_by.push_back(ResolvePath(*obj, g.path, Use::kGroup));
  }

  bool any_aggregate = false;
  for (const auto& e : ast.fields) any_aggregate = any_aggregate || !e.func.empty();
  plan.aggregate = any_aggregate || !plan.group_by.empty();

  int expr_n = 0;
  std::set<std::string> names;
  for (const auto& e : ast.fields) {
    SelectItem item;
    item.expr = BindExpr(*obj, e, Use::kSelect);
    if (item.expr.count_star) {
      if (ast.fields.size() != 1 || !plan.group_by.empty() || sub) {
        throw MalformedQuery("COUNT() must be the only element in the SELECT list", e.pos.row,
                             e.pos.column);
      }
      plan.count_only = true;
      plan.aggregate = false;
      continue;
    }
    if (item.expr.func != AggFunc::kNone) {
      item.name = e.alias.empty() ? "expr" + std::to_string(expr_n++) : e.alias;
    } else {
      item.name = item.expr.ref.field->name;
      if (!e.alias.empty()) {
        // Only the fields of an aggregate query may be aliased.
        if (!plan.aggregate) {
          throw UnexpectedToken(e.alias, e.alias_pos.row, e.alias_pos.column - 1);
        }
        item.name = e.alias;
      }
      if (plan.aggregate) {
        bool grouped = false;
        for (const auto& g : plan.group_by) grouped = grouped || SameRef(g, item.expr.ref);
        if (!grouped) {
          throw MalformedQuery("Field must be grouped or aggregated: " + e.path.Text(), e.pos.row,
                               e.pos.column);
        }
      }
    }
    std::string key = item.expr.func == AggFunc::kNone && e.alias.empty()
                          ? ToLower(item.expr.ref.Path())
                          : ToLower(item.name);
    if (!names.insert(key).second) {
      throw MalformedQuery(item.expr.func == AggFunc::kNone
                               ? "duplicate field selected: " + e.path.Text()
                               : "duplicate alias: " + item.name,
                           e.pos.row, e.pos.column);
    }
    item.column = static_cast<int>(plan.columns.size());
    plan.columns.push_back(item.expr);
    plan.select.push_back(item);
  }

  // Parent Ids, so that an empty reference reads as a null relationship.
  if (!plan.aggregate) {
    for (const auto& item : plan.select) {
      const FieldRef& r = item.expr.ref;
      std::string key;
      for (size_t k = 0; k < r.hops.size(); ++k) {
        key += (k ? "." : "") + r.hops[k].ref->relationship_name;
        bool seen = false;
        for (const auto& p : plan.parent_id_columns) seen = seen || p.first == key;
        if (seen) continue;
        Expr id;
        id.ref.hops.assign(r.hops.begin(), r.hops.begin() + static_cast<long>(k + 1));
        id.ref.field = r.hops[k].target->FindField("Id");
        plan.parent_id_columns.emplace_back(key, static_cast<int>(plan.columns.size()));
        plan.columns.push_back(id);
      }
    }
  }

  if (ast.where) plan.where = BindCondition(*obj, *ast.where, false, &plan);
  if (ast.having) {
    if (!plan.aggregate) {
      throw MalformedQuery("HAVING requires GROUP BY or an aggregate", ast.having->pos.row,
                           ast.having->pos.column);
    }
    plan.having = BindCondition(*obj, *ast.having, true, &plan);
  }

  for (const auto& o : ast.order_by) {
    OrderItem item;
    item.desc = o.desc;
    item.nulls_first = o.nulls_first.value_or(!o.desc);
    if (!o.expr.func.empty()) {
      if (!plan.aggregate) {
        throw MalformedQuery(
            "Aggregate functions are not allowed in ORDER BY of a query without "
            "GROUP BY or aggregates",
            o.expr.pos.row, o.expr.pos.column);
      }
      item.expr = BindExpr(*obj, o.expr, Use::kOrder);
      if (item.expr.count_star) {
        throw UnexpectedToken(")", o.expr.pos.row, o.expr.pos.column);
      }
    } else {
      item.expr.ref = ResolvePath(*obj, o.expr.path, Use::kOrder);
      if (plan.aggregate) {
        bool grouped = false;
        for (const auto& g : plan.group_by) grouped = grouped || SameRef(g, item.expr.ref);
        if (!grouped) {
          throw MalformedQuery("Ordered field must be grouped or aggregated: " + o.expr.path.Text(),
                               o.expr.pos.row, o.expr.pos.column);
        }
      }
    }
    plan.order_by.push_back(item);
  }

  if (ast.limit) {
    if (*ast.limit < 0)
      throw MalformedQuery("LIMIT must be non-negative", ast.limit_pos.row, ast.limit_pos.column);
    plan.limit = *ast.limit;
  }
  if (ast.offset) {
    if (*ast.offset > kMaxOffset) {
      // SOQL reference (OFFSET): "Requesting an offset greater than 2,000 results in a
      // NUMBER_OUTSIDE_VALID_RANGE error."
      SoqlError e = MalformedQuery("Maximum SOQL offset allowed is 2000", ast.offset_pos.row,
                                   ast.offset_pos.column);
      e.code = ExceptionCode::kNumberOutsideValidRange;
      throw e;
    }
    plan.offset = *ast.offset;
  }
  if (sub) {
    if (plan.select.size() != 1 || plan.aggregate || !plan.order_by.empty() || plan.limit ||
        plan.offset) {
      throw MalformedQuery(
          "The selected field in a semi join sub-select must be an Id or a "
          "reference field, without aggregates, ORDER BY, LIMIT or OFFSET",
          ast.object_pos.row, ast.object_pos.column);
    }
    const FieldDef* f = plan.select[0].expr.ref.field;
    if (f->type != FieldType::kId && f->type != FieldType::kReference) {
      const ExprAst& e = ast.fields[0];
      throw MalformedQuery("The selected field in a sub-select must be an Id or a reference field",
                           e.pos.row, e.pos.column);
    }
  }
  return plan;
}

std::optional<Fault> Compile(const Catalog& catalog, const std::string& soql, std::time_t now,
                             QueryPlan* plan) {
  try {
    size_t chars = 0;
    for (char c : soql) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (chars > kMaxQueryChars) {
      throw MalformedQuery("SOQL statements cannot be longer than 100000 characters.", 1, 1);
    }
    SelectAst ast = Parse(soql);
    BindContext ctx(catalog, now);
    *plan = ctx.BindSelect(ast, false);
    return std::nullopt;
  } catch (const SoqlError& e) {
    return ToFault(soql, e);
  } catch (const std::exception& e) {
    return ToFault(soql, MalformedQuery("unexpected token: '<EOF>'", 1, 1));
  }
}

}  // namespace omni::soql
