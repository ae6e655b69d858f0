#include "storage/sql_text.h"

#include "storage/store.h"

namespace omni::storage {

std::string QuoteIdent(const std::string& ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string SelectExpr(const FieldDef& f) {
  return SelectExprOf(f, QuoteIdent(ObjectDef::ColumnName(f)));
}

std::string DateTimeText(const std::string& col) {
  return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

std::string SelectExprOf(const FieldDef& f, const std::string& col) {
  switch (f.type) {
    case FieldType::kBoolean:
      return "CASE WHEN " + col + " THEN 'true' WHEN NOT " + col + " THEN 'false' END";
    case FieldType::kDatetime:
      return DateTimeText(col);
    case FieldType::kDate:
      return "to_char(" + col + ", 'YYYY-MM-DD')";
    case FieldType::kInt:
    case FieldType::kDouble:
    case FieldType::kPercent:
      return col + "::text";
    default:
      return col;
  }
}

std::string Placeholder(int n, const FieldDef& f) {
  return "$" + std::to_string(n) + "::" + SqlTypeName(f.type);
}

namespace {

std::string UniqueIndexName(const ObjectDef& obj, const FieldDef& f) {
  return obj.TableName() + "_" + ObjectDef::ColumnName(f) + "_uniq";
}

}  // namespace

bool UniqueViolation::IsOnField(const ObjectDef& obj, const FieldDef& f) const {
  // PostgreSQL's message names the constraint: ... violates unique constraint "<index>".
  return std::string(what()).find("\"" + UniqueIndexName(obj, f) + "\"") != std::string::npos;
}

std::string PushSweepPredicate(const std::string& q) {
  return q + "status = 'Assigned' AND " + q + "pushtimeout > 0 AND NOT " + q + "isdeleted";
}

std::vector<std::string> SchemaStatements(const Catalog& catalog) {
  std::vector<std::string> out = {
      "CREATE TABLE IF NOT EXISTS omni_orgs (org_id text PRIMARY KEY, name text NOT NULL, "
      "created timestamptz NOT NULL DEFAULT now())",
      "CREATE TABLE IF NOT EXISTS omni_sessions (session_id text PRIMARY KEY, org_id text NOT "
      "NULL, user_id text NOT NULL, created timestamptz NOT NULL DEFAULT now())",
      "CREATE TABLE IF NOT EXISTS omni_credentials (username text PRIMARY KEY, org_id text NOT "
      "NULL, user_id text NOT NULL, salt text NOT NULL, password_hash text NOT NULL)",
      // Session expiry and login lockout (storage/session_tx.h), in epoch ms of the server's
      // clock. Sessions of a database written before expiry existed have expired.
      "ALTER TABLE omni_sessions ADD COLUMN IF NOT EXISTS expires_ms bigint NOT NULL DEFAULT 0, "
      "ADD COLUMN IF NOT EXISTS timeout_ms bigint NOT NULL DEFAULT 0",
      "ALTER TABLE omni_credentials ADD COLUMN IF NOT EXISTS failed_logins integer NOT NULL "
      "DEFAULT 0, ADD COLUMN IF NOT EXISTS locked_until_ms bigint NOT NULL DEFAULT 0",
      "CREATE TABLE IF NOT EXISTS omni_autonumbers (org_id text NOT NULL, object text NOT NULL, "
      "field text NOT NULL, last bigint NOT NULL, PRIMARY KEY (org_id, object, field))",
      "CREATE SEQUENCE IF NOT EXISTS omni_id_seq",
      // queryMore: where a query's later pages start; expired after 15 minutes unused.
      "CREATE TABLE IF NOT EXISTS omni_query_locators (locator text PRIMARY KEY, org_id text NOT "
      "NULL, soql text NOT NULL, include_deleted boolean NOT NULL, next_offset bigint NOT NULL, "
      "total bigint NOT NULL, created timestamptz NOT NULL DEFAULT now(), last_used timestamptz "
      "NOT NULL DEFAULT now())",
      // The change log (storage/change_log.h): one row per record change, positions per org.
      "CREATE TABLE IF NOT EXISTS omni_change_heads (org_id text PRIMARY KEY, last bigint NOT "
      "NULL)",
      "CREATE TABLE IF NOT EXISTS omni_change_log (org_id text NOT NULL, position bigint NOT "
      "NULL, kind text NOT NULL, object text NOT NULL, record_id text NOT NULL, user_id text NOT "
      "NULL, before jsonb, after jsonb, committed_at timestamptz NOT NULL, PRIMARY KEY (org_id, "
      "position))",
      // The emulator clock of each org (storage/clock_row.h), shared by every server process.
      "CREATE TABLE IF NOT EXISTS omni_clocks (org_id text PRIMARY KEY, frozen boolean NOT NULL, "
      "at_millis bigint NOT NULL, offset_millis bigint NOT NULL, version bigint NOT NULL)",
  };
  for (const auto& obj : catalog.objects()) {
    std::string table = QuoteIdent(obj.TableName());
    out.push_back("CREATE TABLE IF NOT EXISTS " + table +
                  " (org_id text NOT NULL, id text PRIMARY KEY)");
    for (const auto& f : obj.fields) {
      if (f.name == "Id") continue;
      out.push_back("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " +
                    QuoteIdent(ObjectDef::ColumnName(f)) + " " + SqlTypeName(f.type));
    }
    out.push_back("CREATE INDEX IF NOT EXISTS " + QuoteIdent(obj.TableName() + "_org") + " ON " +
                  table + " (org_id, systemmodstamp)");
    for (const auto& f : obj.fields) {
      std::string col = ObjectDef::ColumnName(f);
      std::string index = QuoteIdent(UniqueIndexName(obj, f));
      // Salesforce keeps a unique value reserved while the record is in the recycle bin too.
      if (f.unique) {
        out.push_back("CREATE UNIQUE INDEX IF NOT EXISTS " + index + " ON " + table + " (org_id, " +
                      QuoteIdent(col) + ")");
      } else if (f.type == FieldType::kReference && !f.system) {
        // Records are looked up by what they point at (an agent's AgentWork, a work item's
        // PendingServiceRouting, a queue's members); the system fields (CreatedById, ...) are not,
        // and an index on them would only slow every insert.
        out.push_back("CREATE INDEX IF NOT EXISTS " +
                      QuoteIdent(obj.TableName() + "_" + col + "_ref") + " ON " + table +
                      " (org_id, " + QuoteIdent(col) + ")");
      } else if (f.developer_name) {
        // A DeveloperName is unique whatever the case; the index is its only check (a create
        // that names one costs no lookup). A database written before the index existed may
        // hold duplicates: it then starts without the index, with a warning.
        out.push_back("DO $$ BEGIN CREATE UNIQUE INDEX IF NOT EXISTS " + index + " ON " + table +
                      " (org_id, lower(" + QuoteIdent(col) +
                      ")); EXCEPTION WHEN unique_violation "
                      "THEN RAISE WARNING 'duplicate DeveloperNames: no unique index %', '" +
                      UniqueIndexName(obj, f) + "'; END $$");
      }
    }
  }
  // The push time-out sweep asks every interval which orgs have due pushes: only Assigned work
  // with a time-out is in this partial index (a push lives there from its create to its answer),
  // so the sweep reads the outstanding pushes of every org and nothing else, however many orgs
  // and closed AgentWork the database holds.
  if (const ObjectDef* work = catalog.FindObject("AgentWork")) {
    out.push_back("CREATE INDEX IF NOT EXISTS " + QuoteIdent(work->TableName() + "_pushes") +
                  " ON " + QuoteIdent(work->TableName()) + " (org_id, assigneddatetime) WHERE " +
                  PushSweepPredicate(""));
  }
  // The routing engine's waiting requests of one queue, in routing order (RoutingPriority, then
  // request time, then Id; server/routing/agent_state.h WaitingRequests): equality on the
  // leading columns, so a page of the oldest is read from the index without sorting the queue.
  if (const ObjectDef* psr = catalog.FindObject("PendingServiceRouting")) {
    const FieldDef* queue = psr->FindField("QueueId");
    const FieldDef* pushed = psr->FindField("IsPushed");
    const FieldDef* priority = psr->FindField("RoutingPriority");
    const FieldDef* custom = psr->FindField("CustomRequestedDateTime");
    const FieldDef* created = psr->FindField("CreatedDate");
    if (queue && pushed && priority && custom && created) {
      auto col = [](const FieldDef* f) { return QuoteIdent(ObjectDef::ColumnName(*f)); };
      out.push_back("CREATE INDEX IF NOT EXISTS " + QuoteIdent(psr->TableName() + "_waiting") +
                    " ON " + QuoteIdent(psr->TableName()) + " (org_id, " + col(queue) + ", " +
                    col(pushed) + ", " + col(priority) + ", COALESCE(" + col(custom) + ", " +
                    col(created) + "), id) WHERE NOT isdeleted");
    }
  }
  return out;
}

}  // namespace omni::storage
