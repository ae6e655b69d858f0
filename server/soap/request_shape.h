// Request shape: reads a request the way Salesforce reads it. Salesforce matches the elements
// of a call by local name whatever namespace or prefix they carry (jsforce sends sObjects in
// "sobject.partner.soap.sforce.com", old toolkits send unqualified elements); gSOAP matches by
// namespace. The normaliser moves every element below Header and Body into the namespace gSOAP
// expects at that position, remembers the namespace it came with (so that an element that fits
// nowhere is named as the client sent it), settles an sObject's type from its `type` element or
// else its xsi:type, and counts the records the call carries. Pure function over text;
// thread-safe.
#pragma once

#include <string>

#include "server/soap/soap_app.h"

namespace omni {

// The attribute the normaliser puts on an element whose namespace it changed, holding the
// namespace the client sent (empty for an unqualified element).
inline constexpr const char* kOriginalNsAttribute = "omni-original-ns";

struct NormalisedRequest {
  std::string xml;       // the request for gSOAP
  int record_items = 0;  // sObjects / ids / sObjectType elements the call carried
};

// The request with every element under Header and Body in the namespace gSOAP expects there.
// A body that does not parse as XML, is not an envelope, or calls the other API's namespace is
// returned unchanged: gSOAP and the operation then answer it themselves.
NormalisedRequest NormaliseRequest(Flavor flavor, const std::string& body);

}  // namespace omni
