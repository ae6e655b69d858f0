// ChangeNotifier: wakes this process when any server process commits record changes or ends a
// session, or changes an org's clock. It owns one thread and one dedicated PostgreSQL connection
// doing LISTEN omni_changes, LISTEN omni_sessions and LISTEN omni_clock (storage/change_log.h,
// storage/session_tx.h), and reconnects after the database restarts.
//
// Notifications are wake-ups, not data: a change callback says "org X has committed changes up
// to position N"; the consumer then reads Store::ReadChangesAfter from the last position it
// handled, so coalesced or lost notifications never lose a change. While the connection is down
// notifications are lost, so on_connected runs after every (re)connection, and on_disconnected
// when it drops: a consumer re-reads from its own position, a cache stops trusting itself.
//
// Thread-safety: the callbacks run on the notifier's thread, one at a time; they must be quick
// and must not throw (an exception is logged and dropped). Start/destroy from one thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace omni::storage {

struct NotifierCallbacks {
  std::function<void(const std::string& org, std::int64_t position)> on_change;
  std::function<void()> on_sessions_ended;
  std::function<void(const std::string& org)> on_clock;  // the org's clock was changed
  std::function<void()> on_connected;
  std::function<void()> on_disconnected;
};

class ChangeNotifier {
 public:
  // Starts the thread; it connects in the background (connected() says when it listens).
  ChangeNotifier(std::string url, NotifierCallbacks callbacks);
  // Stops and joins the thread (within about 200 ms).
  ~ChangeNotifier();
  ChangeNotifier(const ChangeNotifier&) = delete;
  ChangeNotifier& operator=(const ChangeNotifier&) = delete;

  bool connected() const { return connected_; }
  // Waits until the notifier listens, at most timeout_ms; answers connected().
  bool WaitConnected(int timeout_ms);

 private:
  void Run();
  void Sleep(int ms);

  std::string url_;
  NotifierCallbacks callbacks_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> connected_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace omni::storage
