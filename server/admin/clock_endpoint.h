// ClockEndpoint: the emulator clock of the caller's org (server/clock/org_clock.h), read and moved
// over HTTP, so that a test crosses a 30-second push time-out, a session's expiry or a day
// boundary in a millisecond.
//
//   GET  /_emulator/clock
//   POST /_emulator/clock?advance=<seconds>        moves it forward (fractions allowed)
//   POST /_emulator/clock?set=<dateTime>           moves it forward to that time
//   POST /_emulator/clock?frozen=true|false        stops it / lets it run in real time again
//   Authorization: Bearer <sessionId>              the org is the session's
//
// Parameters combine in the order frozen, set, advance. A POST answers after every time-out that
// fell due before the new time has been handled (OrgClock's due runners). 200 with
// {"orgId": ..., "now": "2026-...Z", "nowMillis": n, "frozen": bool}; 400 for a parameter that is
// not a number, a time or a boolean, or a time before the clock's now (time never goes back);
// 401 with Salesforce's REST error body for a missing or ended session.
//
// Thread-safety: Handle() from any number of threads.
#pragma once

#include "server/clock/org_clock.h"
#include "server/sessions/session_service.h"
#include "server/transport/handler.h"

namespace omni {

class ClockEndpoint {
 public:
  ClockEndpoint(SessionService* sessions, OrgClock* clock) : sessions_(sessions), clock_(clock) {}
  HandlerResult Handle(const HttpRequest& request) const;

 private:
  SessionService* sessions_;
  OrgClock* clock_;
};

}  // namespace omni
