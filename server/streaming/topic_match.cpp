#include "server/streaming/topic_match.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "server/core/json_text.h"
#include "server/soql/binder.h"
#include "server/soql/parser.h"
#include "server/soql/record_eval.h"
#include "server/soql/soql_error.h"

namespace omni::streaming {

namespace {

Error QueryError(StatusCode code, const std::string& message) {
  return Error{code, message, {"Query"}};
}

// The Streaming API Developer Guide's texts ("Unsupported PushTopic Queries") are the message of
// INVALID_FIELD on the Query field.
Error Unsupported(const std::string& message) {
  return QueryError(StatusCode::kInvalidFieldFault, message);
}

// A SOQL fault as the per-record error of a PushTopic write: the message without the query
// excerpt and position lines (a real org's DmlException shows only the message), INVALID_TYPE for
// an unknown object, INVALID_FIELD for everything else (the per-record StatusCode has no
// MALFORMED_QUERY).
Error FromFault(const Fault& f) {
  std::string message = f.message;
  size_t at = message.rfind("\nERROR at Row:");
  if (at != std::string::npos) {
    size_t nl = message.find('\n', at + 1);
    message = nl == std::string::npos ? "" : message.substr(nl + 1);
  }
  return QueryError(f.code == ExceptionCode::kInvalidType ? StatusCode::kInvalidType
                                                          : StatusCode::kInvalidFieldFault,
                    message);
}

bool HasSubquery(const soql::CondAst& c) {
  if (c.subquery) return true;
  for (const auto& k : c.children) {
    if (HasSubquery(k)) return true;
  }
  return false;
}

bool HasNot(const soql::CondAst& c) {
  if (c.kind == soql::CondAst::Kind::kNot) return true;
  for (const auto& k : c.children) {
    if (HasNot(k)) return true;
  }
  return false;
}

bool HasAggregate(const soql::CondAst& c) {
  if (!c.lhs.func.empty()) return true;
  for (const auto& k : c.children) {
    if (HasAggregate(k)) return true;
  }
  return false;
}

// The fields a condition reads, in the order it names them.
void ConditionFields(const soql::Condition& c, std::vector<const FieldDef*>* out) {
  if (c.kind == soql::Condition::Kind::kCompare || c.kind == soql::Condition::Kind::kSemiJoin) {
    if (c.lhs.ref.field && c.lhs.ref.hops.empty() &&
        std::find(out->begin(), out->end(), c.lhs.ref.field) == out->end()) {
      out->push_back(c.lhs.ref.field);
    }
  }
  for (const auto& k : c.children) ConditionFields(k, out);
}

bool HasRange(const soql::Condition& c) {
  if (c.range) return true;
  for (const auto& k : c.children) {
    if (HasRange(k)) return true;
  }
  return false;
}

bool IsTrue(const Record& r, const std::string& name, bool absent) {
  const Value* v = r.Find(name);
  if (!v || !*v) return absent;
  return **v == "true";
}

Value ValueOf(const Record& r, const std::string& name) {
  const Value* v = r.Find(name);
  return v ? *v : std::nullopt;
}

bool IsNumber(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return *end == '\0' && s.find_first_of("xXnNiI") == std::string::npos;
}

void AppendJsonValue(const FieldDef& f, const Value& v, std::string* out) {
  if (!v) {
    *out += "null";
    return;
  }
  switch (f.type) {
    case FieldType::kInt:
    case FieldType::kDouble:
    case FieldType::kPercent:
      if (IsNumber(*v)) {
        *out += *v;
        return;
      }
      break;
    case FieldType::kBoolean:
      if (*v == "true" || *v == "false") {
        *out += *v;
        return;
      }
      break;
    default:
      break;
  }
  AppendJsonString(*v, out);
}

}  // namespace

std::optional<Error> CompileTopicQuery(const Catalog& catalog, const std::string& query,
                                       std::time_t now, soql::QueryPlan* plan) {
  // The statement's shape first, as the guide's examples answer: a query that is valid SOQL but
  // not a PushTopic query gets the PushTopic message, not a SOQL binding fault.
  soql::SelectAst ast;
  try {
    ast = soql::Parse(query);
  } catch (const soql::SoqlError& e) {
    return FromFault(soql::ToFault(query, e));
  } catch (const std::exception&) {
    return Unsupported("unexpected token: '<EOF>'");
  }
  bool aggregate =
      !ast.group_by.empty() || ast.having.has_value() || (ast.where && HasAggregate(*ast.where));
  for (const auto& f : ast.fields) aggregate = aggregate || !f.func.empty();
  if (aggregate) return Unsupported("Aggregate queries are not supported");
  if (ast.limit) return Unsupported("'LIMIT' is not allowed");
  if (!ast.order_by.empty()) return Unsupported("'ORDER BY' clause is not allowed");
  // LIMITATIONS: the guide does not give OFFSET's message; this one follows LIMIT's.
  if (ast.offset) return Unsupported("'OFFSET' is not allowed");
  if (ast.where && HasSubquery(*ast.where)) {
    return Unsupported("semi/anti join sub-selects are not supported");
  }
  if (ast.where && HasNot(*ast.where)) return Unsupported("'NOT' is not supported");

  // LIMITATIONS: any queryable catalog object is accepted; a real org accepts custom objects and
  // a list of standard ones (CATALOG-DECISIONS.md Q6), and binds at the topic's ApiVersion.
  soql::QueryPlan bound;
  if (auto fault = soql::Compile(catalog, query, now, &bound)) return FromFault(*fault);
  bool has_id = false;
  for (const auto& item : bound.select) {
    if (!item.expr.ref.hops.empty()) return Unsupported("relationships are not supported");
    has_id = has_id || item.expr.ref.field->name == "Id";
  }
  if (bound.where) {
    std::string why;
    if (!soql::InMemoryEvaluable(*bound.where, &why)) {
      return Unsupported("relationships are not supported");
    }
    std::vector<const FieldDef*> filtered;
    ConditionFields(*bound.where, &filtered);
    for (const FieldDef* f : filtered) {
      if (f->type == FieldType::kTextarea) {
        // LIMITATIONS: the guide names the restriction ("Searching for values in Text Area
        // fields") but not its message; this text is ours.
        return Unsupported(
            "Text Area fields are not supported in the WHERE clause of a "
            "PushTopic query: " +
            f->name);
      }
    }
  }
  if (!has_id) {
    // LIMITATIONS: the guide names the rule ("The query SELECT clause must include Id") but not
    // the real org's message; this text is ours.
    return Unsupported("The SELECT clause of a PushTopic query must include Id");
  }
  *plan = std::move(bound);
  return std::nullopt;
}

NotifyForFields NotifyForFieldsOf(const std::string& text) {
  return text == "All"      ? NotifyForFields::kAll
         : text == "Select" ? NotifyForFields::kSelect
         : text == "Where"  ? NotifyForFields::kWhere
                            : NotifyForFields::kReferenced;
}

std::optional<Error> CheckNotifyForFields(const soql::QueryPlan& plan, NotifyForFields rule) {
  auto not_id = [](const FieldDef* f) { return f && f->name != "Id"; };
  bool select = false, where = false;
  for (const auto& item : plan.select) select = select || not_id(item.expr.ref.field);
  if (plan.where) {
    std::vector<const FieldDef*> filtered;
    ConditionFields(*plan.where, &filtered);
    for (const FieldDef* f : filtered) where = where || not_id(f);
  }
  // LIMITATIONS: the guide states these rules, not the real org's answer; code and texts are ours.
  switch (rule) {
    case NotifyForFields::kAll:
      return std::nullopt;
    case NotifyForFields::kReferenced:
      if (select || where) return std::nullopt;
      return Unsupported(
          "With NotifyForFields Referenced, the query needs a field other than Id in its SELECT "
          "or WHERE clause");
    case NotifyForFields::kSelect:
      if (select) return std::nullopt;
      return Unsupported(
          "With NotifyForFields Select, the query needs a field other than Id in its SELECT "
          "clause");
    case NotifyForFields::kWhere:
      if (where) return std::nullopt;
      return Unsupported(
          "With NotifyForFields Where, the query needs a field other than Id in its WHERE clause");
  }
  return std::nullopt;
}

bool UsesDateLiterals(const soql::QueryPlan& plan) { return plan.where && HasRange(*plan.where); }

std::optional<Error> TopicFromRecord(const Catalog& catalog, const Record& row, std::time_t now,
                                     Topic* out) {
  Topic t;
  t.id = ValueOf(row, "Id").value_or("");
  t.name = ValueOf(row, "Name").value_or("");
  t.is_active = IsTrue(row, "IsActive", true);
  t.notify_create = IsTrue(row, "NotifyForOperationCreate", true);
  t.notify_update = IsTrue(row, "NotifyForOperationUpdate", true);
  t.notify_delete = IsTrue(row, "NotifyForOperationDelete", true);
  t.notify_undelete = IsTrue(row, "NotifyForOperationUndelete", true);
  t.notify_for_fields = NotifyForFieldsOf(ValueOf(row, "NotifyForFields").value_or("Referenced"));
  if (auto e = CompileTopicQuery(catalog, ValueOf(row, "Query").value_or(""), now, &t.query)) {
    return e;
  }
  *out = std::move(t);
  return std::nullopt;
}

std::vector<std::string> WatchedFields(const Topic& topic) {
  std::vector<const FieldDef*> fields;
  if (topic.notify_for_fields == NotifyForFields::kReferenced ||
      topic.notify_for_fields == NotifyForFields::kSelect) {
    for (const auto& item : topic.query.select) {
      if (std::find(fields.begin(), fields.end(), item.expr.ref.field) == fields.end()) {
        fields.push_back(item.expr.ref.field);
      }
    }
  }
  if ((topic.notify_for_fields == NotifyForFields::kReferenced ||
       topic.notify_for_fields == NotifyForFields::kWhere) &&
      topic.query.where) {
    ConditionFields(*topic.query.where, &fields);
  }
  std::vector<std::string> names;
  for (const FieldDef* f : fields) names.push_back(f->name);
  return names;
}

std::optional<std::string> MatchChange(const Topic& topic, const Change& change) {
  const soql::QueryPlan& q = topic.query;
  if (!topic.is_active || !q.object || change.object != q.object->name || !change.after) {
    return std::nullopt;
  }
  bool wanted = false;
  switch (change.kind) {
    case storage::ChangeKind::kCreated:
      wanted = topic.notify_create;
      break;
    case storage::ChangeKind::kUpdated:
      wanted = topic.notify_update;
      break;
    case storage::ChangeKind::kDeleted:
      wanted = topic.notify_delete;
      break;
    case storage::ChangeKind::kUndeleted:
      wanted = topic.notify_undelete;
      break;
  }
  if (!wanted) return std::nullopt;
  // A deleted record is matched as it was (its after image is in the recycle bin).
  const Record& image = change.kind == storage::ChangeKind::kDeleted && change.before
                            ? *change.before
                            : *change.after;
  if (q.where && !soql::Matches(*q.where, image)) return std::nullopt;
  if (change.kind == storage::ChangeKind::kUpdated) {
    if (!change.before) return std::nullopt;
    bool changed = false;
    if (topic.notify_for_fields == NotifyForFields::kAll) {
      // Any field, system fields included: every update moves SystemModstamp, so with All every
      // update of a matching record is an event.
      for (const auto& [name, v] : change.after->fields) {
        changed = changed || ValueOf(*change.before, name) != v;
      }
      for (const auto& [name, v] : change.before->fields) {
        changed = changed || ValueOf(*change.after, name) != v;
      }
    } else {
      for (const auto& name : WatchedFields(topic)) {
        changed = changed || ValueOf(*change.before, name) != ValueOf(*change.after, name);
      }
    }
    if (!changed) return std::nullopt;
  }
  std::string json = "{";
  bool first = true;
  auto add = [&](const FieldDef& f) {
    if (!first) json += ",";
    first = false;
    AppendJsonString(f.name, &json);
    json += ":";
    AppendJsonValue(f, ValueOf(image, f.name), &json);
  };
  std::set<const FieldDef*> done;
  if (const FieldDef* id = q.object->FindField("Id")) {
    bool selected = false;
    for (const auto& item : q.select) selected = selected || item.expr.ref.field == id;
    if (!selected) {
      add(*id);
      done.insert(id);
    }
  }
  for (const auto& item : q.select) {
    const FieldDef* f = item.expr.ref.field;
    if (!f || !item.expr.ref.hops.empty() || !done.insert(f).second) continue;
    add(*f);
  }
  json += "}";
  return json;
}

std::optional<Record> ImageFromJson(const std::string& object, const std::string& json) {
  auto pairs = ParseFlatJsonObject(json);
  if (!pairs) return std::nullopt;
  Record r;
  r.type = object;
  r.fields = std::move(*pairs);
  return r;
}

}  // namespace omni::streaming
