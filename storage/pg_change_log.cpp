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
  pending_.push_back(std::move(row));
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
