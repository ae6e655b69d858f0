#include "server/transport/parking_lot.h"

#include <boost/asio/post.hpp>

namespace omni {

ParkingLot::~ParkingLot() = default;

std::uint64_t ParkingLot::Park(const std::string& channel, std::int64_t after,
                               std::chrono::milliseconds timeout,
                               std::function<void(WakeReason)> wake) {
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
  auto it = by_ticket_.find(ticket);
  if (it == by_ticket_.end()) return;
  if (auto w = it->second.lock()) Finish(w, WakeReason::kShutdown, true);
}

void ParkingLot::Finish(const std::shared_ptr<Waiter>& w, WakeReason reason, bool cancelled) {
  if (w->done) return;
  w->done = true;
  by_ticket_.erase(w->ticket);
  if (w->timer) w->timer->cancel();
  auto it = waiting_.find(w->channel);
  if (it != waiting_.end()) {
    it->second.remove(w);
    if (it->second.empty()) waiting_.erase(it);
  }
  auto wake = std::move(w->wake);
  if (!cancelled) wake(reason);
}

void ParkingLot::Publish(const std::string& channel, std::int64_t position) {
  boost::asio::post(io_, [this, channel, position] { PublishOnIo(channel, position); });
}

void ParkingLot::PublishOnIo(const std::string& channel, std::int64_t position) {
  auto& last = last_published_[channel];
  if (position > last) last = position;
  auto it = waiting_.find(channel);
  if (it == waiting_.end()) return;
  std::vector<std::shared_ptr<Waiter>> ready;
  for (const auto& w : it->second) {
    if (position > w->after) ready.push_back(w);
  }
  for (const auto& w : ready) Finish(w, WakeReason::kPublished);
}

void ParkingLot::WakeAll(WakeReason reason) {
  std::vector<std::shared_ptr<Waiter>> all;
  for (const auto& [channel, list] : waiting_) all.insert(all.end(), list.begin(), list.end());
  for (const auto& w : all) Finish(w, reason);
}

}  // namespace omni
