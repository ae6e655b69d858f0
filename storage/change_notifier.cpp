#include "storage/change_notifier.h"

#include <chrono>
#include <cstdint>
#include <iostream>
#include <pqxx/pqxx>

namespace omni::storage {

namespace {

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, const std::string& channel,
           std::function<void(const std::string&)> fn)
      : pqxx::notification_receiver(c, channel), fn_(std::move(fn)) {}
  void operator()(const std::string& payload, int) override { fn_(payload); }

 private:
  std::function<void(const std::string&)> fn_;
};

template <typename Fn>
void Call(const char* what, Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    std::cerr << "omni-emulator: change notifier " << what << " callback: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "omni-emulator: change notifier " << what << " callback failed\n";
  }
}

}  // namespace

ChangeNotifier::ChangeNotifier(std::string url, NotifierCallbacks callbacks)
    : url_(std::move(url)), callbacks_(std::move(callbacks)) {
  // Named, so that an operator (or a test) can tell the listening connection apart.
  // A URL takes it as a query parameter; a key=value connection string as one more pair.
  if (url_.find("application_name") == std::string::npos) {
    if (url_.rfind("postgres://", 0) == 0 || url_.rfind("postgresql://", 0) == 0) {
      url_ += (url_.find('?') == std::string::npos ? "?" : "&");
      url_ += "application_name=omni-notifier";
    } else {
      url_ += " application_name=omni-notifier";
    }
  }
  thread_ = std::thread([this] { Run(); });
}

ChangeNotifier::~ChangeNotifier() {
  {
    // Under the lock, so that Sleep() cannot miss the wake-up between its check and its wait.
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ChangeNotifier::WaitConnected(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return connected_.load(); });
  return connected_;
}

void ChangeNotifier::Sleep(int ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stop_.load(); });
}

void ChangeNotifier::Run() {
  int backoff_ms = 100;
  bool reported_down = false;
  while (!stop_) {
    try {
      pqxx::connection c(url_);
      Receiver changes(c, "omni_changes", [&](const std::string& payload) {
        // "<org>:<position>"
        auto colon = payload.rfind(':');
        if (colon == std::string::npos || !callbacks_.on_change) return;
        // Any client may NOTIFY this channel: a payload that is not ours is ignored.
        std::int64_t pos = 0;
        for (size_t i = colon + 1; i < payload.size(); ++i) {
          if (payload[i] < '0' || payload[i] > '9' || pos > (INT64_MAX - 9) / 10) return;
          pos = pos * 10 + (payload[i] - '0');
        }
        Call("change", [&] { callbacks_.on_change(payload.substr(0, colon), pos); });
      });
      Receiver sessions(c, "omni_sessions", [&](const std::string&) {
        if (callbacks_.on_sessions_ended) Call("session", callbacks_.on_sessions_ended);
      });
      Receiver clocks(c, "omni_clock", [&](const std::string& org) {
        if (callbacks_.on_clock) Call("clock", [&] { callbacks_.on_clock(org); });
      });
      // The receivers' LISTENs were sent on construction; a round trip proves they took effect.
      pqxx::nontransaction(c).exec("SELECT 1");
      {
        std::lock_guard<std::mutex> lock(mu_);
        connected_ = true;
      }
      cv_.notify_all();
      reported_down = false;
      backoff_ms = 100;
      if (callbacks_.on_connected) Call("connected", callbacks_.on_connected);
      auto last_probe = std::chrono::steady_clock::now();
      while (!stop_) {
        c.await_notification(0, 200000);
        if (!c.is_open()) throw pqxx::broken_connection("notifier connection closed");
        // A dead peer does not always wake select(): probe now and then.
        if (std::chrono::steady_clock::now() - last_probe > std::chrono::seconds(2)) {
          pqxx::nontransaction(c).exec("SELECT 1");
          last_probe = std::chrono::steady_clock::now();
        }
      }
      connected_ = false;
    } catch (const std::exception& e) {
      bool was = connected_.exchange(false);
      if (was || !reported_down) {
        std::cerr << "omni-emulator: change notifier disconnected: " << e.what() << "\n";
        reported_down = true;
      }
      if (was && callbacks_.on_disconnected) Call("disconnected", callbacks_.on_disconnected);
      Sleep(backoff_ms);
      backoff_ms = std::min(backoff_ms * 2, 2000);
    }
  }
}

}  // namespace omni::storage
