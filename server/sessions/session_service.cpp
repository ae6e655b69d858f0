#include "server/sessions/session_service.h"

#include <fstream>
#include <iostream>

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

Fault Unexpected(const std::exception& e) {
  std::cerr << "omni-emulator: session storage error: " << e.what() << std::endl;
  return UnknownExceptionFault("An unexpected error occurred. Please try again.");
}

}  // namespace

Outcome<LoginOutcome> SessionService::Login(const std::string& username,
                                            const std::string& password) {
  using Result = Outcome<LoginOutcome>;
  try {
    auto tx = dispatcher_->store().Begin();
    auto who = tx->CheckLogin(username, password);
    if (!who) return Result::Fail(InvalidLoginFault());
    Result out;
    // Salesforce session ids start with the 15-character org id and '!'.
    out.value.session_id = who->first.substr(0, 15) + "!" + RandomToken();
    tx->InsertSession({out.value.session_id, who->first, who->second});
    tx->Commit();
    auto info = GetUserInfo(CallContext{who->first, who->second});
    if (info.fault) return Result::Fail(*info.fault);
    out.value.user = info.value;
    return out;
  } catch (const storage::StorageError& e) {
    return Result::Fail(Unexpected(e));
  }
}

Outcome<CallContext> SessionService::Resolve(const std::string& session_id) {
  using Result = Outcome<CallContext>;
  if (session_id.empty()) return Result::Fail(InvalidSessionFault());
  try {
    auto tx = dispatcher_->store().Begin();
    auto row = tx->FindSession(session_id);
    if (!row) return Result::Fail(InvalidSessionFault());
    Result out;
    out.value = CallContext{row->org_id, row->user_id};
    return out;
  } catch (const storage::StorageError& e) {
    return Result::Fail(Unexpected(e));
  }
}

Outcome<bool> SessionService::Logout(const std::string& session_id) {
  try {
    auto tx = dispatcher_->store().Begin();
    tx->DeleteSession(session_id);
    tx->Commit();
    Outcome<bool> out;
    out.value = true;
    return out;
  } catch (const storage::StorageError& e) {
    return Outcome<bool>::Fail(Unexpected(e));
  }
}

Outcome<UserInfo> SessionService::GetUserInfo(const CallContext& ctx) {
  using Result = Outcome<UserInfo>;
  const ObjectDef* user_obj = dispatcher_->catalog().FindObject("User");
  std::vector<const FieldDef*> fields;
  for (const char* name : {"Username", "Name", "FirstName", "LastName", "Email", "ProfileId",
                           "LanguageLocaleKey", "LocaleSidKey", "TimeZoneSidKey"}) {
    if (const FieldDef* f = user_obj->FindField(name)) fields.push_back(f);
  }
  try {
    auto tx = dispatcher_->store().Begin();
    auto rows = tx->SelectByIds(ctx.org_id, *user_obj, {ctx.user_id}, fields, false);
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
  } catch (const storage::StorageError& e) {
    return Result::Fail(Unexpected(e));
  }
}

}  // namespace omni
