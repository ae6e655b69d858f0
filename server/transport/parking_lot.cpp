#include "server/transport/parking_lot.h"

#include <boost/asio/post.hpp>

namespace omni {

ParkingLot::~ParkingLot() = default;

std::size_t ParkingLot::parked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_ticket_.size();
}

std::uint64_t ParkingLot::Park(const std::string& channel, std::int64_t after,
                               std::chrono::milliseconds timeout,
                               std::function<void(WakeReason)> wake) {
  std::lock_guard<std::mutex> lock(mu_);
  if (by_ticket_.size() >= capacity_) return 0;
  auto w = std::make_shared<Waiter>();
  w->ticket = next_ticket_++;
  by_ticket_[w->ticket] = w;
  w->channel = channel;
  w->after = after;
  w->wake = std::move(wake);
  auto last = last_published_.find(channel);
  if (last != last_published_.end() && last->second > after) {
    // Published between the handler's read and this park: answer now, on the next turn of the
    // loop, so that wake never runs inside Park.
    boost::asio::post(io_, [this, w] { Finish(w, WakeReason::kPublished); });
    return w->ticket;
  }
  // The timer is only touched under mu_ (started here, cancelled in Take); its handler holds
  // the waiter weakly and finishes it under the lock, so a wake and a time-out never both run.
  w->timer = std::make_unique<boost::asio::steady_timer>(io_, timeout);
  waiting_[channel].push_back(w);
  std::weak_ptr<Waiter> weak = w;
  w->timer->async_wait([this, weak](const boost::system::error_code& ec) {
    auto w = weak.lock();
    if (!w || ec) return;  // cancelled: woken otherwise
    Finish(w, WakeReason::kTimedOut);
  });
  return w->ticket;
}

void ParkingLot::Cancel(std::uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_ticket_.find(ticket);
  if (it == by_ticket_.end()) return;
  if (auto w = it->second.lock()) Take(w);  // forgotten: its wake is dropped, not called
}

std::function<void(WakeReason)> ParkingLot::Take(const std::shared_ptr<Waiter>& w) {
  if (w->done) return {};
  w->done = true;
  by_ticket_.erase(w->ticket);
  if (w->timer) w->timer->cancel();
  auto it = waiting_.find(w->channel);
  if (it != waiting_.end()) {
    it->second.remove(w);
    if (it->second.empty()) waiting_.erase(it);
  }
  return std::move(w->wake);
}

void ParkingLot::Finish(const std::shared_ptr<Waiter>& w, WakeReason reason) {
  std::function<void(WakeReason)> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake = Take(w);
  }
  if (wake) wake(reason);
}

void ParkingLot::Publish(const std::string& channel, std::int64_t position) {
  std::vector<std::function<void(WakeReason)>> ready;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& last = last_published_[channel];
    if (position > last) last = position;
    auto it = waiting_.find(channel);
    if (it == waiting_.end()) return;
    std::vector<std::shared_ptr<Waiter>> due;
    for (const auto& w : it->second) {
      if (position > w->after) due.push_back(w);
    }
    for (const auto& w : due) ready.push_back(Take(w));
  }
  // Publish is called from the change notifier's thread: the answers are built on the I/O
  // context's threads, where each wake callback posts its work.
  for (auto& wake : ready) {
    if (wake) wake(WakeReason::kPublished);
  }
}

void ParkingLot::Forget(const std::string& channel) {
  std::lock_guard<std::mutex> lock(mu_);
  last_published_.erase(channel);
}

void ParkingLot::WakeAll(WakeReason reason) {
  std::vector<std::function<void(WakeReason)>> ready;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::shared_ptr<Waiter>> all;
    for (const auto& [channel, list] : waiting_) all.insert(all.end(), list.begin(), list.end());
    // Waiters posted for an immediate answer are not in waiting_; they answer on their own.
    for (const auto& w : all) ready.push_back(Take(w));
  }
  for (auto& wake : ready) {
    if (wake) wake(reason);
  }
}

}  // namespace omni
