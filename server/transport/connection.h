// Connection: one client socket's HTTP/1.1 life: wait for a request (idle time-out), read its
// headers and body under the limits, run the handler, park the request when the handler asks,
// write the answer, and go on with the next (pipelined) request. Internal to the transport.
//
// Thread-safety: every member runs on the connection's strand (its socket's executor), on
// whichever of the server's threads is free; anything else reaches it only through posts to
// that strand. The handler runs inline on the strand: the thread that read a request runs its
// call, so a call costs no hand-off between threads, and while it runs the other threads go on
// serving every other connection.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <vector>

#include "server/transport/handler.h"
#include "server/transport/http_server.h"
#include "server/transport/parking_lot.h"

namespace omni {

class Connection;

// What every connection shares: owned by HttpServer::Impl.
struct ServerCore {
  explicit ServerCore(int threads) : io(threads) {}
  boost::asio::io_context io;
  RequestHandler* handler = nullptr;
  HttpLimits limits;
  std::unique_ptr<ParkingLot> lot;
  std::atomic<bool> stopping{false};
  bool Full();  // the connection limit is reached
  void Admit(const std::shared_ptr<Connection>& c);
  // Called when a connection is gone, so a stopping server can finish.
  void Forget(const std::shared_ptr<Connection>& c);
  std::vector<std::shared_ptr<Connection>> Open();

 private:
  std::mutex mu_;
  std::unordered_set<std::shared_ptr<Connection>> open_;  // guarded by mu_
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerCore* core, boost::asio::ip::tcp::socket socket);
  void Start();
  // Server stop, from any thread: an idle or half-read connection closes now; one with a call in
  // flight closes after its answer.
  void OnShutdown();
  // Closes the socket at once (end of the grace period), from any thread.
  void ForceClose();

 private:
  enum class State { kIdle, kReading, kBusy, kParked, kWriting, kClosed };
  void WaitForRequest();
  void ReadHeader();
  void ReadBody();
  void Dispatch();
  void Park(ParkRequest park);
  void Woken(HttpResponse response);  // a parked request's answer is ready
  void Write(HttpResponse response);
  void Refuse(int status, const std::string& text);  // answer and close
  void Close();

  ServerCore* core_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  State state_ = State::kIdle;
  bool keep_alive_ = true;
  bool accepts_gzip_ = false;
  bool large_ = false;  // the last exchange was large: give memory back after it
  // While parked, a read watches for the client going away; the answer waits for it to end.
  std::uint64_t ticket_ = 0;
  bool watching_ = false;
  std::optional<HttpResponse> pending_;
};

}  // namespace omni
