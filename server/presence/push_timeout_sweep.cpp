#include "server/presence/push_timeout_sweep.h"

#include <iostream>

#include "server/core/unexpected.h"

namespace omni {

int PushTimeoutSweep::Run() {
  try {
    std::vector<std::string> orgs =
        store_->OrgsWithDuePushes(clock_->SystemNow(), clock_->NewOrgsFrozen());
    for (const auto& org : orgs) clock_->RunDue(org);
    if (failing_) {
      std::cerr << "omni-emulator: push time-out sweep: running again" << std::endl;
      failing_ = false;
    }
    return static_cast<int>(orgs.size());
  } catch (...) {
    // Mostly the database being away for a moment: one line, not one per tick.
    if (!failing_) {
      std::string why = CurrentExceptionText();
      for (char& c : why) c = c == '\n' || c == '\t' ? ' ' : c;  // libpq's text spans lines
      std::cerr << "omni-emulator: push time-out sweep: " << why << " (retrying quietly every tick)"
                << std::endl;
      failing_ = true;
    }
    return 0;
  }
}

}  // namespace omni
