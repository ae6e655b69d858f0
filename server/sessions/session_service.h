// SessionService: login, logout, session lookup and user info, over sessions kept in the database
// so that several server processes (and later several orgs) share them.
// Thread-safety: thread-safe; every call runs in its own transaction.
#pragma once

#include <optional>
#include <string>

#include "server/dispatcher/dispatcher.h"
#include "storage/store.h"

namespace omni {

struct UserInfo {
  std::string org_id, org_name, user_id, username, full_name, email, profile_id;
  std::string language, locale, time_zone;
};

struct LoginOutcome {
  std::string session_id;
  UserInfo user;
};

class SessionService {
 public:
  explicit SessionService(Dispatcher* dispatcher) : dispatcher_(dispatcher) {}
  // On success returns a new session; INVALID_LOGIN fault for a wrong username or password.
  Outcome<LoginOutcome> Login(const std::string& username, const std::string& password);
  // The caller of a SessionHeader; INVALID_SESSION_ID fault for an unknown or ended session.
  Outcome<CallContext> Resolve(const std::string& session_id);
  // Ends a session (idempotent).
  Outcome<bool> Logout(const std::string& session_id);
  // The calling user's details, read from the User record.
  Outcome<UserInfo> GetUserInfo(const CallContext& ctx);

 private:
  Dispatcher* dispatcher_;
};

}  // namespace omni
