#include "server/sessions/org_bootstrap.h"

#include "server/core/clock.h"
#include "server/core/sf_id.h"
#include "server/dispatcher/record_checks.h"

namespace omni {

bool EnsureDefaultOrg(storage::Store& store, const Catalog& catalog, const ChangeBus& bus,
                      OrgClock& clock, const std::string& username, const std::string& password,
                      std::string* error) {
  const ObjectDef* profile_obj = catalog.FindObject("Profile");
  const ObjectDef* user_obj = catalog.FindObject("User");
  if (!profile_obj || !user_obj) {
    *error = "the catalog needs the supporting objects User and Profile";
    return false;
  }
  try {
    auto tx = store.Begin();
    tx->sessions().LockBootstrap();
    auto orgs = tx->sessions().OrgIds();
    if (!orgs.empty()) {
      // The org exists (its clock too, unless a version before the clock made it): only make
      // sure the admin can log in with the configured password.
      clock.Ensure(orgs[0]);
      const FieldDef* uname = user_obj->FindField("Username");
      auto ids = tx->records().FindIdsByValue(orgs[0], *user_obj, *uname, username, false);
      if (!ids.empty()) tx->sessions().SetPassword(orgs[0], ids[0], username, password);
      tx->Commit();
      return true;
    }
    std::string org_id = MakeId("00D", tx->records().NextId());
    std::string user_id = MakeId(user_obj->key_prefix, tx->records().NextId());
    clock.Ensure(org_id);  // the new org's clock starts here, the same in every process
    const std::int64_t now_ms = clock.Now(org_id);
    tx->sessions().InsertOrg(org_id, "omni-emulator", now_ms);
    const std::string now = Clock::Format(now_ms);
    WriteScope scope{catalog, *tx, bus, org_id, user_id, now};
    Record profile;
    profile.type = "Profile";
    profile.Set("Name", "System Administrator");
    Error err;
    auto profile_id = InsertRecord(scope, *profile_obj, profile, &err);
    if (!profile_id) {
      *error = "cannot create the admin profile: " + err.message;
      return false;
    }
    Record user;
    user.type = "User";
    const std::pair<const char*, std::string> values[] = {
        {"Username", username},        {"LastName", "Admin"},
        {"FirstName", "Omni"},         {"Email", username},
        {"Alias", "oadmin"},           {"ProfileId", *profile_id},
        {"IsActive", "true"},          {"TimeZoneSidKey", "America/Los_Angeles"},
        {"LocaleSidKey", "en_US"},     {"LanguageLocaleKey", "en_US"},
        {"EmailEncodingKey", "UTF-8"},
    };
    for (const auto& [name, value] : values) {
      if (const FieldDef* f = user_obj->FindField(name)) {
        if (f->createable) user.Set(f->name, value);
      }
    }
    if (!InsertRecord(scope, *user_obj, user, &err, &user_id)) {
      *error = "cannot create the admin user: " + err.message;
      return false;
    }
    tx->sessions().SetPassword(org_id, user_id, username, password);
    tx->Commit();
    return true;
  } catch (const std::exception& e) {
    *error = std::string("cannot bootstrap the default org: ") + e.what();
    return false;
  }
}

}  // namespace omni
