// Clock: where the emulator's time comes from. A call's timestamp (CreatedDate, SystemModstamp,
// ...) is read once from here at the start of the call, in-process, instead of asking the
// database (one round trip fewer per call). Every process on one host reads the same system
// clock, so timestamps from several processes agree to the millisecond.
// LIMITATIONS: server processes on several hosts stamp records with their own clocks, so their
// SystemModstamps are only as consistent as those clocks (getUpdated windows rely on them).
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace omni {

class Clock {
 public:
  // Milliseconds since the epoch (UTC).
  static std::int64_t NowMillis();
  // The API's text form of a time: "2026-11-25T10:00:00.000Z".
  static std::string Format(std::int64_t millis);
  static std::string NowText() { return Format(NowMillis()); }
};

}  // namespace omni
