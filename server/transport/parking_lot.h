// ParkingLot: requests waiting for a publication on a channel, or for their time-out, without a
// thread each. Positions on a channel only grow (the change log's positions per org); the
// lot remembers the last position published on each channel, so a request that parks after a
// publication it has not seen yet is woken at once instead of missing it.
//
// Thread-safety: thread-safe; one mutex guards every member below it. A wake callback is called
// once, on one of the I/O context's threads, never under the mutex and never inside Park().
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
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
  // Forgets what was published on a channel nobody will wait on again (a CometD client's, once
  // it is gone), so that short-lived channels do not accumulate. Waiters still parked on it stay.
  void Forget(const std::string& channel);
  // Wakes every waiter with `reason` (shutdown).
  void WakeAll(WakeReason reason);
  std::size_t parked() const;

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
  // Removes the waiter (mu_ held) and returns its wake callback, empty when it had finished
  // already; the caller calls it after unlocking.
  std::function<void(WakeReason)> Take(const std::shared_ptr<Waiter>& w);
  void Finish(const std::shared_ptr<Waiter>& w, WakeReason reason);

  boost::asio::io_context& io_;
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::map<std::string, WaiterList> waiting_;
  std::map<std::string, std::int64_t> last_published_;
  std::map<std::uint64_t, std::weak_ptr<Waiter>> by_ticket_;
  std::uint64_t next_ticket_ = 1;
};

}  // namespace omni
