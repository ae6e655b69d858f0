// Wire shape: rewrites what gSOAP serialised into the envelope Salesforce writes, and reads a
// request the way Salesforce reads it.
//
// Responses (ShapeResponse): gSOAP prefixes every element with the prefix of its namespace table
// (p:, ps:, e:, es:) and declares the whole table on the envelope; Salesforce declares the API
// namespace as the default (urn:partner.soap.sforce.com / urn:enterprise.soap.sforce.com), so
// response elements are unprefixed, and binds sf: to the sObject namespace. jsforce and many
// hand-rolled clients match on those names as text (<serverUrl>, <result>). The shaper also puts
// the LimitInfoHeader into the response header and the xsi:type attributes Salesforce writes
// (QueryResult, sf:sObject).
//
// Requests (NormaliseRequest): Salesforce matches the elements of a call by local name whatever
// namespace or prefix they carry (jsforce sends sObjects in "sobject.partner.soap.sforce.com",
// old toolkits send unqualified elements); gSOAP matches by namespace. The normaliser moves every
// element below Header and Body into the namespace gSOAP expects at that position, remembers the
// namespace it came with (so that an element that fits nowhere is named as the client sent it),
// and settles an sObject's type from its `type` element or else its xsi:type.
//
// Pure functions over text; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "server/soap/soap_app.h"

namespace omni {

// The LimitInfoHeader content of a response: API REQUESTS used so far, of the limit.
std::string LimitInfoHeader(std::int64_t current, std::int64_t limit);

// gSOAP's serialised response as Salesforce shapes it; `header` (may be empty) is written inside
// <soapenv:Header>. *results (if given) receives the number of `result` elements of the response
// element, or -1 if the input did not parse (it always does: gSOAP wrote it; it is then returned
// unchanged).
std::string ShapeResponse(Flavor flavor, const std::string& gsoap_xml, const std::string& header,
                          int* results = nullptr);

// The attribute the normaliser puts on an element whose namespace it changed, holding the
// namespace the client sent (empty for an unqualified element).
inline constexpr const char* kOriginalNsAttribute = "omni-original-ns";

struct NormalisedRequest {
  std::string xml;       // the request for gSOAP
  int record_items = 0;  // sObjects / ids / sObjectType elements the call carried
};

// The request with every element under Header and Body in the namespace gSOAP expects there.
// A body that does not parse as XML is returned unchanged: gSOAP then answers its own fault.
NormalisedRequest NormaliseRequest(Flavor flavor, const std::string& body);

}  // namespace omni
