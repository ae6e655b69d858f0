// ParkingLot: requests waiting for a publication on a channel, or for their time-out, without a
// worker thread each. Positions on a channel only grow (the change log's positions per org); the
// lot remembers the last position published on each channel, so a request that parks after a
// publication it has not seen yet is woken at once instead of missing it.
//
// Thread-safety: Publish() may be called from any thread (it posts to the I/O context). Every other
// member runs on the I/O context's thread only, and each wake callback is called there, once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>

#include "server/transport/handler.h"

namespace omni {

class ParkingLot {
 public:
  ParkingLot(boost::asio::io_context& io, std::size_t capacity) : io_(io), capacity_(capacity) {}
  ~ParkingLot();

  // Parks a waiter and returns its ticket. Returns 0, without calling wake, when `capacity`
  // waiters are parked already. Otherwise wake is called exactly once, unless the ticket is
  // cancelled first: kPublished when a position > after is (or was already) published on the
  // channel, kTimedOut after timeout, kShutdown from WakeAll.
  std::uint64_t Park(const std::string& channel, std::int64_t after,
                     std::chrono::milliseconds timeout, std::function<void(WakeReason)> wake);
  // Forgets a waiter whose client went away; wake is not called. No-op once it has woken.
  void Cancel(std::uint64_t ticket);
  // Announces that `position` was reached on `channel`.
  void Publish(const std::string& channel, std::int64_t position);
  // Wakes every waiter with `reason` (shutdown).
  void WakeAll(WakeReason reason);
  std::size_t parked() const { return by_ticket_.size(); }

 private:
  struct Waiter {
    std::uint64_t ticket;
    std::string channel;
    std::int64_t after;
    std::function<void(WakeReason)> wake;
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool done = false;
  };
  using WaiterList = std::list<std::shared_ptr<Waiter>>;
  void PublishOnIo(const std::string& channel, std::int64_t position);
  // Removes the waiter; calls wake unless cancelled.
  void Finish(const std::shared_ptr<Waiter>& w, WakeReason reason, bool cancelled = false);

  boost::asio::io_context& io_;
  std::size_t capacity_;
  std::map<std::string, WaiterList> waiting_;
  std::map<std::string, std::int64_t> last_published_;
  std::map<std::uint64_t, std::weak_ptr<Waiter>> by_ticket_;
  std::uint64_t next_ticket_ = 1;
};

}  // namespace omni
