// PgTx's change log (storage/change_log.h): changes queued in memory, written at commit in one
// statement per org that also takes the positions and sends the notification.
#include <map>

#include "server/core/json_text.h"
#include "storage/pg.h"

namespace omni::storage {

namespace {

void RecordJsonTo(const Record& rec, std::string* out) {
  *out += '{';
  bool first = true;
  for (const auto& [name, value] : rec.fields) {
    if (!first) *out += ',';
    first = false;
    AppendJsonString(name, out);
    *out += ':';
    if (value)
      AppendJsonString(*value, out);
    else
      *out += "null";
  }
  *out += '}';
}

// Positions: the org's head row is bumped by n (its lock is held until COMMIT, so concurrent
// transactions of one org take their positions in commit order); the rows get last-n+1..last;
// every prune_every positions the rows beyond the kept window go; NOTIFY goes out on commit.
constexpr const char* kFlushSql =
    "WITH head AS (INSERT INTO omni_change_heads (org_id, last) VALUES ($1, $3::bigint) "
    "ON CONFLICT (org_id) DO UPDATE SET last = omni_change_heads.last + EXCLUDED.last "
    "RETURNING last), "
    "ins AS (INSERT INTO omni_change_log (org_id, position, kind, object, record_id, user_id, "
    "before, after, committed_at) SELECT $1, head.last - $3::bigint + e.ord, e.c->>'k', "
    "e.c->>'o', e.c->>'r', e.c->>'u', e.c->'b', e.c->'a', clock_timestamp() FROM head, "
    "jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(c, ord)), "
    "prune AS (DELETE FROM omni_change_log WHERE org_id = $1 AND $4::bigint > 0 AND "
    "position <= (SELECT last FROM head) - $4::bigint AND (SELECT last FROM head) / $5::bigint "
    "<> ((SELECT last FROM head) - $3::bigint) / $5::bigint) "
    "SELECT pg_notify('omni_changes', $1 || ':' || last) FROM head";

}  // namespace

const char* ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kCreated:
      return "created";
    case ChangeKind::kUpdated:
      return "updated";
    case ChangeKind::kDeleted:
      return "deleted";
    case ChangeKind::kUndeleted:
      return "undeleted";
  }
  return "updated";
}

void PgTx::Append(ChangeRow row) {
  if (read_only_) throw StorageError("a read-only transaction cannot change records");
  if (lone_insert_id_) {
    // The lone insert logged its own change, image for image the one its caller queues now.
    if (row.kind == ChangeKind::kCreated && row.record_id == *lone_insert_id_ &&
        !lone_insert_appended_) {
      lone_insert_appended_ = true;
      return;
    }
    throw StorageError("a change queued after the transaction's lone insert had committed it");
  }
  pending_.push_back(std::move(row));
}

Record PgTx::InsertLogged(const std::string& org, const ObjectDef& obj, const Record& rec) {
  const std::string user = std::move(*lone_insert_user_);
  lone_insert_user_.reset();
  Params p;
  const std::string org_n = "$" + std::to_string(p.Add(org));
  std::string cols = "org_id", vals = org_n, id;
  for (const auto& [name, value] : rec.fields) {
    const FieldDef* f = obj.FindField(name);
    if (!f) throw StorageError("unknown field " + name);
    if (f->name == "Id" && value) id = *value;
    cols += ", " + QuoteIdent(ObjectDef::ColumnName(*f));
    vals += ", " + Placeholder(p.Add(value), *f);
  }
  if (id.empty()) throw StorageError("a lone insert needs its Id");
  // The after image, read back as the change log stores it: the canonical text of every field
  // (ImageColumns' expressions, named c0..cN), as one jsonb object keyed by field name. Calls
  // of jsonb_build_object take at most 100 arguments: 50 fields each, joined with ||.
  std::string returning = "id AS c0", json, pairs;
  int i = 0, in_call = 0;
  auto add_pair = [&](const std::string& name, int column) {
    if (in_call == 50) {
      json += (json.empty() ? "" : " || ") + ("jsonb_build_object(" + pairs + ")");
      pairs.clear();
      in_call = 0;
    }
    pairs += (pairs.empty() ? "'" : ", '") + name + "', c" + std::to_string(column);
    ++in_call;
  };
  add_pair("Id", 0);
  for (const auto& f : obj.fields) {
    if (f.name == "Id") continue;
    returning += ", " + SelectExpr(f) + " AS c" + std::to_string(++i);
    add_pair(f.name, i);
  }
  json += (json.empty() ? "" : " || ") + ("jsonb_build_object(" + pairs + ")");
  const StoreOptions& o = store_->options();
  const std::string object_n = "$" + std::to_string(p.Add(obj.name));
  const std::string user_n = "$" + std::to_string(p.Add(user));
  const std::string keep_n = "$" + std::to_string(p.Add(std::to_string(o.change_log_keep)));
  const std::string every_n =
      "$" + std::to_string(
                p.Add(std::to_string(o.change_log_prune_every > 0 ? o.change_log_prune_every : 1)));
  // The same head bump, row and prune as kFlushSql for a batch of one, after the insert in the
  // same statement: auto-committed, so the head row's lock (commit order) ends with it.
  const std::string sql =
      "WITH ins AS (INSERT INTO " + QuoteIdent(obj.TableName()) + " (" + cols + ") VALUES (" +
      vals + ") RETURNING " + returning +
      "), head AS (INSERT INTO omni_change_heads (org_id, last) VALUES (" + org_n +
      ", 1) ON CONFLICT (org_id) DO UPDATE SET last = omni_change_heads.last + 1 RETURNING "
      "last), log AS (INSERT INTO omni_change_log (org_id, position, kind, object, record_id, "
      "user_id, before, after, committed_at) SELECT " +
      org_n + ", head.last, 'created', " + object_n + ", ins.c0, " + user_n + ", NULL, " + json +
      ", clock_timestamp() FROM ins, head), prune AS (DELETE FROM omni_change_log WHERE org_id "
      "= " +
      org_n + " AND " + keep_n + "::bigint > 0 AND position <= (SELECT last FROM head) - " +
      keep_n + "::bigint AND (SELECT last FROM head) % " + every_n +
      "::bigint = 0) SELECT ins.*, pg_notify('omni_changes', " + org_n +
      " || ':' || head.last) FROM ins, head";
  auto r = Exec(*conn_, *work_, sql, p);
  lone_insert_id_ = id;
  committed_ = true;
  return ImageRecord(obj, r[0]);
}

void PgTx::FlushChanges() {
  // Normally one org per call; bootstrapping or a future cross-org job may write several.
  std::map<std::string, std::pair<std::string, long>> by_org;  // org -> (JSON array, count)
  for (const auto& row : pending_) {
    auto& [json, n] = by_org[row.org_id];
    json += json.empty() ? "[" : ",";
    json += "{\"k\":";
    AppendJsonString(ChangeKindName(row.kind), &json);
    json += ",\"o\":";
    AppendJsonString(row.object, &json);
    json += ",\"r\":";
    AppendJsonString(row.record_id, &json);
    json += ",\"u\":";
    AppendJsonString(row.user_id, &json);
    if (row.before) {
      json += ",\"b\":";
      RecordJsonTo(*row.before, &json);
    }
    if (row.after) {
      json += ",\"a\":";
      RecordJsonTo(*row.after, &json);
    }
    json += '}';
    ++n;
  }
  const StoreOptions& o = store_->options();
  for (auto& [org, batch] : by_org) {
    batch.first += ']';
    Params p;
    p.Add(org);
    p.Add(batch.first);
    p.Add(std::to_string(batch.second));
    p.Add(std::to_string(o.change_log_keep));
    p.Add(std::to_string(o.change_log_prune_every > 0 ? o.change_log_prune_every : 1));
    Run(kFlushSql, p);
  }
  pending_.clear();
}

}  // namespace omni::storage
