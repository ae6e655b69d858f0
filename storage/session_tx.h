// SessionTx: the sessions, credentials and orgs of a transaction (storage/store.h). Sessions live
// in the database so that several server processes share them; ending one also notifies every
// process (NOTIFY omni_sessions, delivered on commit) so that their session caches forget it.
// A session carries its own expiry and timeout, and a credential its run of wrong passwords and
// lockout, so that every process agrees on both. Times are epoch milliseconds of the caller's
// clock (server/core/clock.h), never the database's.
//
// Thread-safety: belongs to its Tx, which belongs to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace omni::storage {

struct SessionRow {
  std::string session_id, org_id, user_id;
  std::int64_t expires_ms = 0;  // refused from this moment on
  std::int64_t timeout_ms = 0;  // the inactivity timeout it was opened with
};

// What a login attempt found (AttemptLogin).
struct LoginAttempt {
  enum class Outcome { kUnknownUser, kWrongPassword, kLockedOut, kOk };
  Outcome outcome = Outcome::kUnknownUser;
  std::string org_id, user_id;  // kOk only
};

// When a run of wrong passwords locks a user out.
struct LockoutPolicy {
  int max_attempts = 10;             // wrong passwords in a row that lock the user out
  std::int64_t lockout_ms = 900000;  // for this long
};

class SessionTx {
 public:
  virtual ~SessionTx() = default;
  // Stores a new session; sessions expired at now_ms are pruned by the same statement.
  virtual void InsertSession(const SessionRow& row, std::int64_t now_ms) = 0;
  virtual std::optional<SessionRow> FindSession(const std::string& session_id) = 0;
  // Removes the session and, on commit, tells every process (ChangeNotifier's on_sessions_ended).
  virtual void DeleteSession(const std::string& session_id) = 0;
  // Checks a username/password pair at now_ms and counts it, holding the credential's row until
  // the transaction ends: a wrong password adds one to the user's run (the one that reaches
  // policy.max_attempts locks the user out for policy.lockout_ms and starts a new run), a right
  // one ends the run; while locked out every attempt is kLockedOut and counts nothing. The
  // caller commits what it wants kept (a wrong password's count).
  virtual LoginAttempt AttemptLogin(const std::string& username, const std::string& password,
                                    std::int64_t now_ms, const LockoutPolicy& policy) = 0;
  virtual void SetPassword(const std::string& org, const std::string& user_id,
                           const std::string& username, const std::string& password) = 0;
  virtual std::vector<std::string> OrgIds() = 0;
  // When the org was created (epoch seconds), or nullopt for an org the database lacks.
  virtual std::optional<std::int64_t> OrgCreated(const std::string& org) = 0;
  // Serialises org bootstrapping across processes until the transaction ends.
  virtual void LockBootstrap() = 0;
  // created_ms: the org's birth on its own clock (replication windows start there).
  virtual void InsertOrg(const std::string& org_id, const std::string& name,
                         std::int64_t created_ms) = 0;
};

}  // namespace omni::storage
