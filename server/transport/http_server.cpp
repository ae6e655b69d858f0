#include "server/transport/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <iostream>

#include "server/transport/connection.h"

namespace omni {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class HttpServer::Impl {
 public:
  Impl(RequestHandler* handler, HttpLimits limits) : acceptor_(core_.io), retry_(core_.io) {
    core_.handler = handler;
    core_.limits = limits;
    core_.lot = std::make_unique<ParkingLot>(core_.io, limits.max_parked);
    grace_ = std::make_unique<asio::steady_timer>(core_.io);
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

  void Run() {
    core_.workers = std::make_unique<WorkerPool>(core_.limits.workers);
    Accept();
    core_.io.run();
    // Calls still running past the grace period post their answers to a stopped loop; the pool
    // waits for them, so nothing they use is destroyed under them.
    core_.workers->Stop();
  }

  void Stop(std::chrono::milliseconds grace) {
    asio::post(core_.io, [this, grace] {
      if (core_.stopping) return;
      core_.stopping = true;
      boost::system::error_code ec;
      acceptor_.close(ec);
      retry_.cancel();
      std::vector<std::shared_ptr<Connection>> open(core_.open.begin(), core_.open.end());
      for (const auto& c : open) c->OnShutdown();
      core_.lot->WakeAll(WakeReason::kShutdown);
      if (core_.open.empty()) return core_.io.stop();
      grace_->expires_after(grace);
      grace_->async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        std::vector<std::shared_ptr<Connection>> left(core_.open.begin(), core_.open.end());
        if (!left.empty()) {
          std::cerr << "omni-emulator: grace period over, closing " << left.size()
                    << " connection(s) with calls in flight" << std::endl;
        }
        for (const auto& c : left) c->ForceClose();
        core_.io.stop();
      });
    });
  }

  ServerCore core_;

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (core_.stopping) return;
      if (ec) {
        // Out of file descriptors (or a transient error): try again shortly instead of spinning.
        retry_.expires_after(std::chrono::milliseconds(50));
        retry_.async_wait([this](const boost::system::error_code& e) {
          if (!e && !core_.stopping) Accept();
        });
        return;
      }
      if (core_.open.size() >= core_.limits.max_connections) {
        RefuseConnection(std::move(socket));
      } else {
        auto c = std::make_shared<Connection>(&core_, std::move(socket));
        core_.open.insert(c);
        c->Start();
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

  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::unique_ptr<asio::steady_timer> grace_;
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
void HttpServer::WakeAll() {
  ParkingLot* lot = impl_->core_.lot.get();
  asio::post(impl_->core_.io, [lot] { lot->WakeAll(WakeReason::kPublished); });
}

}  // namespace omni
