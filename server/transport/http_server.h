// HttpServer: HTTP/1.1 on an event loop. A bounded pool of threads (`workers`) runs one Boost.Asio
// io_context (Boost.Beast parsing) that owns every socket: idle keep-alive connections and parked
// requests cost no thread. The thread that has read a request whole (de-chunked, gzip-inflated)
// runs the RequestHandler for it inline and writes the answer, gzip-compressed when the client
// accepts it: no hand-off between threads, which on a small machine costs more than the call's
// own work. While a call runs, the other threads serve every other connection. Requests pipelined
// on one connection are answered in order, one at a time. Every limit (connections, header and body
// size, time to send the headers and the body, idle time, parked requests) has a clean answer when
// crossed; malformed HTTP gets a 400 and a closed connection at once.
//
// Thread-safety: Bind() then Run() from one thread (Run runs the loop on it and on workers-1 more
// threads, and returns after Stop).
// Stop() and Publish() may be called from any thread; Every() before Run().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/transport/handler.h"

namespace omni {

struct HttpLimits {
  std::size_t max_connections = 10000;
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 64 * 1024 * 1024;    // after gzip inflation, too
  std::chrono::milliseconds header_timeout{10000};  // first byte of a request to its last header
  std::chrono::milliseconds body_timeout{60000};    // end of the headers to the end of the body
  std::chrono::milliseconds idle_timeout{120000};   // keep-alive connection with no request
  std::size_t max_parked = 10000;
  int workers = 16;
};

class HttpServer {
 public:
  HttpServer(RequestHandler* handler, HttpLimits limits);
  ~HttpServer();
  // Listens on host:port (all addresses when host is empty). false with *error on failure.
  bool Bind(const std::string& host, int port, std::string* error);
  // Serves until Stop() has drained the connections (or its grace period ran out).
  void Run();
  // Graceful stop: stops accepting, closes idle connections at once, answers parked requests
  // (WakeReason::kShutdown), lets calls in flight finish for up to `grace`, then closes the rest.
  void Stop(std::chrono::milliseconds grace);
  // Wakes requests parked on channel for positions below `position` (see ParkingLot).
  void Publish(const std::string& channel, std::int64_t position);
  // Forgets a channel's last publication (ParkingLot::Forget).
  void Forget(const std::string& channel);
  // A periodic task on the loop (the push time-out sweep): `task` runs on one of the loop's
  // threads `interval` after this call, then `interval` after each run ended, so it never
  // overlaps itself and a slow run delays the next instead of piling runs up. It blocks that one
  // thread while it runs (the others serve on). It ends with Stop; it must not throw.
  void Every(std::chrono::milliseconds interval, std::function<void()> task);
  // Wakes every parked request as if its channel had moved on, so each re-reads its source
  // (after notifications may have been lost); any thread.
  void WakeAll();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace omni
