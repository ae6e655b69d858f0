#include "server/sessions/session_service.h"

#include <fstream>

#include "server/core/unexpected.h"

namespace omni {

namespace {

// 40 random characters from the kernel: session ids must not be guessable.
std::string RandomToken() {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  std::string out;
  for (int i = 0; i < 96; ++i) {
    unsigned char c = 0;
    urandom.read(reinterpret_cast<char*>(&c), 1);
    out += kAlphabet[c % 64];
  }
  return out;
}

constexpr size_t kMaxCachedSessions = 100000;

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
    auto tx = store_->Begin();
    auto who = tx->sessions().CheckLogin(username, password);
    if (!who) return Result::Fail(InvalidLoginFault());
    CallContext ctx{who->first, who->second};
    // The user first: a login that cannot answer with its user info leaves no session behind.
    auto info = GetUserInfo(ctx);
    if (info.fault) return Result::Fail(*info.fault);
    Result out;
    out.value.user = info.value;
    // Salesforce session ids start with the 15-character org id and '!'.
    out.value.session_id = who->first.substr(0, 15) + "!" + RandomToken();
    tx->sessions().InsertSession({out.value.session_id, who->first, who->second});
    tx->Commit();
    Remember(out.value.session_id, ctx, epoch);
    return out;
  });
}

Outcome<CallContext> SessionService::Resolve(const std::string& session_id) {
  using Result = Outcome<CallContext>;
  if (session_id.empty()) return Result::Fail(InvalidSessionFault());
  std::uint64_t epoch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (trusted_) {
      auto it = cache_.find(session_id);
      if (it != cache_.end()) {
        Result out;
        out.value = it->second;
        return out;
      }
    }
    epoch = epoch_;
  }
  return Guarded<CallContext>("session lookup", [&]() -> Result {
    auto row = store_->LookupSession(session_id);
    if (!row) return Result::Fail(InvalidSessionFault());
    Result out;
    out.value = CallContext{row->org_id, row->user_id};
    Remember(session_id, out.value, epoch);
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

void SessionService::Remember(const std::string& session_id, const CallContext& ctx,
                              std::uint64_t epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!trusted_ || epoch != epoch_) return;
  if (cache_.size() >= kMaxCachedSessions) cache_.clear();
  cache_[session_id] = ctx;
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
    return out;
  });
}

}  // namespace omni
