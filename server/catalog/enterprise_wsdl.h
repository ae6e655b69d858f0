// The enterprise WSDL, derived from the catalog: Salesforce's enterprise namespaces, one
// complexType per catalog object (extending ens:sObject, fields in alphabetical order as
// Salesforce generates them, with a parent element per relationship), and the same operations,
// headers and faults as the project's partner WSDL, which serves as the template.
// Pure function; thread-safe.
#pragma once

#include <string>

#include "server/catalog/catalog.h"

namespace omni {

// Builds the enterprise WSDL text from the partner WSDL text and the catalog. On failure (the
// template lacks the partner sObject type) returns an empty string.
std::string MakeEnterpriseWsdl(const Catalog& catalog, const std::string& partner_wsdl);

// Rewrites every soap:address location of a WSDL to base_url + the endpoint's path
// ("/services/Soap/u/44.0"), as the running server serves it.
std::string WithEndpoint(const std::string& wsdl, const std::string& base_url);

}  // namespace omni
