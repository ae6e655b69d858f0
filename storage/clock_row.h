// ClockRow: the stored state of one org's emulator clock (server/clock/org_clock.h reads and
// moves it). Real time: now = the system clock + offset_millis. Frozen: now = at_millis, moved
// only on request. `version` grows with every change, so that concurrent changes from several
// server processes never overwrite each other (a change names the version it was based on).
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>

namespace omni::storage {

struct ClockRow {
  bool frozen = false;
  std::int64_t at_millis = 0;      // frozen: the time
  std::int64_t offset_millis = 0;  // real time: added to the system clock
  std::int64_t version = 0;
};

}  // namespace omni::storage
