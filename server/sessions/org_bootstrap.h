// Org bootstrap: a fresh database gets one org with an administrator, so that a new user can log
// in at once (admin@omni.local / password by default, or the --admin-username/--admin-password).
// Thread-safety: call from start-up only; safe against other processes bootstrapping at once
// (an advisory lock serialises them, and the second finds the org already there).
#pragma once

#include <string>

#include "server/catalog/catalog.h"
#include "server/clock/org_clock.h"
#include "server/events/change_bus.h"
#include "storage/store.h"

namespace omni {

// Ensures the default org, its "System Administrator" profile and the admin user exist, and that
// the admin's password is the given one. On success returns true; on failure false with *error.
bool EnsureDefaultOrg(storage::Store& store, const Catalog& catalog, const ChangeBus& bus,
                      OrgClock& clock, const std::string& username, const std::string& password,
                      std::string* error);

}  // namespace omni
