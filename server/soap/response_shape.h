// Response shape: rewrites what gSOAP serialised into the envelope Salesforce writes. gSOAP
// prefixes every element with the prefix of its namespace table (p:, ps:, e:, es:) and declares
// the whole table on the envelope; Salesforce declares the API namespace as the default
// (urn:partner.soap.sforce.com / urn:enterprise.soap.sforce.com), so response elements are
// unprefixed, and binds sf: to the sObject namespace. jsforce and many hand-rolled clients match
// on those names as text (<serverUrl>, <result>). The shaper also writes the LimitInfoHeader
// into the response header and the xsi:type attributes Salesforce writes (QueryResult,
// sf:sObject). Pure functions over text; thread-safe.
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

}  // namespace omni
