#include "server/transport/connection.h"

#include <malloc.h>
#include <strings.h>

#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <ctime>
#include <iostream>

#include "server/transport/gzip.h"

namespace omni {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

// A request or answer past this size is "large": after it, the connection drops its buffers and
// the allocator is asked to give freed memory back to the system, so that a burst of 10 MB
// creates does not leave the process at its peak size.
constexpr std::size_t kLargeExchange = 1024 * 1024;
// Bodies below this size are sent uncompressed even to a client that accepts gzip: the gzip
// header and the CPU would cost more than they save.
constexpr std::size_t kMinGzipBody = 512;
constexpr auto kRefusalWriteTimeout = std::chrono::seconds(5);
constexpr auto kWriteTimeout = std::chrono::seconds(60);

void GiveMemoryBack() { malloc_trim(0); }

// The Date header every HTTP/1.1 origin server sends (RFC 9110 6.6.1), formatted once a second
// per thread.
const std::string& HttpDate() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != last) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    text = buf;
    last = now;
  }
  return text;
}

}  // namespace

bool ServerCore::Full() {
  std::lock_guard<std::mutex> lock(mu_);
  return open_.size() >= limits.max_connections;
}

void ServerCore::Admit(const std::shared_ptr<Connection>& c) {
  std::lock_guard<std::mutex> lock(mu_);
  open_.insert(c);
}

void ServerCore::Forget(const std::shared_ptr<Connection>& c) {
  std::lock_guard<std::mutex> lock(mu_);
  open_.erase(c);
  if (stopping && open_.empty()) io.stop();
}

std::vector<std::shared_ptr<Connection>> ServerCore::Open() {
  std::lock_guard<std::mutex> lock(mu_);
  return {open_.begin(), open_.end()};
}

Connection::Connection(ServerCore* core, boost::asio::ip::tcp::socket socket)
    : core_(core), stream_(std::move(socket)) {}

void Connection::Start() {
  beast::error_code ec;
  stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  WaitForRequest();
}

void Connection::WaitForRequest() {
  if (state_ == State::kClosed) return;
  if (core_->stopping) return Close();
  state_ = State::kIdle;
  if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
  stream_.expires_after(core_->limits.idle_timeout);
  auto self = shared_from_this();
  stream_.async_read_some(buffer_.prepare(4096), [self](beast::error_code ec, std::size_t n) {
    if (ec) return self->Close();  // the client left, the idle time ran out, or we stop
    self->buffer_.commit(n);
    self->ReadHeader();
  });
}

void Connection::ReadHeader() {
  if (state_ == State::kClosed) return;
  state_ = State::kReading;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(core_->limits.max_header_bytes));
  parser_->body_limit(core_->limits.max_body_bytes);
  stream_.expires_after(core_->limits.header_timeout);
  auto self = shared_from_this();
  http::async_read_header(stream_, buffer_, *parser_, [self](beast::error_code ec, std::size_t) {
    if (self->state_ == State::kClosed) return;
    if (ec == beast::error::timeout) {
      return self->Refuse(408, "Request Timeout: the request headers took too long\n");
    }
    if (ec == http::error::header_limit) {
      return self->Refuse(431, "Request Header Fields Too Large\n");
    }
    if (ec == http::error::body_limit) {  // a Content-Length over the limit
      return self->Refuse(413, "Payload Too Large\n");
    }
    if (ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
        ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted) {
      return self->Close();
    }
    if (ec) return self->Refuse(400, "Bad Request: malformed HTTP (" + ec.message() + ")\n");
    unsigned version = self->parser_->get().version();
    if (version != 10 && version != 11) {
      return self->Refuse(505, "HTTP Version Not Supported\n");
    }
    self->ReadBody();
  });
}

void Connection::ReadBody() {
  auto self = shared_from_this();
  auto read = [self] {
    if (self->state_ == State::kClosed) return;
    self->stream_.expires_after(self->core_->limits.body_timeout);
    http::async_read(
        self->stream_, self->buffer_, *self->parser_, [self](beast::error_code ec, std::size_t) {
          if (self->state_ == State::kClosed) return;
          if (ec == beast::error::timeout) {
            return self->Refuse(408, "Request Timeout: the body took too long\n");
          }
          if (ec == http::error::body_limit) {
            return self->Refuse(413, "Payload Too Large\n");
          }
          if (ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
              ec == http::error::partial_message) {
            return self->Close();  // the client left mid-body: no one to answer
          }
          if (ec) {
            return self->Refuse(400, "Bad Request: malformed HTTP (" + ec.message() + ")\n");
          }
          self->Dispatch();
        });
  };
  const auto& req = parser_->get();
  auto expect = req[http::field::expect];
  if (!parser_->is_done() && strncasecmp(expect.data(), "100-continue", expect.size()) == 0 &&
      expect.size() == 12) {
    // Clients that send Expect: 100-continue (curl, .NET, Java for large bodies) wait for it.
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(kRefusalWriteTimeout);
    boost::asio::async_write(stream_, boost::asio::buffer(kContinue),
                             [self, read](beast::error_code ec, std::size_t) {
                               if (ec) return self->Close();
                               read();
                             });
    return;
  }
  read();
}

void Connection::Dispatch() {
  state_ = State::kBusy;
  stream_.expires_never();
  http::request<http::string_body> msg = parser_->release();
  parser_.reset();
  keep_alive_ = msg.keep_alive();
  accepts_gzip_ = AcceptsGzip(std::string(msg[http::field::accept_encoding]));
  auto req = std::make_unique<HttpRequest>();
  req->method = std::string(msg.method_string());
  req->target = std::string(msg.target());
  size_t q = req->target.find('?');
  req->path = req->target.substr(0, q);
  if (q != std::string::npos) req->query = req->target.substr(q + 1);
  for (const auto& f : msg) {
    req->headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  }
  req->body = std::move(msg.body());
  std::string encoding(msg[http::field::content_encoding]);
  for (auto& c : encoding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate") {
    bool too_large = false;
    auto inflated = GzipInflate(req->body, core_->limits.max_body_bytes, &too_large);
    if (!inflated) {
      return too_large ? Refuse(413, "Payload Too Large (once inflated)\n")
                       : Refuse(400, "Bad Request: the body is not valid " + encoding + "\n");
    }
    req->body = std::move(*inflated);
  } else if (!encoding.empty() && encoding != "identity") {
    return Refuse(415, "Unsupported Media Type: Content-Encoding " + encoding + "\n");
  }
  large_ = req->body.size() > kLargeExchange;
  HandlerResult result;
  try {
    result = core_->handler->Handle(*req);
  } catch (const std::exception& e) {
    std::cerr << "omni-emulator: handler failed: " << e.what() << std::endl;
    result = HandlerResult{HttpResponse::Text(500, "Internal Server Error\n", true), {}};
  } catch (...) {
    result = HandlerResult{HttpResponse::Text(500, "Internal Server Error\n", true), {}};
  }
  req.reset();
  if (large_) GiveMemoryBack();
  if (result.park) return Park(std::move(*result.park));
  Write(std::move(result.response));
}

void Connection::Park(ParkRequest park) {
  if (state_ == State::kClosed) return;
  auto finish = std::make_shared<std::function<HttpResponse(WakeReason)>>(std::move(park.finish));
  auto self = shared_from_this();
  // Called by the lot from any thread: the answer is built on this connection's strand.
  auto wake = [self, finish](WakeReason reason) {
    boost::asio::post(self->stream_.get_executor(), [self, finish, reason] {
      HttpResponse r;
      try {
        r = (*finish)(reason);
      } catch (...) {
        r = HttpResponse::Text(500, "Internal Server Error\n", true);
      }
      self->Woken(std::move(r));
    });
  };
  if (core_->stopping) return wake(WakeReason::kShutdown);  // parked after the stop began
  ticket_ = core_->lot->Park(park.channel, park.after, park.timeout, wake);
  if (ticket_ == 0) {
    HttpResponse busy = HttpResponse::Text(503, "Service Unavailable: too many parked requests\n");
    busy.headers.emplace_back("Retry-After", "1");
    return Write(std::move(busy));
  }
  // A client that gives up on its long-poll closes the socket: notice it, so the waiter does
  // not hold a place until its time-out. Bytes that arrive instead (a pipelined request) are
  // kept for after the answer.
  state_ = State::kParked;
  watching_ = true;
  stream_.expires_never();
  stream_.async_read_some(buffer_.prepare(4096), [self](beast::error_code ec, std::size_t n) {
    self->watching_ = false;
    if (!ec) self->buffer_.commit(n);
    if (self->pending_) {  // the answer is ready: the read was cancelled to make way for it
      auto r = std::move(*self->pending_);
      self->pending_.reset();
      return self->Write(std::move(r));
    }
    if (ec && self->state_ == State::kParked) {
      self->core_->lot->Cancel(self->ticket_);
      self->Close();
    }
  });
}

void Connection::Woken(HttpResponse response) {
  if (state_ == State::kClosed) return;
  if (watching_) {
    pending_ = std::move(response);
    beast::error_code ec;
    stream_.socket().cancel(ec);  // only the watching read is pending on the socket now
    return;
  }
  Write(std::move(response));
}

void Connection::Refuse(int status, const std::string& text) {
  keep_alive_ = false;
  accepts_gzip_ = false;
  parser_.reset();
  Write(HttpResponse::Text(status, text, true));
}

void Connection::Write(HttpResponse r) {
  if (state_ == State::kClosed) return;
  state_ = State::kWriting;
  if (r.close || core_->stopping) keep_alive_ = false;
  large_ = large_ || r.body.size() > kLargeExchange;
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(r.status));
  response_.set(http::field::date, HttpDate());
  response_.set(http::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) response_.set(k, v);
  if (accepts_gzip_ && r.body.size() >= kMinGzipBody) {
    r.body = GzipDeflate(r.body);
    response_.set(http::field::content_encoding, "gzip");
  }
  response_.body() = std::move(r.body);
  response_.keep_alive(keep_alive_);
  // Said explicitly, as the previous transport did and some clients' pools look for.
  response_.set(http::field::connection, keep_alive_ ? "keep-alive" : "close");
  response_.prepare_payload();
  stream_.expires_after(r.status >= 400 && !keep_alive_ ? kRefusalWriteTimeout
                                                        : std::chrono::seconds(kWriteTimeout));
  auto self = shared_from_this();
  http::async_write(stream_, response_, [self](beast::error_code ec, std::size_t) {
    self->response_ = {};
    if (ec || !self->keep_alive_) return self->Close();
    if (self->large_) {
      self->large_ = false;
      if (self->buffer_.size() == 0) self->buffer_ = beast::flat_buffer();
      GiveMemoryBack();
    }
    self->WaitForRequest();
  });
}

void Connection::OnShutdown() {
  auto self = shared_from_this();
  boost::asio::post(stream_.get_executor(), [self] {
    if (self->state_ == State::kIdle || self->state_ == State::kReading) self->Close();
  });
}

void Connection::ForceClose() {
  auto self = shared_from_this();
  boost::asio::post(stream_.get_executor(), [self] { self->Close(); });
}

void Connection::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
  core_->Forget(shared_from_this());
}

}  // namespace omni
