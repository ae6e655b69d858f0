// PgTx's sessions, credentials, orgs (storage/session_tx.h) and query locators
// (storage/locator_tx.h).
#include "storage/pg.h"

namespace omni::storage {

namespace {

SessionRow SessionOf(const pqxx::row& r) {
  return SessionRow{r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].as<std::int64_t>(),
                    r[4].as<std::int64_t>()};
}

}  // namespace

void PgTx::InsertSession(const SessionRow& row, std::int64_t now_ms) {
  Params p;
  p.Add(row.session_id);
  p.Add(row.org_id);
  p.Add(row.user_id);
  p.Add(std::to_string(row.expires_ms));
  p.Add(std::to_string(row.timeout_ms));
  p.Add(std::to_string(now_ms));
  // Logins are rare: pruning the expired sessions here keeps the table small at no extra round
  // trip. Another process may still cache one of them; it checks the expiry itself.
  Write(
      "WITH expired AS (DELETE FROM omni_sessions WHERE expires_ms <= $6::bigint) "
      "INSERT INTO omni_sessions (session_id, org_id, user_id, expires_ms, timeout_ms) VALUES "
      "($1, $2, $3, $4::bigint, $5::bigint)",
      p);
}

std::optional<SessionRow> PgTx::FindSession(const std::string& session_id) {
  Params p;
  p.Add(session_id);
  auto r =
      Run("SELECT session_id, org_id, user_id, expires_ms, timeout_ms FROM omni_sessions WHERE "
          "session_id = $1",
          p);
  if (r.empty()) return std::nullopt;
  return SessionOf(r[0]);
}

std::optional<SessionRow> TouchSession(PgConn& c, pqxx::transaction_base& w,
                                       const std::string& session_id, std::int64_t now_ms) {
  Params p;
  p.Add(session_id);
  p.Add(std::to_string(now_ms));
  // The row is written only when its expiry moves (at most once per half timeout); otherwise
  // this is a plain read.
  auto r = Exec(c, w,
                "WITH touched AS (UPDATE omni_sessions SET expires_ms = $2::bigint + timeout_ms "
                "WHERE session_id = $1 AND expires_ms > $2::bigint AND expires_ms - timeout_ms / "
                "2 <= $2::bigint RETURNING session_id, org_id, user_id, expires_ms, timeout_ms) "
                "SELECT session_id, org_id, user_id, expires_ms, timeout_ms FROM touched UNION "
                "ALL SELECT session_id, org_id, user_id, expires_ms, timeout_ms FROM "
                "omni_sessions WHERE session_id = $1 AND expires_ms - timeout_ms / 2 > $2::bigint",
                p);
  if (r.empty()) return std::nullopt;
  return SessionOf(r[0]);
}

void PgTx::DeleteSession(const std::string& session_id) {
  Params p;
  p.Add(session_id);
  // The notification carries no session id (a secret, and any database client may LISTEN):
  // receivers forget every cached session, which logouts are rare enough to afford.
  Write(
      "WITH gone AS (DELETE FROM omni_sessions WHERE session_id = $1 RETURNING 1) "
      "SELECT pg_notify('omni_sessions', '') FROM gone",
      p);
}

LoginAttempt PgTx::AttemptLogin(const std::string& username, const std::string& password,
                                std::int64_t now_ms, const LockoutPolicy& policy) {
  Params p;
  p.Add(username);
  p.Add(password);
  auto r =
      Run("SELECT username, org_id, user_id, password_hash = md5(salt || $2), failed_logins, "
          "locked_until_ms FROM omni_credentials WHERE lower(username) = lower($1) ORDER BY "
          "username LIMIT 1 FOR UPDATE",
          p);
  LoginAttempt out;
  if (r.empty()) return out;
  const std::string stored_name = r[0][0].c_str();
  const bool right = r[0][3].as<bool>();
  const int failed = r[0][4].as<int>();
  const std::int64_t locked_until = r[0][5].as<std::int64_t>();
  if (locked_until > now_ms) {
    out.outcome = LoginAttempt::Outcome::kLockedOut;
    return out;
  }
  Params u;
  u.Add(stored_name);
  if (right) {
    if (failed != 0 || locked_until != 0) {
      Write(
          "UPDATE omni_credentials SET failed_logins = 0, locked_until_ms = 0 WHERE username = $1",
          u);
    }
    out.outcome = LoginAttempt::Outcome::kOk;
    out.org_id = r[0][1].c_str();
    out.user_id = r[0][2].c_str();
    return out;
  }
  const bool locks = failed + 1 >= policy.max_attempts;
  u.Add(std::to_string(locks ? 0 : failed + 1));
  u.Add(std::to_string(locks ? now_ms + policy.lockout_ms : 0));
  Write(
      "UPDATE omni_credentials SET failed_logins = $2::integer, locked_until_ms = $3::bigint "
      "WHERE username = $1",
      u);
  out.outcome = LoginAttempt::Outcome::kWrongPassword;
  return out;
}

void PgTx::SetPassword(const std::string& org, const std::string& user_id,
                       const std::string& username, const std::string& password) {
  Params p;
  p.Add(username);
  p.Add(org);
  p.Add(user_id);
  p.Add(password);
  Write(
      "INSERT INTO omni_credentials (username, org_id, user_id, salt, password_hash) "
      "SELECT $1, $2, $3, s, md5(s || $4) FROM (SELECT md5(random()::text) AS s) salt "
      "ON CONFLICT (username) DO UPDATE SET org_id = EXCLUDED.org_id, user_id = "
      "EXCLUDED.user_id, salt = EXCLUDED.salt, password_hash = EXCLUDED.password_hash",
      p);
}

std::vector<std::string> PgTx::OrgIds() {
  std::vector<std::string> out;
  for (const auto& row : Run("SELECT org_id FROM omni_orgs ORDER BY created", Params())) {
    out.push_back(row[0].c_str());
  }
  return out;
}

std::optional<std::int64_t> PgTx::OrgCreated(const std::string& org) {
  Params p;
  p.Add(org);
  auto r =
      Run("SELECT floor(extract(epoch FROM created))::bigint FROM omni_orgs WHERE org_id = $1", p);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

void PgTx::LockBootstrap() { Run("SELECT pg_advisory_xact_lock(4402)", Params()); }

void PgTx::InsertOrg(const std::string& org_id, const std::string& name, std::int64_t created_ms) {
  Params p;
  p.Add(org_id);
  p.Add(name);
  p.Add(std::to_string(created_ms));
  Write(
      "INSERT INTO omni_orgs (org_id, name, created) VALUES ($1, $2, to_timestamp($3::bigint / "
      "1000.0)) ON CONFLICT DO NOTHING",
      p);
}

void PgTx::SaveQueryLocator(const QueryLocatorRow& row) {
  Params p;
  p.Add(row.locator);
  p.Add(row.org_id);
  p.Add(row.soql);
  p.Add(std::string(row.include_deleted ? "true" : "false"));
  p.Add(std::to_string(row.next_offset));
  p.Add(std::to_string(row.total));
  Write(
      "INSERT INTO omni_query_locators (locator, org_id, soql, include_deleted, next_offset, "
      "total) VALUES ($1, $2, $3, $4::boolean, $5::bigint, $6::bigint) ON CONFLICT (locator) "
      "DO UPDATE SET next_offset = EXCLUDED.next_offset, total = EXCLUDED.total, last_used = "
      "now()",
      p);
}

std::optional<QueryLocatorRow> PgTx::FindQueryLocator(const std::string& locator,
                                                      const std::string& org,
                                                      int max_idle_seconds) {
  Params expire;
  expire.Add(std::to_string(max_idle_seconds));
  Write(
      "DELETE FROM omni_query_locators WHERE last_used < now() - make_interval(secs => "
      "$1::bigint)",
      expire);
  Params p;
  p.Add(locator);
  p.Add(org);
  auto r =
      Run("SELECT locator, org_id, soql, include_deleted, next_offset, total FROM "
          "omni_query_locators WHERE locator = $1 AND org_id = $2 FOR UPDATE",
          p);
  if (r.empty()) return std::nullopt;
  QueryLocatorRow row;
  row.locator = r[0][0].c_str();
  row.org_id = r[0][1].c_str();
  row.soql = r[0][2].c_str();
  row.include_deleted = r[0][3].as<bool>();
  row.next_offset = r[0][4].as<std::int64_t>();
  row.total = r[0][5].as<std::int64_t>();
  return row;
}

void PgTx::DeleteQueryLocator(const std::string& locator) {
  Params p;
  p.Add(locator);
  Write("DELETE FROM omni_query_locators WHERE locator = $1", p);
}

}  // namespace omni::storage
