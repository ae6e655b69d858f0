// (A benchmark, not a test: it links libpqxx itself for the reference, which the server keeps
// inside storage/.)
#include "bench/routing_reference.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <utility>

namespace omni_bench {

namespace {

const char* kRefOrg = "00Dref0000000001";

// The API's text form of now, as the server's clock writes it.
std::string NowText() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// Ids no emulator Id can have (prefix, "ref", a counter), unique across the run's threads.
std::atomic<long> g_seq{0};
std::string NewId(const char* prefix) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sref%012ld", prefix, g_seq++);
  return buf;
}

void AppendJson(const std::string& s, std::string* out) {
  *out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      *out += b;
    } else {
      *out += c;
    }
  }
  *out += '"';
}

// The statement's one change-log write: storage/pg_change_log.cpp's kFlushSql.
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

// One object's table: its columns and the image expressions of storage's ImageColumns.
struct Table {
  std::string name;
  std::vector<std::pair<std::string, std::string>> columns;  // name, SQL type
  std::string image;                                         // RETURNING list

  std::string TypeOf(const std::string& column) const {
    for (const auto& [n, t] : columns) {
      if (n == column) return t;
    }
    throw std::runtime_error(name + " has no column " + column);
  }
};

Table ReadTable(pqxx::connection& c, const std::string& name) {
  Table t;
  t.name = name;
  pqxx::nontransaction w(c);
  auto rows = w.exec_params(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 "
      "ORDER BY ordinal_position",
      name);
  if (rows.empty()) throw std::runtime_error("no table " + name);
  t.image = "id";
  for (const auto& r : rows) {
    std::string col = r[0].c_str(), type = r[1].c_str();
    if (col == "org_id") continue;
    t.columns.emplace_back(col, type);
    if (col == "id") continue;
    std::string q = "\"" + col + "\"";
    if (type == "boolean")
      t.image += ", CASE WHEN " + q + " THEN 'true' WHEN NOT " + q + " THEN 'false' END";
    else if (type == "timestamp with time zone")
      t.image += ", to_char(" + q + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
    else if (type == "date")
      t.image += ", to_char(" + q + ", 'YYYY-MM-DD')";
    else if (type == "text" || type == "character varying")
      t.image += ", " + q;
    else
      t.image += ", " + q + "::text";
  }
  return t;
}

using Values = std::vector<std::pair<std::string, std::string>>;  // column, value

}  // namespace

struct Reference::Impl {
  pqxx::connection conn;
  std::string user;
  bool routing_lock;
  Table case_t, psr_t, work_t;
  std::vector<std::pair<std::string, std::string>> waiting;  // prepared (PSR Id, Case Id)
  std::map<std::string, std::string> prepared_names;         // statement text -> name

  Impl(const std::string& url, std::string user_id, bool lock)
      : conn(url), user(std::move(user_id)), routing_lock(lock) {
    case_t = ReadTable(conn, "sobj_case");
    psr_t = ReadTable(conn, "sobj_pendingservicerouting");
    work_t = ReadTable(conn, "sobj_agentwork");
    conn.prepare("flush", kFlushSql);
  }

  // Prepared once per text, as the server's statement cache does.
  // Parameters as the server passes them: C strings, nullptr for NULL.
  pqxx::result Exec(pqxx::nontransaction& w, const std::string& sql,
                    const std::vector<std::optional<std::string>>& params) {
    auto it = prepared_names.find(sql);
    if (it == prepared_names.end()) {
      std::string name = "s" + std::to_string(prepared_names.size());
      conn.prepare(name, sql);
      it = prepared_names.emplace(sql, name).first;
    }
    std::vector<const char*> ptrs;
    for (const auto& p : params) ptrs.push_back(p ? p->c_str() : nullptr);
    return w.exec_prepared(it->second, pqxx::prepare::make_dynamic_params(ptrs));
  }

  // The server's INSERT ... RETURNING image of a record, every column given (NULL where the
  // record has no value, as the dispatcher's complete records have); appends the created change.
  pqxx::row Insert(pqxx::nontransaction& w, const Table& t, const char* object,
                   const Values& values, std::string* changes) {
    std::vector<std::optional<std::string>> params{std::string(kRefOrg)};
    std::string cols = "org_id", vals = "$1";
    for (const auto& [col, type] : t.columns) {
      std::optional<std::string> value;
      for (const auto& [name, v] : values) {
        if (name == col) value = v;
      }
      params.push_back(value);
      cols += ", \"" + col + "\"";
      vals += ", $" + std::to_string(params.size()) + "::" + type;
    }
    for (const auto& v : values) t.TypeOf(v.first);  // a column the table lacks is a bug here
    auto r = Exec(
        w,
        "INSERT INTO \"" + t.name + "\" (" + cols + ") VALUES (" + vals + ") RETURNING " + t.image,
        params);
    Change(t, "created", object, nullptr, r[0], changes);
    return r[0];
  }

  // The server's update of a record: its locked read (the before image), then the UPDATE.
  void Update(pqxx::nontransaction& w, const Table& t, const char* object, const std::string& id,
              const Values& values, std::string* changes) {
    auto before = Exec(
        w,
        "SELECT " + t.image + " FROM \"" + t.name + "\" WHERE org_id = $1 AND id = $2 FOR UPDATE",
        {std::string(kRefOrg), id});
    if (before.empty()) throw std::runtime_error("no " + std::string(object) + " " + id);
    std::vector<std::optional<std::string>> params;
    std::string sets;
    for (const auto& [col, value] : values) {
      params.push_back(value);
      if (!sets.empty()) sets += ", ";
      sets += "\"" + col + "\" = $" + std::to_string(params.size()) + "::" + t.TypeOf(col);
    }
    params.push_back(std::string(kRefOrg));
    params.push_back(id);
    auto r = Exec(w,
                  "UPDATE \"" + t.name + "\" SET " + sets + " WHERE org_id = $" +
                      std::to_string(params.size() - 1) + " AND id = $" +
                      std::to_string(params.size()) + " RETURNING " + t.image,
                  params);
    const pqxx::row before_row = before[0];
    Change(t, "updated", object, &before_row, r[0], changes);
  }

  void Change(const Table& t, const char* kind, const char* object, const pqxx::row* before,
              const pqxx::row& after, std::string* out) {
    *out += out->empty() ? "[" : ",";
    *out += "{\"k\":\"" + std::string(kind) + "\",\"o\":\"" + object + "\",\"r\":";
    AppendJson(after[0].c_str(), out);
    *out += ",\"u\":";
    AppendJson(user, out);
    auto image = [&](const pqxx::row& row) {
      *out += "{";
      for (size_t i = 0; i < t.columns.size(); ++i) {
        if (i) *out += ",";
        AppendJson(t.columns[i].first, out);
        *out += ":";
        if (row[static_cast<int>(i)].is_null())
          *out += "null";
        else
          AppendJson(row[static_cast<int>(i)].c_str(), out);
      }
      *out += "}";
    };
    if (before) {
      *out += ",\"b\":";
      image(*before);
    }
    *out += ",\"a\":";
    image(after);
    *out += "}";
  }

  void Flush(pqxx::nontransaction& w, std::string changes, int n) {
    changes += "]";
    w.exec_prepared("flush", kRefOrg, changes, n, 100000, 1000);
  }

  Values Audit(const std::string& id, const std::string& now) {
    return {{"id", id},
            {"isdeleted", "false"},
            {"createdbyid", user},
            {"createddate", now},
            {"lastmodifiedbyid", user},
            {"lastmodifieddate", now},
            {"systemmodstamp", now}};
  }

  // The next number of an autonumber field (Case.CaseNumber, AgentWork.Name): the counter row.
  std::string AutoNumber(pqxx::nontransaction& w, const char* object, const char* field) {
    auto r = Exec(w,
                  "INSERT INTO omni_autonumbers (org_id, object, field, last) VALUES ($1, $2, $3, "
                  "1) ON CONFLICT (org_id, object, field) DO UPDATE SET last = "
                  "omni_autonumbers.last + 1 RETURNING last",
                  {std::string(kRefOrg), std::string(object), std::string(field)});
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08ld", r[0][0].as<long>());
    return buf;
  }

  // A Case in a routed queue and its PendingServiceRouting; returns the request's Id.
  std::string CaseAndRequest(pqxx::nontransaction& w, const std::string& now, std::string* changes,
                             std::string* case_id) {
    std::string number = AutoNumber(w, "Case", "CaseNumber");
    *case_id = NewId("500");
    Values c = Audit(*case_id, now);
    c.insert(c.end(), {{"ownerid", "00Gref000000000001"},
                       {"casenumber", number},
                       {"subject", "Reference " + number},
                       {"status", "New"},
                       {"priority", "Medium"}});
    Insert(w, case_t, "Case", c, changes);
    std::string psr_id = NewId("0JR");
    Values p = Audit(psr_id, now);
    p.insert(p.end(), {{"name", number},
                       {"workitemid", *case_id},
                       {"queueid", "00Gref000000000001"},
                       {"ownerid", "00Gref000000000001"},
                       {"servicechannelid", "0N9ref000000000001"},
                       {"routingmodel", "LeastActive"},
                       {"routingpriority", "1"},
                       {"capacityweight", "1"},
                       {"routingtype", "QueueBased"},
                       {"isreadyforrouting", "true"},
                       {"ispushed", "false"},
                       {"ispushattempted", "false"},
                       {"istransfer", "false"},
                       {"serial", "1"}});
    // The listener's org write: in a savepoint, as the dispatcher writes every record.
    w.exec("SAVEPOINT omni_record");
    Insert(w, psr_t, "PendingServiceRouting", p, changes);
    w.exec("RELEASE SAVEPOINT omni_record");
    return psr_id;
  }

  // The push, as the engine writes it (routing_engine.cpp Push, through the org writes): the
  // org routing lock, then in a savepoint the AgentWork (its Name from the counter), Assigned,
  // and in another the request's locked read and its update (pushed; Serial counts writes).
  void Push(pqxx::nontransaction& w, const std::string& now, const std::string& psr_id,
            const std::string& case_id, std::string* changes) {
    if (routing_lock) {
      Exec(w, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
           {std::string(kRefOrg) + "/routing"});
    }
    w.exec("SAVEPOINT omni_record");
    std::string work_id = NewId("0Bz");
    Values a = Audit(work_id, now);
    a.insert(a.end(), {{"name", AutoNumber(w, "AgentWork", "Name")},
                       {"userid", user},
                       {"workitemid", case_id},
                       {"servicechannelid", "0N9ref000000000001"},
                       {"pendingserviceroutingid", psr_id},
                       {"status", "Assigned"},
                       {"capacityweight", "1"},
                       {"requestdatetime", now},
                       {"assigneddatetime", now},
                       {"originalqueueid", "00Gref000000000001"},
                       {"pushtimeout", "0"}});
    Insert(w, work_t, "AgentWork", a, changes);
    w.exec("RELEASE SAVEPOINT omni_record");
    w.exec("SAVEPOINT omni_record");
    Update(w, psr_t, "PendingServiceRouting", psr_id,
           {{"ispushed", "true"},
            {"ispushattempted", "true"},
            {"serial", "2"},
            {"lastmodifiedbyid", user},
            {"lastmodifieddate", now},
            {"systemmodstamp", now}},
           changes);
    w.exec("RELEASE SAVEPOINT omni_record");
  }
};

Reference::Reference(const std::string& db_url, const std::string& user_id, bool routing_lock)
    : impl_(std::make_unique<Impl>(db_url, user_id, routing_lock)) {}
Reference::~Reference() = default;

void Reference::RoutedCreate() {
  pqxx::nontransaction w(impl_->conn);
  w.exec("BEGIN");
  std::string now = NowText(), changes, case_id;
  std::string psr = impl_->CaseAndRequest(w, now, &changes, &case_id);
  impl_->Push(w, now, psr, case_id, &changes);
  impl_->Flush(w, changes, 4);
  w.exec("COMMIT");
}

void Reference::PlainCreate() {
  pqxx::nontransaction w(impl_->conn);
  w.exec("BEGIN");
  std::string now = NowText(), changes;
  std::string number = impl_->AutoNumber(w, "Case", "CaseNumber");
  Values c = impl_->Audit(NewId("500"), now);
  c.insert(c.end(), {{"ownerid", "00Gref000000000002"},
                     {"casenumber", number},
                     {"subject", "Reference " + number},
                     {"status", "New"},
                     {"priority", "Medium"}});
  impl_->Insert(w, impl_->case_t, "Case", c, &changes);
  impl_->Flush(w, changes, 1);
  w.exec("COMMIT");
}

void Reference::Prepare(int n) {
  pqxx::nontransaction w(impl_->conn);
  for (int i = 0; i < n; ++i) {
    w.exec("BEGIN");
    std::string now = NowText(), changes, case_id;
    std::string psr = impl_->CaseAndRequest(w, now, &changes, &case_id);
    impl_->Flush(w, changes, 2);
    w.exec("COMMIT");
    impl_->waiting.emplace_back(psr, case_id);
  }
}

void Reference::Routing() {
  if (impl_->waiting.empty()) throw std::runtime_error("no prepared request left");
  auto [psr, case_id] = impl_->waiting.back();
  impl_->waiting.pop_back();
  pqxx::nontransaction w(impl_->conn);
  w.exec("BEGIN");
  std::string changes;
  impl_->Push(w, NowText(), psr, case_id, &changes);
  impl_->Flush(w, changes, 2);
  w.exec("COMMIT");
}

void Reference::Cleanup(const std::string& db_url) {
  pqxx::connection c(db_url);
  pqxx::work w(c);
  for (const char* t : {"sobj_case", "sobj_pendingservicerouting", "sobj_agentwork"}) {
    w.exec_params("DELETE FROM \"" + std::string(t) + "\" WHERE org_id = $1", kRefOrg);
  }
  for (const char* t : {"omni_change_log", "omni_change_heads", "omni_autonumbers"}) {
    w.exec_params("DELETE FROM " + std::string(t) + " WHERE org_id = $1", kRefOrg);
  }
  w.commit();
}

}  // namespace omni_bench
