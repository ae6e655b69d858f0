// SessionService: login, logout, session lookup and user info, over sessions kept in the database
// so that several server processes (and later several orgs) share them.
//
// Sessions expire as Salesforce's do: after the org's session timeout (login's
// sessionSecondsValid; --session-timeout) without a call, where a call moves the expiry only once
// more than half of the timeout has passed since it last moved ("the last active session time
// value isn't updated until halfway through the timeout period"). Each session row carries its
// expiry, times come from the Clock; a cached session is answered without a round trip only
// while its expiry is more than half a timeout away, so a process never honours a session past
// the expiry another process may have moved, nor an expired one. After
// LockoutPolicy::max_attempts wrong passwords in a row a user is locked out (PASSWORD_LOCKOUT,
// even with the right password) for lockout_ms; the run is counted in the credential's row, so
// every process agrees.
//
// The hot path (Resolve for every call's SessionHeader) answers from an in-process cache without
// a database round trip, and never honours a session after its logout:
//   - in this process, Logout evicts the session once its delete has committed;
//   - in every process, the delete's NOTIFY omni_sessions (sent on commit) makes the
//     ChangeNotifier call OnSessionsEnded(), which empties the cache;
//   - the cache is trusted only while that notifier listens (SetCacheTrusted, driven by the
//     notifier's on_connected/on_disconnected): while it is down, or before it ever connected,
//     every Resolve reads the database.
// LIMITATIONS: another process may honour a session for the moment between the logout's commit
// and the arrival of its notification (on one host typically well under a millisecond); a call
// that began before the logout committed may also finish with it, as on Salesforce.
//
// Thread-safety: thread-safe; every database call runs in its own transaction or statement.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/catalog/catalog.h"
#include "server/clock/org_clock.h"
#include "server/core/outcome.h"
#include "server/dispatcher/dispatcher.h"
#include "storage/store.h"

namespace omni {

struct UserInfo {
  std::string org_id, org_name, user_id, username, full_name, email, profile_id;
  std::string language, locale, time_zone;
  int session_seconds_valid = 7200;  // the org's session timeout
};

struct SessionPolicy {
  int session_seconds = 7200;  // Salesforce's default timeout: two hours
  storage::LockoutPolicy lockout;
};

struct LoginOutcome {
  std::string session_id;
  UserInfo user;
};

class SessionService {
 public:
  // None is owned; all outlive the service. Sessions live and expire on their org's `clock`.
  SessionService(storage::Store* store, const Catalog* catalog, OrgClock* clock,
                 SessionPolicy policy = SessionPolicy())
      : store_(store), catalog_(catalog), clock_(clock), policy_(policy) {}
  // On success returns a new session; INVALID_LOGIN fault for a wrong username or password,
  // PASSWORD_LOCKOUT while the user is locked out.
  Outcome<LoginOutcome> Login(const std::string& username, const std::string& password);
  // The caller of a SessionHeader; INVALID_SESSION_ID fault for an unknown, ended or expired
  // session.
  Outcome<CallContext> Resolve(const std::string& session_id);
  // The session id an HTTP Authorization header carries ("Bearer <id>" or "OAuth <id>", as
  // Salesforce's REST and Streaming APIs take one), or "" for any other value.
  static std::string SessionIdOfAuthorization(const std::string& header);
  // Ends a session (idempotent).
  Outcome<bool> Logout(const std::string& session_id);
  // The calling user's details, read from the User record.
  Outcome<UserInfo> GetUserInfo(const CallContext& ctx);
  // setPassword: gives the user user_id of the caller's org this password, so that a plain login
  // with the user's Username and it succeeds; it also ends a lockout. Faults: a malformed id
  // (MALFORMED_ID) or one that names no User of the org (INVALID_ID_FIELD), both InvalidIdFault;
  // a password the org's default policy refuses (INVALID_NEW_PASSWORD). LIMITATIONS: any
  // logged-in user may call it (no "Manage Users" permission model).
  Outcome<bool> SetPassword(const CallContext& ctx, const std::string& user_id,
                            const std::string& password);
  // resetPassword: as SetPassword with a password generated from the secure random source,
  // which it answers.
  Outcome<std::string> ResetPassword(const CallContext& ctx, const std::string& user_id);

  // Some process ended sessions (notification on omni_sessions): forget every cached one.
  void OnSessionsEnded();
  // Whether the cache may answer: true only while the change notifier listens.
  void SetCacheTrusted(bool trusted);

 private:
  struct Cached {
    CallContext ctx;
    std::int64_t fresh_until_ms;  // answered from the cache before this moment
  };
  void Remember(const storage::SessionRow& row, std::uint64_t epoch);
  // The stored password of a user of the caller's org: the checks both calls share.
  Outcome<bool> StorePassword(const CallContext& ctx, const std::string& user_id,
                              const std::string& password);

  // The org a session id names (its first 15 characters), as the 18-character id.
  static std::string OrgOfSession(const std::string& session_id);

  storage::Store* store_;
  const Catalog* catalog_;
  OrgClock* clock_;
  const SessionPolicy policy_;
  std::mutex mu_;
  bool trusted_ = false;
  std::uint64_t epoch_ = 0;  // bumped on every eviction: a lookup that raced one is not cached
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace omni
