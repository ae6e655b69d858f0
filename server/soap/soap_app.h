// SoapApp: what the SOAP adapters need to serve a request (the dispatcher, the sessions, the
// served WSDLs), reached from a gSOAP context through soap->user. Immutable after start-up;
// shared by every worker thread.
#pragma once

#include <string>

#include "server/dispatcher/dispatcher.h"
#include "server/dispatcher/query_service.h"
#include "server/sessions/session_service.h"

struct soap;

namespace omni {

// Which API a request came in on: /services/Soap/u (partner) or /services/Soap/c (enterprise).
enum class Flavor { kPartner, kEnterprise };

struct SoapApp {
  Dispatcher* dispatcher = nullptr;
  SessionService* sessions = nullptr;
  QueryService* queries = nullptr;
  std::string base_url;  // "http://localhost:8080"
  std::string partner_wsdl;
  std::string enterprise_wsdl;
  std::string api_version = "44.0";
};

// Per-connection state behind soap->user.
struct RequestState {
  const SoapApp* app = nullptr;
  Flavor flavor = Flavor::kPartner;
  // The transport's bound on the current request body (see http_server.cpp).
  bool request_started = false;  // headers of the current request were read
  bool responded = false;        // a GET page was answered for the current request
  bool body_limited = false;
  unsigned long long body_remaining = 0;
  int (*http_parse)(struct soap*) = nullptr;
  size_t (*socket_recv)(struct soap*, char*, size_t) = nullptr;
  // While a request is read, closing the socket is left to the worker (see http_server.cpp).
  bool reading_request = false;
  int (*socket_close)(struct soap*) = nullptr;
};

}  // namespace omni
