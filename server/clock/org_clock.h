// OrgClock: the emulator clock. Every timestamp the server writes and every time-out it keeps
// reads the time of the call's org from here. Each org has a clock of its own, so that parallel
// test suites in separate orgs never move each other's time, and it is stored in the database
// (storage/clock_row.h), so that every server process on one database reads the same time: real
// time by default (the system clock plus an offset that Advance and Set move), or frozen (from
// `--clock-start` for every new org, or on request) and moved only on request. Time only moves
// forward: Set refuses a time before the clock's now.
//
// Reads come from an in-process cache, without a round trip. A change made by any process is
// announced with NOTIFY omni_clock, and the notifier's callback drops that org from the cache
// (Forget). While the notifier is not listening, the cache is not trusted (SetTrusted(false)) and
// every read goes to the database, so a process never runs on a stale clock for long.
//
// Moving the clock runs the due-time-out runners (AddDueRunner: push time-outs) before it
// returns, so a test that advances 30 s finds every time-out that fell due already handled. A
// clock that runs in real time has its runners run by the sweep (RunDue, from
// server/presence/push_timeout_sweep.h) as its time-outs fall due; a frozen one only when moved.
//
// Thread-safety: thread-safe; AddDueRunner only during start-up.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/store.h"

namespace omni {

class OrgClock {
 public:
  using Millis = std::int64_t;
  struct View {
    Millis now = 0;
    bool frozen = false;
  };
  using DueRunner = std::function<void(const std::string& org, Millis now)>;

  // `frozen_start`: new orgs' clocks start frozen at that time (--clock-start); real time when
  // unset. `system` is the real clock (milliseconds since the epoch).
  OrgClock(storage::Store* store, std::optional<Millis> frozen_start,
           std::function<Millis()> system);

  // Gives the org its stored clock (org creation): from then on every process reads that row.
  // An org without one (none yet, or an id no org has) reads the initial clock, uncached.
  void Ensure(const std::string& org);

  Millis Now(const std::string& org) { return Read(org).now; }
  std::string NowText(const std::string& org);
  View Read(const std::string& org);

  // Each change returns the clock after it, once the due runners have run.
  View Advance(const std::string& org, Millis by);  // by >= 0
  // nullopt when `to` is before the clock's now (time never goes back).
  std::optional<View> Set(const std::string& org, Millis to);
  View Freeze(const std::string& org);
  View Unfreeze(const std::string& org);

  void AddDueRunner(DueRunner runner) { runners_.push_back(std::move(runner)); }
  // Runs the due runners at the org's now if its clock runs in real time (the sweep); a frozen
  // clock's time-outs wait for it to be moved. Whether they ran.
  bool RunDue(const std::string& org);
  // The real clock this one adds its offsets to, and whether new orgs start frozen: what the
  // sweep's query needs to tell due work in the database.
  Millis SystemNow() const { return system_(); }
  bool NewOrgsFrozen() const { return initial_.frozen; }
  // The org's clock changed elsewhere: re-read it on its next use (notifier thread).
  void Forget(const std::string& org);
  // Whether the cache may be used: false while changes could go unannounced.
  void SetTrusted(bool trusted);

 private:
  View ViewOf(const storage::ClockRow& row) const;
  // Reads the row from the database and applies change to it until no other process has changed
  // it meanwhile; then runs the due runners.
  View Change(const std::string& org,
              const std::function<bool(storage::ClockRow*, Millis now)>& change, bool* refused);

  storage::Store* store_;
  storage::ClockRow initial_;
  std::function<Millis()> system_;
  std::vector<DueRunner> runners_;
  std::mutex mu_;
  std::unordered_map<std::string, storage::ClockRow> cache_;  // guarded by mu_
  bool trusted_ = false;                                      // guarded by mu_
};

}  // namespace omni
