#include "server/transport/http_server.h"

#include <stdsoap2.h>

#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "server/soap/faults.h"
#include "server/transport/raw_http.h"
#include "server/transport/routes.h"
#include "soapH.h"

namespace omni {

namespace {

// A bounded hand-off from the accepting thread to the workers: when every worker is busy and
// the queue is full, accepting waits, so load backs up into the kernel's listen queue.
class ConnectionQueue {
 public:
  explicit ConnectionQueue(size_t capacity) : capacity_(capacity) {}
  void Push(struct soap* s) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return q_.size() < capacity_; });
    q_.push_back(s);
    not_empty_.notify_one();
  }
  // nullptr once closed and drained.
  struct soap* Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return nullptr;
    struct soap* s = q_.front();
    q_.pop_front();
    not_full_.notify_one();
    return s;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<struct soap*> q_;
  bool closed_ = false;
};

// gSOAP's XML parser reads on past an HTTP body that ends inside the XML (a truncated or
// non-XML body), and would wait for the client until the receive timeout. These two hooks
// bound every body by its Content-Length: after the headers are parsed, the bytes still allowed
// are the length minus what is already buffered; reads beyond that see end-of-input.
int ParseHeadersAndBound(struct soap* soap) {
  auto* state = static_cast<RequestState*>(soap->user);
  int rc = state->http_parse(soap);
  if (rc == SOAP_OK) state->request_started = true;
  if (rc == SOAP_OK && soap->length > 0) {
    unsigned long long buffered = soap->buflen - soap->bufidx;
    state->body_limited = true;
    state->body_remaining = soap->length > buffered ? soap->length - buffered : 0;
  }
  return rc;
}

size_t BoundedRecv(struct soap* soap, char* buf, size_t len) {
  auto* state = static_cast<RequestState*>(soap->user);
  if (state->body_limited) {
    if (state->body_remaining == 0) return 0;
    if (len > state->body_remaining) len = static_cast<size_t>(state->body_remaining);
  }
  size_t n = state->socket_recv(soap, buf, len);
  if (state->body_limited) state->body_remaining -= n;
  return n;
}

// When reading a request fails and the client sent "Connection: close", gSOAP closes the socket
// at once, before ServeConnection can answer with a fault, and the client sees the connection
// drop with no answer. While a request is read the close is therefore skipped: the worker closes
// every connection after ServeConnection returns.
int CloseUnlessReading(struct soap* soap) {
  auto* state = static_cast<RequestState*>(soap->user);
  if (state->reading_request) return SOAP_OK;
  return state->socket_close(soap);
}

// One connection: requests in turn while the client keeps it alive (gSOAP's soap_serve loop,
// with routing by path before the SOAP body is dispatched).
void ServeConnection(struct soap* soap, RequestState* state) {
  state->http_parse = soap->fparse;
  state->socket_recv = soap->frecv;
  state->socket_close = soap->fclose;
  soap->fparse = ParseHeadersAndBound;
  soap->frecv = BoundedRecv;
  soap->fclose = CloseUnlessReading;
  soap->keep_alive = soap->max_keep_alive + 1;
  do {
    if (soap->keep_alive > 0 && soap->max_keep_alive > 0) soap->keep_alive--;
    state->body_limited = false;  // the next request's headers are read unbounded
    state->request_started = false;
    state->responded = false;
    state->reading_request = true;
    int failed = soap_begin_serve(soap);
    state->reading_request = false;
    if (failed) {
      if (soap->error >= SOAP_STOP && state->responded) continue;  // a GET page was answered
      // Malformed XML or HTTP: a soapenv:Client fault (as Salesforce answers unparsable
      // envelopes), then close, since the rest of the request cannot be trusted. An end of
      // input before any request is just the client closing its connection.
      if (soap->error != SOAP_EOF || state->request_started) {
        std::string message =
            "Unexpected end of the request: the body is not a complete SOAP "
            "envelope";
        if (soap->error != SOAP_EOF && soap->error < SOAP_STOP) {
          soap_set_fault(soap);
          const char** text = soap_faultstring(soap);
          if (text && *text) message = std::string("Malformed request: ") + *text;
        }
        soap->keep_alive = 0;
        SendRaw(soap, 500, "text/xml; charset=UTF-8", ClientFaultEnvelope(message));
      }
      break;
    }
    auto flavor = FlavorOfPath(soap->path);
    if (!flavor) {
      // The rest of the body is unread: the connection cannot be reused.
      soap->keep_alive = 0;
      SendRaw(soap, 404, "text/plain; charset=UTF-8", "Not Found\n");
      break;
    }
    state->flavor = *flavor;
    if (soap_serve_request(soap) && soap->error && soap->error < SOAP_STOP) {
      if (soap->error == SOAP_NO_METHOD) {
        // A call of the Salesforce API that the emulator does not implement (yet): an explicit
        // fault, never a silent success. The body is unread, so the connection closes after it.
        soap->keep_alive = 0;
        std::string name = soap->tag;
        name = name.substr(name.find(':') + 1);
        SendRaw(soap, 500, "text/xml; charset=UTF-8",
                FaultEnvelope(*flavor, Fault{ExceptionCode::kInvalidOperation, FaultKind::kApiFault,
                                             "omni-emulator does not implement the call '" + name +
                                                 "' (see LIMITATIONS in README.md)"}));
        break;
      }
      soap_send_fault(soap);
      break;
    }
    soap_destroy(soap);
    soap_end(soap);
  } while (soap->keep_alive);
}

}  // namespace

HttpServer::HttpServer() : master_(soap_new1(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING)) {}

HttpServer::~HttpServer() {
  soap_destroy(master_);
  soap_end(master_);
  soap_free(master_);
}

bool HttpServer::Bind(const std::string& host, int port, std::string* error) {
  master_->bind_flags = SO_REUSEADDR;
  master_->accept_timeout = 1;  // wake up every second to notice Stop()
  if (!soap_valid_socket(soap_bind(master_, host.empty() ? nullptr : host.c_str(), port, 128))) {
    *error = "cannot listen on " + (host.empty() ? std::string("*") : host) + ":" +
             std::to_string(port) + " (is the port in use?)";
    return false;
  }
  return true;
}

void HttpServer::Run(const SoapApp* app, int workers) {
  ConnectionQueue queue(static_cast<size_t>(workers) * 4);
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&queue, app] {
      RequestState state;
      state.app = app;
      while (struct soap* s = queue.Pop()) {
        s->user = &state;
        s->fget = HandleGet;
        s->recv_timeout = 60;
        s->send_timeout = 60;
        s->max_keep_alive = 100000;
        s->recv_maxlength = 64 * 1024 * 1024;
        ServeConnection(s, &state);
        soap_force_closesock(s);
        soap_destroy(s);
        soap_end(s);
        soap_free(s);
      }
    });
  }
  while (!stop_) {
    SOAP_SOCKET sock = soap_accept(master_);
    if (!soap_valid_socket(sock)) {
      if (master_->errnum) soap_print_fault(master_, stderr);
      continue;  // timeout: check stop_
    }
    struct soap* copy = soap_copy(master_);
    if (!copy) {
      soap_force_closesock(master_);
      continue;
    }
    queue.Push(copy);
    master_->socket = SOAP_INVALID_SOCKET;  // the copy owns the connection now
  }
  queue.Close();
  for (auto& t : threads) t.join();
}

}  // namespace omni
