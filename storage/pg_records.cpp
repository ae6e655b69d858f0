// PgTx's record statements (storage/record_tx.h).
#include <map>

#include "storage/pg.h"
#include "storage/query_sql.h"

namespace omni::storage {

namespace {

std::string N(int n) { return "$" + std::to_string(n); }

const FieldDef& FieldOf(const ObjectDef& obj, const std::string& name) {
  const FieldDef* f = obj.FindField(name);
  if (!f) throw StorageError("unknown field " + name);
  return *f;
}

}  // namespace

std::uint64_t PgTx::NextId() {
  // nextval is not transactional: it needs no BEGIN, so a lone insert stays one statement.
  return store_->NextIdFromBlock([&] {
    return Exec(*conn_, *work_, "SELECT nextval('omni_id_seq')", Params())[0][0]
        .as<std::uint64_t>();
  });
}

std::uint64_t PgTx::NextAutoNumber(const std::string& org, const ObjectDef& obj,
                                   const FieldDef& field) {
  Params p;
  p.Add(org);
  p.Add(obj.name);
  p.Add(field.name);
  // Row lock on the counter: concurrent calls (from any process) take distinct numbers.
  auto r = Write(
      "INSERT INTO omni_autonumbers (org_id, object, field, last) VALUES ($1, $2, $3, 1) ON "
      "CONFLICT (org_id, object, field) DO UPDATE SET last = omni_autonumbers.last + 1 RETURNING "
      "last",
      p);
  return r[0][0].as<std::uint64_t>();
}

Record PgTx::Insert(const std::string& org, const ObjectDef& obj, const Record& rec) {
  if (lone_insert_user_ && !begun_ && pending_.empty()) return InsertLogged(org, obj, rec);
  lone_insert_user_.reset();  // the promise was about the first write only
  Params p;
  std::string cols = "org_id", vals = N(p.Add(org));
  for (const auto& [name, value] : rec.fields) {
    const FieldDef& f = FieldOf(obj, name);
    cols += ", " + QuoteIdent(ObjectDef::ColumnName(f));
    vals += ", " + Placeholder(p.Add(value), f);
  }
  auto r = Write("INSERT INTO " + QuoteIdent(obj.TableName()) + " (" + cols + ") VALUES (" + vals +
                     ") RETURNING " + ImageColumns(obj),
                 p);
  return ImageRecord(obj, r[0]);
}

std::optional<Record> PgTx::Update(const std::string& org, const ObjectDef& obj,
                                   const std::string& id, const Record& changes) {
  Params p;
  std::string sets;
  for (const auto& [name, value] : changes.fields) {
    const FieldDef& f = FieldOf(obj, name);
    if (!sets.empty()) sets += ", ";
    sets += QuoteIdent(ObjectDef::ColumnName(f)) + " = " + Placeholder(p.Add(value), f);
  }
  if (sets.empty()) return LockRow(org, obj, id);
  int org_n = p.Add(org), id_n = p.Add(id);
  auto r = Write("UPDATE " + QuoteIdent(obj.TableName()) + " SET " + sets + " WHERE org_id = " +
                     N(org_n) + " AND id = " + N(id_n) + " RETURNING " + ImageColumns(obj),
                 p);
  if (r.empty()) return std::nullopt;
  return ImageRecord(obj, r[0]);
}

std::optional<Record> PgTx::SetDeleted(const std::string& org, const ObjectDef& obj,
                                       const std::string& id, bool deleted,
                                       const std::string& user_id, const std::string& now) {
  Params p;
  p.Add(std::string(deleted ? "true" : "false"));
  p.Add(user_id);
  p.Add(now);
  p.Add(org);
  p.Add(id);
  auto r = Write("UPDATE " + QuoteIdent(obj.TableName()) +
                     " SET isdeleted = $1::boolean, lastmodifiedbyid = $2, lastmodifieddate = "
                     "$3::timestamptz, systemmodstamp = $3::timestamptz WHERE org_id = $4 AND id = "
                     "$5 RETURNING " +
                     ImageColumns(obj),
                 p);
  if (r.empty()) return std::nullopt;
  return ImageRecord(obj, r[0]);
}

std::optional<Record> PgTx::LockRow(const std::string& org, const ObjectDef& obj,
                                    const std::string& id) {
  Params p;
  p.Add(org);
  p.Add(id);
  auto r = Run("SELECT " + ImageColumns(obj) + " FROM " + QuoteIdent(obj.TableName()) +
                   " WHERE org_id = $1 AND id = $2 FOR UPDATE",
               p);
  if (r.empty()) return std::nullopt;
  return ImageRecord(obj, r[0]);
}

std::optional<Record> PgTx::TryLockRow(const std::string& org, const ObjectDef& obj,
                                       const std::string& id) {
  Params p;
  p.Add(org);
  p.Add(id);
  auto r = Run("SELECT " + ImageColumns(obj) + " FROM " + QuoteIdent(obj.TableName()) +
                   " WHERE org_id = $1 AND id = $2 FOR UPDATE SKIP LOCKED",
               p);
  if (r.empty()) return std::nullopt;
  return ImageRecord(obj, r[0]);
}

std::vector<Record> PgTx::SelectByIds(const std::string& org, const ObjectDef& obj,
                                      const std::vector<std::string>& ids,
                                      const std::vector<const FieldDef*>& fields,
                                      bool include_deleted) {
  std::vector<Record> out;
  if (ids.empty()) return out;
  Params p;
  std::string exprs = "id";
  for (const FieldDef* f : fields) exprs += ", " + SelectExpr(*f);
  // One array parameter, so that the statement text (and its prepared plan) does not depend on
  // how many Ids are asked for.
  std::string list;
  for (const auto& id : ids) {
    if (!list.empty()) list += ",";
    list += id;  // normalised Ids: [0-9A-Za-z] only, so a comma-separated list is unambiguous
  }
  std::string sql = "SELECT " + exprs + " FROM " + QuoteIdent(obj.TableName()) +
                    " WHERE org_id = " + N(p.Add(org)) + " AND id = ANY(string_to_array(" +
                    N(p.Add(list)) + ", ','))";
  if (!include_deleted) sql += " AND NOT isdeleted";
  auto rows = Run(sql, p);
  std::map<std::string, Record> by_id;
  for (const auto& row : rows) {
    Record rec;
    rec.type = obj.name;
    rec.fields.emplace_back("Id", Cell(row[0]));
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i]->name == "Id") continue;
      rec.fields.emplace_back(fields[i]->name, Cell(row[static_cast<int>(i + 1)]));
    }
    by_id[row[0].c_str()] = std::move(rec);
  }
  for (const auto& id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) out.push_back(it->second);
  }
  return out;
}

std::vector<std::string> PgTx::FindIdsByValue(const std::string& org, const ObjectDef& obj,
                                              const FieldDef& field, const std::string& value,
                                              bool include_deleted) {
  Params p;
  std::string sql =
      "SELECT id FROM " + QuoteIdent(obj.TableName()) + " WHERE org_id = " + N(p.Add(org)) +
      " AND " + QuoteIdent(ObjectDef::ColumnName(field)) + " = " + Placeholder(p.Add(value), field);
  if (!include_deleted) sql += " AND NOT isdeleted";
  sql += " ORDER BY id LIMIT 100";
  std::vector<std::string> out;
  for (const auto& row : Run(sql, p)) out.push_back(row[0].c_str());
  return out;
}

std::vector<std::vector<std::string>> PgTx::RunChecks(const std::string& org,
                                                      const std::vector<ValueCheck>& checks) {
  std::vector<std::vector<std::string>> out(checks.size());
  if (checks.empty()) return out;
  Params p;
  int org_n = p.Add(org);
  std::string sql = "SELECT ";
  for (size_t i = 0; i < checks.size(); ++i) {
    const ValueCheck& c = checks[i];
    if (i) sql += ", ";
    std::string table = QuoteIdent(c.object->TableName());
    if (c.kind == ValueCheck::Kind::kReferenceExists) {
      sql += "(SELECT id FROM " + table + " WHERE org_id = " + N(org_n) +
             " AND id = " + N(p.Add(c.value)) + " AND NOT isdeleted)";
    } else {
      sql += "(SELECT string_agg(id, ',' ORDER BY id) FROM " + table +
             " WHERE org_id = " + N(org_n) + " AND " + QuoteIdent(ObjectDef::ColumnName(*c.field)) +
             " = " + Placeholder(p.Add(c.value), *c.field) + " AND id <> " + N(p.Add(c.own_id)) +
             ")";
    }
  }
  auto r = Run(sql, p);
  for (size_t i = 0; i < checks.size(); ++i) {
    const auto& f = r[0][static_cast<int>(i)];
    if (f.is_null()) continue;
    std::string text = f.c_str();
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t comma = text.find(',', pos);
      if (comma == std::string::npos) comma = text.size();
      if (comma > pos) out[i].push_back(text.substr(pos, comma - pos));
      pos = comma + 1;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> PgTx::SelectModifiedBetween(
    const std::string& org, const ObjectDef& obj, bool deleted, std::int64_t start,
    std::int64_t end, std::size_t limit) {
  Params p;
  p.Add(org);
  p.Add(std::to_string(start));
  p.Add(std::to_string(end));
  p.Add(std::to_string(limit));
  // Served by the (org_id, systemmodstamp) index every object table has.
  std::string sql = "SELECT id, floor(extract(epoch FROM systemmodstamp))::bigint FROM " +
                    QuoteIdent(obj.TableName()) +
                    " WHERE org_id = $1 AND systemmodstamp >= to_timestamp($2::bigint) AND "
                    "systemmodstamp < to_timestamp($3::bigint) AND " +
                    (deleted ? "isdeleted" : "NOT isdeleted") +
                    " ORDER BY systemmodstamp, id LIMIT $4::bigint";
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& row : Run(sql, p)) out.emplace_back(row[0].c_str(), row[1].as<std::int64_t>());
  return out;
}

std::vector<std::vector<Value>> PgTx::RunQuery(const std::string& org, const soql::QueryPlan& plan,
                                               bool include_deleted, std::int64_t page_offset,
                                               std::int64_t page_size) {
  Params p;
  std::string sql = QuerySelectSql(plan, org, include_deleted, page_offset, page_size, &p);
  std::vector<std::vector<Value>> out;
  for (const auto& row : RunOnce(sql, p)) {
    std::vector<Value> values;
    values.reserve(row.size());
    for (const auto& f : row) values.push_back(Cell(f));
    out.push_back(std::move(values));
  }
  return out;
}

std::int64_t PgTx::CountQuery(const std::string& org, const soql::QueryPlan& plan,
                              bool include_deleted) {
  Params p;
  std::string sql = QueryCountSql(plan, org, include_deleted, &p);
  return RunOnce(sql, p)[0][0].as<std::int64_t>();
}

}  // namespace omni::storage
