// HttpServer: the listening socket, a bounded pool of worker threads, and the per-connection
// loop that routes each request by path: GET pages (health, WSDLs), SOAP POSTs to the partner or
// enterprise endpoint (served by the gSOAP bindings), 404 for anything else. HTTP/1.1 keep-alive.
//
// Thread-safety: Bind and Run from one thread; Stop from any thread (a signal watcher).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "server/soap/soap_app.h"

struct soap;

namespace omni {

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  // Listens on host:port. On failure returns false with *error (port in use, bad address).
  bool Bind(const std::string& host, int port, std::string* error);
  // Serves connections with `workers` threads until Stop(); returns after the workers finished.
  void Run(const SoapApp* app, int workers);
  void Stop() { stop_ = true; }

 private:
  struct soap* master_;
  std::atomic<bool> stop_{false};
};

}  // namespace omni
