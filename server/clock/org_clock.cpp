#include "server/clock/org_clock.h"

#include "server/core/clock.h"

namespace omni {

OrgClock::OrgClock(storage::Store* store, std::optional<Millis> frozen_start,
                   std::function<Millis()> system)
    : store_(store), system_(std::move(system)) {
  if (frozen_start) {
    initial_.frozen = true;
    initial_.at_millis = *frozen_start;
  }
}

OrgClock::View OrgClock::ViewOf(const storage::ClockRow& row) const {
  return View{row.frozen ? row.at_millis : system_() + row.offset_millis, row.frozen};
}

std::string OrgClock::NowText(const std::string& org) { return Clock::Format(Now(org)); }

OrgClock::View OrgClock::Read(const std::string& org) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(org);
    if (trusted_ && it != cache_.end()) return ViewOf(it->second);
  }
  // A read never creates a row: ids that name no org (a forged session id) cost one SELECT and
  // leave nothing behind, in the database or in the cache.
  std::optional<storage::ClockRow> row = store_->ReadClock(org);
  if (!row) return ViewOf(initial_);
  std::lock_guard<std::mutex> lock(mu_);
  if (trusted_) cache_[org] = *row;
  return ViewOf(*row);
}

void OrgClock::Ensure(const std::string& org) {
  storage::ClockRow row = store_->LoadClock(org, initial_);
  std::lock_guard<std::mutex> lock(mu_);
  if (trusted_) cache_[org] = row;
}

OrgClock::View OrgClock::Change(const std::string& org,
                                const std::function<bool(storage::ClockRow*, Millis)>& change,
                                bool* refused) {
  *refused = false;
  storage::ClockRow saved;
  for (;;) {
    storage::ClockRow row = store_->LoadClock(org, initial_);
    storage::ClockRow next = row;
    if (!change(&next, ViewOf(row).now)) {
      *refused = true;
      return ViewOf(row);
    }
    if (auto stored = store_->SaveClock(org, next, row.version)) {
      saved = *stored;
      break;
    }
    // Another process moved the clock between the read and the write: decide again.
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (trusted_) cache_[org] = saved;
  }
  View after = ViewOf(saved);
  for (const auto& run : runners_) run(org, after.now);
  return after;
}

OrgClock::View OrgClock::Advance(const std::string& org, Millis by) {
  bool refused;
  return Change(
      org,
      [&](storage::ClockRow* row, Millis) {
        if (by < 0) return false;
        if (row->frozen)
          row->at_millis += by;
        else
          row->offset_millis += by;
        return true;
      },
      &refused);
}

std::optional<OrgClock::View> OrgClock::Set(const std::string& org, Millis to) {
  bool refused;
  View v = Change(
      org,
      [&](storage::ClockRow* row, Millis now) {
        if (to < now) return false;
        if (row->frozen)
          row->at_millis = to;
        else
          row->offset_millis += to - now;
        return true;
      },
      &refused);
  if (refused) return std::nullopt;
  return v;
}

OrgClock::View OrgClock::Freeze(const std::string& org) {
  bool refused;
  return Change(
      org,
      [&](storage::ClockRow* row, Millis now) {
        row->frozen = true;
        row->at_millis = now;
        return true;
      },
      &refused);
}

OrgClock::View OrgClock::Unfreeze(const std::string& org) {
  bool refused;
  return Change(
      org,
      [&](storage::ClockRow* row, Millis now) {
        if (!row->frozen) return true;
        row->frozen = false;
        row->offset_millis = now - system_();
        return true;
      },
      &refused);
}

bool OrgClock::RunDue(const std::string& org) {
  View now = Read(org);
  if (now.frozen) return false;
  for (const auto& run : runners_) run(org, now.now);
  return true;
}

void OrgClock::Forget(const std::string& org) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(org);
}

void OrgClock::SetTrusted(bool trusted) {
  std::lock_guard<std::mutex> lock(mu_);
  trusted_ = trusted;
  cache_.clear();
}

}  // namespace omni
