// PushTimeoutSweep: push time-outs in real time. An org whose emulator clock runs in real time
// (the default) must time out pushed work when it falls due, with nobody moving the clock. Every
// server process runs one sweep on its event loop (HttpServer::Every, --push-timeout-sweep-ms):
// one indexed statement asks which real-time orgs hold due pushes (Store::OrgsWithDuePushes),
// and for each of them the org clock's due runners run at that clock's time (OrgClock::RunDue),
// which is where PresenceService::RunPushTimeouts times the pushes out. Frozen orgs are left to
// clock moves (POST /_emulator/clock runs the same runners). Two processes sweeping one database
// never handle an item twice: each item is its own transaction that takes the AgentWork with FOR
// UPDATE SKIP LOCKED and checks it again once held (presence_timeouts.cpp).
//
// A sweep never throws: while the database is away (a restart of the embedded cluster) it logs
// one line when it first fails and one when it works again, and tries again on the next tick.
//
// Thread-safety: Run is called by one thread at a time (the loop's periodic task never overlaps
// itself).
#pragma once

#include <string>

#include "server/clock/org_clock.h"
#include "storage/store.h"

namespace omni {

class PushTimeoutSweep {
 public:
  PushTimeoutSweep(storage::Store* store, OrgClock* clock) : store_(store), clock_(clock) {}
  // One sweep; how many orgs had due work.
  int Run();

 private:
  storage::Store* store_;
  OrgClock* clock_;
  bool failing_ = false;  // the last sweep failed, and said so
};

}  // namespace omni
