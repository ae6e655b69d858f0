// Records on the wire: converts the gSOAP DOM nodes that carry sObject fields into the
// dispatcher's Record and back. Partner sObjects carry type, fieldsToNull and Id as typed
// members and their fields as DOM elements; enterprise sObjects are whole DOM elements whose
// xsi:type names the object. Only this file and soap_ops.cpp know gSOAP's types.
// Thread-safety: works on one request's soap context.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/core/record.h"
#include "server/core/status.h"
#include "server/dispatcher/query_service.h"

struct soap;
struct soap_dom_element;

namespace omni {

inline constexpr const char* kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
inline constexpr const char* kPartnerSObjectNs = "urn:sobject.partner.soap.sforce.com";
inline constexpr const char* kEnterpriseSObjectNs = "urn:sobject.enterprise.soap.sforce.com";

// Reads the field elements of a partner sObject (its <any> content) into rec->fields. Fault
// UNKNOWN_EXCEPTION ("Unexpected element {ns}b during simple type deserialization") when a field
// element holds an element instead of a value.
[[nodiscard]] std::optional<Fault> ReadFieldElements(const std::vector<soap_dom_element>& elements,
                                                     Record* rec);

// Reads a whole enterprise sObject. Fault INVALID_TYPE when it has no xsi:type; the same fault
// as ReadFieldElements for a field element that holds an element.
std::optional<Fault> ReadEnterpriseSObject(const soap_dom_element& node, Record* rec);

// A stored record as a query row (no parent relationships), so that retrieve results and query
// rows are written by the same code.
QueryRecord ToQueryRecord(const Record& rec);

// The field elements of a partner query row (its <any> content): parent relationships become
// nested sObject elements (xsi:type="sf:sObject" with type and Id), empty ones xsi:nil.
std::vector<soap_dom_element> WriteQueryFields(struct soap* soap, const QueryRecord& rec,
                                               bool include_id);

// A whole enterprise query row named `tag`, xsi:type="es:<type>", fields in WSDL order, parents
// as nested typed elements.
soap_dom_element WriteEnterpriseQueryRecord(struct soap* soap, const char* ns, const char* tag,
                                            const QueryRecord& rec);

// A whole enterprise sObject element named `tag` in namespace `ns`, xsi:type="es:<type>", with
// Id first and the other fields in record order; a nil element when rec is nullopt.
soap_dom_element WriteEnterpriseSObject(struct soap* soap, const char* ns, const char* tag,
                                        const std::optional<Record>& rec);

}  // namespace omni
