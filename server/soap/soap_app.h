// SoapApp: what the SOAP adapters need to serve a request (the dispatcher, the sessions, the
// served WSDLs), reached from a gSOAP context through soap->user. Immutable after start-up;
// shared by every worker thread.
#pragma once

#include <string>

#include "server/dispatcher/dispatcher.h"
#include "server/sessions/session_service.h"

namespace omni {

// Which API a request came in on: /services/Soap/u (partner) or /services/Soap/c (enterprise).
enum class Flavor { kPartner, kEnterprise };

struct SoapApp {
  Dispatcher* dispatcher = nullptr;
  SessionService* sessions = nullptr;
  std::string base_url;  // "http://localhost:8080"
  std::string partner_wsdl;
  std::string enterprise_wsdl;
  std::string api_version = "44.0";
};

// Per-connection state behind soap->user.
struct RequestState {
  const SoapApp* app = nullptr;
  Flavor flavor = Flavor::kPartner;
};

}  // namespace omni
