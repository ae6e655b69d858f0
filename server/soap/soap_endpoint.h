// SoapEndpoint: one SOAP request body in, one HTTP response out, through the gSOAP bindings on
// memory buffers (gSOAP parses and serialises; it never sees a socket). Every outcome leaves as a
// response: the operation's result, a fault in Salesforce's exact shape, a soapenv:Client fault
// for a body that is not a SOAP envelope, INVALID_OPERATION for a call the WSDLs lack, and
// UNKNOWN_EXCEPTION (with an opaque error id, also logged) for anything unexpected, so no request
// can take the process down.
//
// Thread-safety: Handle() is thread-safe; each thread keeps its own gSOAP context.
#pragma once

#include <string>

#include "server/soap/soap_app.h"
#include "server/transport/handler.h"
#include "server/transport/http_message.h"

namespace omni {

class SoapEndpoint {
 public:
  explicit SoapEndpoint(const SoapApp* app) : app_(app) {}
  HttpResponse Handle(Flavor flavor, const std::string& body) const;
  // The agent presence endpoint (POST /services/Soap/presence/44.0): our own WSDL, so requests
  // are read and answered exactly as it says (no Salesforce reshaping), and a getEvents with
  // nothing to report yet is parked on the org's change channel; when it wakes, the same body is
  // answered again, from the position it was parked at.
  HandlerResult HandlePresence(const std::string& body) const;

 private:
  HttpResponse Run(Flavor flavor, const std::string& body, RequestState* state) const;

  const SoapApp* app_;
};

}  // namespace omni
