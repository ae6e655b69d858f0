#include "server/sessions/session_service.h"

#include <cctype>

#include "server/core/clock.h"
#include "server/core/sf_id.h"
#include "server/core/unexpected.h"
#include "server/sessions/secure_random.h"

namespace omni {

namespace {

constexpr size_t kMaxCachedSessions = 100000;
// Characters of a session id after "<org15>!" (Salesforce's are of similar length).
constexpr size_t kSessionTokenChars = 96;
// resetPassword's generated passwords: letters and digits (the default policy's mix).
constexpr size_t kResetPasswordChars = 12;

// The default password policy of a new org: at least 8 characters, letters and numbers mixed.
// LIMITATIONS: the real org's messages are not captured; these are its Setup texts.
std::optional<Fault> PolicyRefuses(const std::string& password) {
  bool letter = false, digit = false;
  for (unsigned char c : password) {
    letter = letter || std::isalpha(c);
    digit = digit || std::isdigit(c);
  }
  if (password.size() < 8) {
    return Fault{ExceptionCode::kInvalidNewPassword, FaultKind::kInvalidNewPasswordFault,
                 "Your password must be at least 8 characters long."};
  }
  if (!letter || !digit) {
    return Fault{ExceptionCode::kInvalidNewPassword, FaultKind::kInvalidNewPasswordFault,
                 "Your password must have a mix of letters and numbers."};
  }
  return std::nullopt;
}

}  // namespace

Outcome<LoginOutcome> SessionService::Login(const std::string& username,
                                            const std::string& password) {
  using Result = Outcome<LoginOutcome>;
  return Guarded<LoginOutcome>("login", [&]() -> Result {
    std::uint64_t epoch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      epoch = epoch_;
    }
    // LIMITATIONS: the lockout runs on real time: the org (and so its clock) is known only once
    // the attempt has found the user.
    auto tx = store_->Begin();
    auto attempt =
        tx->sessions().AttemptLogin(username, password, Clock::NowMillis(), policy_.lockout);
    using Attempt = storage::LoginAttempt::Outcome;
    switch (attempt.outcome) {
      case Attempt::kUnknownUser:
        return Result::Fail(InvalidLoginFault());
      case Attempt::kLockedOut:
        return Result::Fail(PasswordLockoutFault());
      case Attempt::kWrongPassword:
        tx->Commit();  // the wrong password counts, in every process
        return Result::Fail(InvalidLoginFault());
      case Attempt::kOk:
        break;
    }
    CallContext ctx{attempt.org_id, attempt.user_id};
    const std::int64_t now = clock_->Now(attempt.org_id);
    // The user first: a login that cannot answer with its user info leaves no session behind.
    auto info = GetUserInfo(ctx);
    if (info.fault) return Result::Fail(*info.fault);
    std::string random_error;
    std::string token = SecureRandomToken(kSessionTokenChars, &random_error);
    if (token.empty()) return Result::Fail(UnexpectedFault("login", random_error));
    Result out;
    out.value.user = info.value;
    // Salesforce session ids start with the 15-character org id and '!'.
    out.value.session_id = attempt.org_id.substr(0, 15) + "!" + token;
    const std::int64_t timeout_ms = std::int64_t{policy_.session_seconds} * 1000;
    storage::SessionRow row{out.value.session_id, attempt.org_id, attempt.user_id, now + timeout_ms,
                            timeout_ms};
    tx->sessions().InsertSession(row, now);
    tx->Commit();
    Remember(row, epoch);
    return out;
  });
}

Outcome<CallContext> SessionService::Resolve(const std::string& session_id) {
  using Result = Outcome<CallContext>;
  if (session_id.empty() || session_id.size() < 16 || session_id[15] != '!') {
    return Result::Fail(InvalidSessionFault());
  }
  const std::string org = OrgOfSession(session_id);
  if (org.empty()) return Result::Fail(InvalidSessionFault());
  std::int64_t now;
  try {
    now = clock_->Now(org);
  } catch (const std::exception& e) {
    return Result::Fail(UnexpectedFault("session lookup", e.what()));
  }
  std::uint64_t epoch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (trusted_) {
      auto it = cache_.find(session_id);
      if (it != cache_.end() && now < it->second.fresh_until_ms) {
        Result out;
        out.value = it->second.ctx;
        return out;
      }
    }
    epoch = epoch_;
  }
  // Not cached, or its expiry is near enough to move (or past): the database decides.
  return Guarded<CallContext>("session lookup", [&]() -> Result {
    auto row = store_->LookupSession(session_id, now);
    if (!row) {
      std::lock_guard<std::mutex> lock(mu_);
      cache_.erase(session_id);
      return Result::Fail(InvalidSessionFault());
    }
    Result out;
    out.value = CallContext{row->org_id, row->user_id};
    Remember(*row, epoch);
    return out;
  });
}

Outcome<bool> SessionService::Logout(const std::string& session_id) {
  return Guarded<bool>("logout", [&]() {
    auto tx = store_->Begin();
    tx->sessions().DeleteSession(session_id);
    tx->Commit();
    {
      std::lock_guard<std::mutex> lock(mu_);
      cache_.erase(session_id);
      ++epoch_;
    }
    Outcome<bool> out;
    out.value = true;
    return out;
  });
}

std::string SessionService::SessionIdOfAuthorization(const std::string& header) {
  for (const char* scheme : {"Bearer ", "OAuth "}) {
    if (header.rfind(scheme, 0) == 0) return header.substr(std::string(scheme).size());
  }
  return "";
}

std::string SessionService::OrgOfSession(const std::string& session_id) {
  std::string id15 = session_id.substr(0, 15);
  for (char c : id15) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return "";
  }
  return id15 + IdChecksum(id15);
}

void SessionService::Remember(const storage::SessionRow& row, std::uint64_t epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!trusted_ || epoch != epoch_) return;
  if (cache_.size() >= kMaxCachedSessions) cache_.clear();
  cache_[row.session_id] =
      Cached{CallContext{row.org_id, row.user_id}, row.expires_ms - row.timeout_ms / 2};
}

void SessionService::OnSessionsEnded() {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.clear();
  ++epoch_;
}

void SessionService::SetCacheTrusted(bool trusted) {
  std::lock_guard<std::mutex> lock(mu_);
  trusted_ = trusted;
  cache_.clear();
  ++epoch_;
}

Outcome<UserInfo> SessionService::GetUserInfo(const CallContext& ctx) {
  using Result = Outcome<UserInfo>;
  const ObjectDef* user_obj = catalog_->FindObject("User");
  std::vector<const FieldDef*> fields;
  for (const char* name : {"Username", "Name", "FirstName", "LastName", "Email", "ProfileId",
                           "LanguageLocaleKey", "LocaleSidKey", "TimeZoneSidKey"}) {
    if (const FieldDef* f = user_obj->FindField(name)) fields.push_back(f);
  }
  return Guarded<UserInfo>("getUserInfo", [&]() -> Result {
    auto tx = store_->BeginReadOnly();
    auto rows = tx->records().SelectByIds(ctx.org_id, *user_obj, {ctx.user_id}, fields, false);
    if (rows.empty()) return Result::Fail(InvalidSessionFault());
    auto get = [&](const char* name) {
      const Value* v = rows[0].Find(name);
      return v && *v ? **v : std::string();
    };
    Result out;
    UserInfo& u = out.value;
    u.org_id = ctx.org_id;
    u.org_name = "omni-emulator";
    u.user_id = ctx.user_id;
    u.username = get("Username");
    u.full_name = get("Name");
    if (u.full_name.empty()) {
      u.full_name =
          get("FirstName").empty() ? get("LastName") : get("FirstName") + " " + get("LastName");
    }
    u.email = get("Email");
    u.profile_id = get("ProfileId");
    u.language = get("LanguageLocaleKey").empty() ? "en_US" : get("LanguageLocaleKey");
    u.locale = get("LocaleSidKey").empty() ? "en_US" : get("LocaleSidKey");
    u.time_zone = get("TimeZoneSidKey").empty() ? "America/Los_Angeles" : get("TimeZoneSidKey");
    u.session_seconds_valid = policy_.session_seconds;
    return out;
  });
}

Outcome<bool> SessionService::StorePassword(const CallContext& ctx, const std::string& raw_id,
                                            const std::string& password) {
  using Result = Outcome<bool>;
  auto id = NormalizeId(raw_id);
  if (!id) {
    return Result::Fail(
        Fault{ExceptionCode::kMalformedId, FaultKind::kInvalidIdFault, "malformed id " + raw_id});
  }
  const ObjectDef* user_obj = catalog_->FindObject("User");
  const FieldDef* username = user_obj->FindField("Username");
  if (KeyPrefixOf(*id) != user_obj->key_prefix) {
    // LIMITATIONS: the real org's text for an id that names no user is not captured.
    return Result::Fail(
        Fault{ExceptionCode::kInvalidIdField, FaultKind::kInvalidIdFault, "invalid user id"});
  }
  if (auto refused = PolicyRefuses(password)) return Result::Fail(*refused);
  return Guarded<bool>("setPassword", [&]() -> Result {
    auto tx = store_->Begin();
    auto rows = tx->records().SelectByIds(ctx.org_id, *user_obj, {*id}, {username}, false);
    const Value* name = rows.empty() ? nullptr : rows[0].Find("Username");
    if (!name || !*name) {
      return Result::Fail(
          Fault{ExceptionCode::kInvalidIdField, FaultKind::kInvalidIdFault, "invalid user id"});
    }
    tx->sessions().SetPassword(ctx.org_id, *id, **name, password, true);
    tx->Commit();
    Result out;
    out.value = true;
    return out;
  });
}

Outcome<bool> SessionService::SetPassword(const CallContext& ctx, const std::string& user_id,
                                          const std::string& password) {
  return StorePassword(ctx, user_id, password);
}

Outcome<std::string> SessionService::ResetPassword(const CallContext& ctx,
                                                   const std::string& user_id) {
  using Result = Outcome<std::string>;
  std::string password, error;
  // Random letters and digits until the policy's mix is there (one draw almost always).
  while (PolicyRefuses(password)) {
    std::string token = SecureRandomToken(kResetPasswordChars, &error);
    if (token.empty()) return Result::Fail(UnexpectedFault("resetPassword", error));
    password.clear();
    for (char c : token) {
      if (std::isalnum(static_cast<unsigned char>(c))) password += c;
    }
  }
  auto stored = StorePassword(ctx, user_id, password);
  if (stored.fault) return Result::Fail(*stored.fault);
  Result out;
  out.value = password;
  return out;
}

}  // namespace omni
