// Routes: which path is which endpoint, and the GET pages (health and WSDLs). Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "server/soap/soap_app.h"

struct soap;

namespace omni {

// The API a SOAP POST path belongs to: /services/Soap/u/44.0[/<orgId>] is the partner API,
// /services/Soap/c/44.0[/<orgId>] the enterprise API. nullopt for any other path.
std::optional<Flavor> FlavorOfPath(const std::string& path);

// gSOAP's HTTP GET hook: GET /_emulator/health (200 with JSON once the database answers, 503
// otherwise), GET /services/wsdl/partner and /services/wsdl/enterprise (the WSDLs with
// soap:address pointing at this server), 404 otherwise. Returns SOAP_OK once answered.
int HandleGet(struct soap* soap);

}  // namespace omni
