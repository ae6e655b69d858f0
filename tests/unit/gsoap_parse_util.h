// Parses a SOAP envelope held in memory with the generated bindings, as the server's request path
// does up to the operation (envelope, header, body, and a partner create's sObjects with their
// DOM field elements; any other body element as a DOM tree). For the XML-guard cost tests and
// the envelope fuzz target. Returns gSOAP's error code (0 = parsed). Thread-safe: one context
// per call.
#pragma once

#include <stdsoap2.h>

#include <sstream>
#include <string>

#include "soapH.h"

// The server's namespace table (server/soap/soap_ops.cpp).
extern SOAP_NMAC struct Namespace namespaces[];

namespace omni::testing {

inline int ParseEnvelopeInMemory(const std::string& body) {
  struct soap* soap = soap_new1(SOAP_ENC_PLAIN | SOAP_C_UTFSTRING);
  soap_set_namespaces(soap, namespaces);
  std::istringstream in(body);
  soap->is = &in;
  int rc = SOAP_OK;
  if (soap_begin_recv(soap) || soap_envelope_begin_in(soap) || soap_recv_header(soap) ||
      soap_body_begin_in(soap)) {
    rc = soap->error ? soap->error : SOAP_ERR;
  } else {
    soap_peek_element(soap);
    if (!soap_match_tag(soap, soap->tag, "p:create")) {
      struct __p__create req;
      soap_default___p__create(soap, &req);
      if (!soap_get___p__create(soap, &req, "-p:create", nullptr)) rc = soap->error;
    } else {
      soap_dom_element dom(soap);
      if (!soap_in_xsd__anyType(soap, nullptr, &dom, nullptr)) rc = soap->error;
    }
    if (rc == SOAP_OK &&
        (soap_body_end_in(soap) || soap_envelope_end_in(soap) || soap_end_recv(soap))) {
      rc = soap->error;
    }
  }
  soap_destroy(soap);
  soap_end(soap);
  soap_free(soap);
  return rc;
}

}  // namespace omni::testing
