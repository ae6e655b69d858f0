// PgTx::SelectWhere (storage/record_tx.h): a RowSelect as one parameterised statement. Column
// names come from the catalog and are quoted; every value is a parameter cast to its column's
// type, a list as one array parameter, so that the statement text depends only on the shape of
// the selection and its prepared plan is reused.
#include "storage/pg.h"

namespace omni::storage {

namespace {

std::string Column(const FieldDef& f) { return QuoteIdent(ObjectDef::ColumnName(f)); }

// A PostgreSQL array literal of texts: every element double-quoted, " and \ escaped.
std::string ArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string Test(const FieldTest& t, Params* p) {
  if (!t.field) throw StorageError("a row test without a field");
  const FieldDef& f = *t.field;
  auto one = [&](const char* op) {
    if (t.values.size() != 1) throw StorageError("a row test needs one value");
    return Column(f) + " " + op + " " + Placeholder(p->Add(t.values[0]), f);
  };
  switch (t.op) {
    case FieldTest::Op::kEq:
      return one("=");
    case FieldTest::Op::kLe:
      return one("<=");
    case FieldTest::Op::kGe:
      return one(">=");
    case FieldTest::Op::kIn: {
      std::string cast = Placeholder(p->Add(ArrayLiteral(t.values)), f);
      // "$3::timestamptz" -> "$3::text[]::timestamptz[]"
      std::string type = cast.substr(cast.find("::") + 2);
      return Column(f) + " = ANY(" + cast.substr(0, cast.find("::")) + "::text[]::" + type + "[])";
    }
    case FieldTest::Op::kIsNull:
      return Column(f) + " IS NULL";
    case FieldTest::Op::kNotNull:
      return Column(f) + " IS NOT NULL";
  }
  throw StorageError("unknown row test");
}

}  // namespace

std::vector<Record> PgTx::SelectWhere(const std::string& org, const ObjectDef& obj,
                                      const RowSelect& sel) {
  Params p;
  std::string columns = ImageColumns(obj);
  if (!sel.fields.empty()) {
    columns = "id";
    for (const FieldDef* f : sel.fields) columns += ", " + SelectExpr(*f);
  }
  std::string sql = "SELECT " + columns + " FROM " + QuoteIdent(obj.TableName()) +
                    " WHERE org_id = $" + std::to_string(p.Add(org)) + " AND NOT isdeleted";
  for (const auto& t : sel.where) {
    // An empty list matches nothing; no statement needed.
    if (t.op == FieldTest::Op::kIn && t.values.empty()) return {};
    sql += " AND " + Test(t, &p);
  }
  sql += " ORDER BY ";
  for (const auto& o : sel.order) {
    if (o.first_of.empty()) throw StorageError("an order key without fields");
    std::string key;
    for (const FieldDef* f : o.first_of) key += (key.empty() ? "" : ", ") + Column(*f);
    sql += (o.first_of.size() > 1 ? "COALESCE(" + key + ")" : key) +
           (o.descending ? " DESC NULLS LAST, " : " ASC NULLS LAST, ");
  }
  sql += "id";
  if (sel.limit) sql += " LIMIT " + std::to_string(sel.limit);
  if (sel.offset) sql += " OFFSET " + std::to_string(sel.offset);
  std::vector<Record> out;
  for (const auto& row : Run(sql, p)) {
    if (sel.fields.empty()) {
      out.push_back(ImageRecord(obj, row));
      continue;
    }
    Record rec;
    rec.type = obj.name;
    rec.fields.emplace_back("Id", Cell(row[0]));
    for (size_t i = 0; i < sel.fields.size(); ++i) {
      if (sel.fields[i]->name == "Id") continue;
      rec.fields.emplace_back(sel.fields[i]->name, Cell(row[static_cast<int>(i + 1)]));
    }
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace omni::storage
