// Store's clock rows (storage/clock_row.h): one per org, read and changed outside any call's
// transaction, each change one statement that also sends the notification.
#include "storage/pg.h"

namespace omni::storage {

namespace {

ClockRow RowOf(const pqxx::row& r) {
  ClockRow c;
  c.frozen = r[0].as<bool>();
  c.at_millis = r[1].as<std::int64_t>();
  c.offset_millis = r[2].as<std::int64_t>();
  c.version = r[3].as<std::int64_t>();
  return c;
}

}  // namespace

std::optional<ClockRow> Store::ReadClock(const std::string& org) {
  return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) -> std::optional<ClockRow> {
    Params p;
    p.Add(org);
    auto r = Exec(c, w,
                  "SELECT frozen, at_millis, offset_millis, version FROM omni_clocks WHERE "
                  "org_id = $1",
                  p);
    if (r.empty()) return std::nullopt;
    return RowOf(r[0]);
  });
}

ClockRow Store::LoadClock(const std::string& org, const ClockRow& initial) {
  return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) {
    Params p;
    p.Add(org);
    p.Add(std::string(initial.frozen ? "true" : "false"));
    p.Add(std::to_string(initial.at_millis));
    p.Add(std::to_string(initial.offset_millis));
    // Whoever inserts first decides; the rest read the same row (a no-op update returns it).
    auto r = Exec(c, w,
                  "INSERT INTO omni_clocks (org_id, frozen, at_millis, offset_millis, version) "
                  "VALUES ($1, $2::boolean, $3::bigint, $4::bigint, 1) ON CONFLICT (org_id) DO "
                  "UPDATE SET version = omni_clocks.version RETURNING frozen, at_millis, "
                  "offset_millis, version",
                  p);
    return RowOf(r[0]);
  });
}

std::optional<ClockRow> Store::SaveClock(const std::string& org, const ClockRow& next,
                                         std::int64_t expected_version) {
  return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) -> std::optional<ClockRow> {
    Params p;
    p.Add(org);
    p.Add(std::string(next.frozen ? "true" : "false"));
    p.Add(std::to_string(next.at_millis));
    p.Add(std::to_string(next.offset_millis));
    p.Add(std::to_string(expected_version));
    auto r = Exec(c, w,
                  "WITH up AS (UPDATE omni_clocks SET frozen = $2::boolean, at_millis = "
                  "$3::bigint, offset_millis = $4::bigint, version = version + 1 WHERE org_id = "
                  "$1 AND version = $5::bigint RETURNING frozen, at_millis, offset_millis, "
                  "version) SELECT up.*, pg_notify('omni_clock', $1) FROM up",
                  p);
    if (r.empty()) return std::nullopt;
    return RowOf(r[0]);
  });
}

std::vector<std::string> Store::OrgsWithDuePushes(std::int64_t system_ms, bool new_orgs_frozen) {
  const ObjectDef* work = catalog_->FindObject("AgentWork");
  if (!work) return {};
  // The text is fixed (table and columns from the catalog), so it is prepared once per
  // connection. Its WHERE repeats the partial index's predicate word for word, which is what
  // lets PostgreSQL use that index (PushSweepIndex in sql_text.cpp).
  const std::string sql =
      "SELECT DISTINCT w.org_id FROM " + QuoteIdent(work->TableName()) +
      " w LEFT JOIN omni_clocks c ON c.org_id = w.org_id WHERE " + PushSweepPredicate("w.") +
      " AND NOT COALESCE(c.frozen, $2::boolean) AND w.assigneddatetime + w.pushtimeout * "
      "interval '1 second' <= to_timestamp(($1::bigint + COALESCE(c.offset_millis, 0)) / "
      "1000.0)";
  return WithoutTx(*pool_, [&](PgConn& c, pqxx::transaction_base& w) {
    Params p;
    p.Add(std::to_string(system_ms));
    p.Add(std::string(new_orgs_frozen ? "true" : "false"));
    std::vector<std::string> orgs;
    for (const auto& row : Exec(c, w, sql, p)) orgs.push_back(row[0].c_str());
    return orgs;
  });
}

}  // namespace omni::storage
