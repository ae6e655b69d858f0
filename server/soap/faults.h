// Faults: the one place SOAP faults are built, in Salesforce's exact shape:
// faultcode sf:<ExceptionCode> (unprefixed for login faults), faultstring "<code>: <message>",
// and a detail element named after the fault type with exceptionCode, exceptionMessage and, for
// query faults, row and column. Sent as HTTP 500. Pure text building; thread-safe.
#pragma once

#include <string>

#include "server/core/status.h"
#include "server/soap/soap_app.h"

namespace omni {

// The whole SOAP envelope for a fault, in the partner, enterprise or presence fault namespace.
std::string FaultEnvelope(Flavor flavor, const Fault& fault);

// A soapenv:Client fault, as Salesforce answers an envelope it cannot parse.
std::string ClientFaultEnvelope(const std::string& message);

// XML text escaping, with apostrophes as &apos; as Salesforce writes them.
std::string XmlEscape(const std::string& text);

}  // namespace omni
