#include "server/transport/http_server.h"

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <iostream>
#include <thread>
#include <vector>

#include "server/transport/connection.h"

namespace omni {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class HttpServer::Impl {
 public:
  Impl(RequestHandler* handler, HttpLimits limits)
      : core_(std::max(1, limits.workers)),
        strand_(asio::make_strand(core_.io)),
        acceptor_(strand_),
        retry_(strand_),
        grace_(strand_) {
    core_.handler = handler;
    core_.limits = limits;
    core_.lot = std::make_unique<ParkingLot>(core_.io, limits.max_parked);
  }

  bool Bind(const std::string& host, int port, std::string* error) {
    boost::system::error_code ec;
    auto address = host.empty() ? asio::ip::address(asio::ip::address_v6::any())
                                : asio::ip::make_address(host, ec);
    if (ec) {
      *error = "cannot listen on " + host + ": not an IP address";
      return false;
    }
    tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec && host.empty()) acceptor_.set_option(asio::ip::v6_only(false), ec);
    if (ec && host.empty()) {  // no IPv6 on this machine: all IPv4 addresses
      ec.clear();
      endpoint = tcp::endpoint(asio::ip::address_v4::any(), static_cast<unsigned short>(port));
      acceptor_.open(endpoint.protocol(), ec);
    }
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(1024, ec);
    if (ec) {
      *error = "cannot listen on " + (host.empty() ? std::string("*") : host) + ":" +
               std::to_string(port) + " (" + ec.message() + ")";
      return false;
    }
    return true;
  }

  // The calling thread and workers-1 more run the loop: each reads requests, runs their calls
  // inline and writes the answers. A call in flight past the grace period keeps its thread until
  // it returns; Run joins every thread, so nothing a call uses is destroyed under it.
  void Run() {
    asio::post(strand_, [this] { Accept(); });
    std::vector<std::thread> threads;
    for (int i = 1; i < core_.limits.workers; ++i) {
      threads.emplace_back([this] { core_.io.run(); });
    }
    core_.io.run();
    for (auto& t : threads) t.join();
  }

  void Stop(std::chrono::milliseconds grace) {
    asio::post(strand_, [this, grace] {
      if (core_.stopping) return;
      core_.stopping = true;
      boost::system::error_code ec;
      acceptor_.close(ec);
      retry_.cancel();
      for (const auto& t : periodic_) t->cancel();
      std::vector<std::shared_ptr<Connection>> open = core_.Open();
      for (const auto& c : open) c->OnShutdown();
      core_.lot->WakeAll(WakeReason::kShutdown);
      if (open.empty()) return core_.io.stop();
      grace_.expires_after(grace);
      grace_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        std::vector<std::shared_ptr<Connection>> left = core_.Open();
        if (!left.empty()) {
          std::cerr << "omni-emulator: grace period over, closing " << left.size()
                    << " connection(s) with calls in flight" << std::endl;
        }
        for (const auto& c : left) c->ForceClose();
        core_.io.stop();
      });
    });
  }

  void Every(std::chrono::milliseconds interval, std::function<void()> task) {
    auto timer = std::make_shared<asio::steady_timer>(strand_);
    periodic_.push_back(timer);
    Schedule(timer, interval, std::make_shared<std::function<void()>>(std::move(task)));
  }

  ServerCore core_;

 private:
  // The timer waits on the acceptor's strand, so Stop's cancel cannot race the re-arm; the task
  // itself runs off the strand (posted to the loop), so a slow run never delays Stop.
  void Schedule(const std::shared_ptr<asio::steady_timer>& timer,
                std::chrono::milliseconds interval,
                const std::shared_ptr<std::function<void()>>& task) {
    timer->expires_after(interval);
    timer->async_wait([this, timer, interval, task](const boost::system::error_code& ec) {
      if (ec || core_.stopping) return;
      asio::post(core_.io, [this, timer, interval, task] {
        if (core_.stopping) return;
        (*task)();
        asio::post(strand_, [this, timer, interval, task] {
          if (!core_.stopping) Schedule(timer, interval, task);
        });
      });
    });
  }

  void Accept() {
    // Each connection's socket gets a strand of its own: its handlers never run concurrently.
    acceptor_.async_accept(
        asio::make_strand(core_.io), [this](boost::system::error_code ec, tcp::socket socket) {
          if (core_.stopping) return;
          if (ec) {
            // Out of file descriptors (or a transient error): try again shortly instead of
            // spinning.
            retry_.expires_after(std::chrono::milliseconds(50));
            retry_.async_wait([this](const boost::system::error_code& e) {
              if (!e && !core_.stopping) Accept();
            });
            return;
          }
          // Only this strand admits connections, so the room it sees cannot shrink before Admit.
          if (core_.Full()) {
            RefuseConnection(std::move(socket));
          } else {
            auto c = std::make_shared<Connection>(&core_, std::move(socket));
            core_.Admit(c);
            c->Start();  // its first read: the handlers then run on the connection's strand
          }
          Accept();
        });
  }

  // Over the connection limit: a short 503 and close, without reading the request.
  void RefuseConnection(tcp::socket socket) {
    static const std::string kText = "Service Unavailable: too many connections\n";
    static const std::string kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=UTF-8\r\n"
        "Content-Length: " +
        std::to_string(kText.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + kText;
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    asio::async_write(*s, asio::buffer(kBusy), [s](boost::system::error_code, std::size_t) {
      boost::system::error_code ignored;
      s->shutdown(tcp::socket::shutdown_both, ignored);
      s->close(ignored);
    });
  }

  asio::strand<asio::io_context::executor_type> strand_;  // the acceptor's, Stop's and timers'
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  asio::steady_timer grace_;
  std::vector<std::shared_ptr<asio::steady_timer>> periodic_;  // Every()'s, cancelled by Stop
};

HttpServer::HttpServer(RequestHandler* handler, HttpLimits limits)
    : impl_(std::make_unique<Impl>(handler, limits)) {}
HttpServer::~HttpServer() = default;
bool HttpServer::Bind(const std::string& host, int port, std::string* error) {
  return impl_->Bind(host, port, error);
}
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }
void HttpServer::Publish(const std::string& channel, std::int64_t position) {
  impl_->core_.lot->Publish(channel, position);
}
void HttpServer::Forget(const std::string& channel) { impl_->core_.lot->Forget(channel); }
void HttpServer::Every(std::chrono::milliseconds interval, std::function<void()> task) {
  impl_->Every(interval, std::move(task));
}
void HttpServer::WakeAll() { impl_->core_.lot->WakeAll(WakeReason::kPublished); }

}  // namespace omni
