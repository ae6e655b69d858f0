// Clock: the system clock and the API's text form of a time. The emulator's own time, which every
// timestamp the server writes follows, is each org's OrgClock (server/clock/org_clock.h), built
// on this system clock; only OrgClock and what is not an org's time (log lines, HTTP Date
// headers) read NowMillis directly. Every process on one host reads the same system clock, so
// times from several processes agree to the millisecond.
// LIMITATIONS: server processes on several hosts stamp records with their own clocks, so their
// SystemModstamps are only as consistent as those clocks (getUpdated windows rely on them).
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace omni {

class Clock {
 public:
  // Milliseconds since the epoch (UTC).
  static std::int64_t NowMillis();
  // The API's text form of a time: "2026-11-25T10:00:00.000Z".
  static std::string Format(std::int64_t millis);
  static std::string NowText() { return Format(NowMillis()); }
  // The API's dateTime forms ("2026-11-25T10:00:00Z", with .sss, or an offset "+01:00" for Z),
  // as milliseconds since the epoch; nullopt for anything else.
  static std::optional<std::int64_t> Parse(const std::string& text);
};

}  // namespace omni
