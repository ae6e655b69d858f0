#include "server/soap/records_xml.h"

#include <stdsoap2.h>

#include <algorithm>
#include <cstring>
#include <variant>

#include "server/soap/wire_shape.h"

namespace omni {

namespace {

std::string LocalName(const char* name) {
  if (!name) return "";
  const char* colon = std::strrchr(name, ':');
  return colon ? colon + 1 : name;
}

bool IsNil(const soap_dom_element& e) {
  for (const soap_dom_attribute* a = e.atts; a; a = a->next) {
    if (LocalName(a->name) == "nil" && a->text &&
        (std::strcmp(a->text, "true") == 0 || std::strcmp(a->text, "1") == 0)) {
      return true;
    }
  }
  return false;
}

Value TextOf(const soap_dom_element& e) {
  if (IsNil(e)) return std::nullopt;
  const char* t = soap_elt_get_text(&e);
  return std::string(t ? t : "");
}

soap_dom_element FieldElement(struct soap* soap, const char* ns, const std::string& name,
                              const Value& v) {
  soap_dom_element e(soap, ns, name.c_str());
  if (v) {
    soap_elt_text(&e, v->c_str());
  } else {
    soap_att_text(soap_att(&e, kXsiNs, "nil"), "true");
  }
  return e;
}

// A field value is simple content: an element inside it (<Name><b>x</b></Name>) is refused as
// the real org's deserializer refuses it, instead of silently storing the empty text that gSOAP
// gives for mixed content. LIMITATIONS: the org also reads a nested sObject as a reference by
// external Id (<Account><ExtId__c>..</ExtId__c></Account>); the emulator has no external Ids.
std::optional<Fault> ComplexValue(const soap_dom_element& field) {
  const soap_dom_element* child = field.elts;
  if (!child) return std::nullopt;
  // The namespace the client sent, which the request normaliser kept (server/soap/wire_shape.h).
  const char* ns = child->nstr ? child->nstr : "";
  for (const soap_dom_attribute* a = child->atts; a; a = a->next) {
    if (LocalName(a->name) == kOriginalNsAttribute) ns = a->text ? a->text : "";
  }
  return UnknownExceptionFault("Unexpected element {" + std::string(ns) + "}" +
                               LocalName(child->name) + " during simple type deserialization");
}

}  // namespace

std::optional<Fault> ReadFieldElements(const std::vector<soap_dom_element>& elements, Record* rec) {
  for (const auto& e : elements) {
    if (auto fault = ComplexValue(e)) return fault;
    rec->fields.emplace_back(LocalName(e.name), TextOf(e));
  }
  return std::nullopt;
}

std::optional<Fault> ReadEnterpriseSObject(const soap_dom_element& node, Record* rec) {
  for (const soap_dom_attribute* a = node.atts; a; a = a->next) {
    if (LocalName(a->name) == "type" && a->nstr && std::strcmp(a->nstr, kXsiNs) == 0) {
      rec->type = LocalName(a->text);
    }
  }
  if (rec->type.empty()) {
    return Fault{ExceptionCode::kInvalidType, FaultKind::kInvalidSObjectFault,
                 "Must send a concrete entity type."};
  }
  for (const soap_dom_element* c = node.elts; c; c = c->next) {
    if (auto fault = ComplexValue(*c)) return fault;
    std::string name = LocalName(c->name);
    if (name == "fieldsToNull") {
      Value v = TextOf(*c);
      if (v && !v->empty()) rec->fields_to_null.push_back(*v);
    } else if (name == "Id") {
      Value v = TextOf(*c);
      if (v && !v->empty()) rec->fields.emplace_back("Id", v);
    } else {
      rec->fields.emplace_back(name, TextOf(*c));
    }
  }
  return std::nullopt;
}

namespace {

// An sObject element (a query row's parent, or an enterprise result) with xsi:type naming its
// type in the given sObject namespace; the prefix is declared on the element itself so the
// value resolves wherever a client reads the element.
soap_dom_element TypedElement(struct soap* soap, const char* ns, const char* tag,
                              const char* type_ns, const char* prefix, const std::string& type) {
  soap_dom_element e(soap, ns, tag);
  soap_att_text(soap_att(&e, nullptr, (std::string("xmlns:") + prefix).c_str()), type_ns);
  soap_att_text(soap_att(&e, kXsiNs, "type"), (std::string(prefix) + ":" + type).c_str());
  return e;
}

soap_dom_element Nil(struct soap* soap, const char* ns, const std::string& tag) {
  soap_dom_element e(soap, ns, tag.c_str());
  soap_att_text(soap_att(&e, kXsiNs, "nil"), "true");
  return e;
}

void AddPartnerFields(struct soap* soap, soap_dom_element* parent, const QueryRecord& rec,
                      std::vector<soap_dom_element>* out);

// A parent record inside a partner query row: <Rel xsi:type="sf:sObject"><type/><Id/>...</Rel>.
soap_dom_element PartnerParent(struct soap* soap, const std::string& tag, const QueryRecord& rec) {
  soap_dom_element e =
      TypedElement(soap, kPartnerSObjectNs, tag.c_str(), kPartnerSObjectNs, "sf", "sObject");
  soap_dom_element type(soap, kPartnerSObjectNs, "type", rec.type.c_str());
  soap_add_elt(&e, &type);
  bool has_id = false;
  for (const auto& f : rec.fields) has_id = has_id || f.first == "Id";
  if (!has_id) {
    // Salesforce always writes the parent's Id slot, nil when it was not selected.
    soap_dom_element id = Nil(soap, kPartnerSObjectNs, "Id");
    soap_add_elt(&e, &id);
  }
  AddPartnerFields(soap, &e, rec, nullptr);
  return e;
}

void AddPartnerFields(struct soap* soap, soap_dom_element* parent, const QueryRecord& rec,
                      std::vector<soap_dom_element>* out) {
  for (const auto& [name, value] : rec.fields) {
    soap_dom_element child(soap);
    if (const auto* v = std::get_if<Value>(&value)) {
      child = FieldElement(soap, kPartnerSObjectNs, name, *v);
    } else if (const auto& nested = std::get<std::shared_ptr<QueryRecord>>(value)) {
      child = PartnerParent(soap, name, *nested);
    } else {
      child = Nil(soap, kPartnerSObjectNs, name);
    }
    if (out)
      out->push_back(child);
    else
      soap_add_elt(parent, &child);
  }
}

// Enterprise sequences are Id (from sObject), then the fields in alphabetical order, as the
// derived enterprise WSDL declares them; schema-driven clients (zeep) insist on that order.
std::vector<std::pair<std::string, QueryValue>> InWsdlOrder(const QueryRecord& rec) {
  auto fields = rec.fields;
  // AggregateResult's fields are <any> content: they keep the SELECT order.
  if (rec.type == "AggregateResult") return fields;
  std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) {
    if ((a.first == "Id") != (b.first == "Id")) return a.first == "Id";
    return a.first < b.first;
  });
  return fields;
}

soap_dom_element EnterpriseRecord(struct soap* soap, const char* ns, const std::string& tag,
                                  const QueryRecord& rec) {
  soap_dom_element e = TypedElement(soap, ns, tag.c_str(), kEnterpriseSObjectNs, "es", rec.type);
  bool has_id = false;
  for (const auto& f : rec.fields) has_id = has_id || f.first == "Id";
  if (!has_id) {
    // sObject's Id is a required (nillable) element of the enterprise schema.
    soap_dom_element id = Nil(soap, kEnterpriseSObjectNs, "Id");
    soap_add_elt(&e, &id);
  }
  for (const auto& [name, value] : InWsdlOrder(rec)) {
    soap_dom_element child(soap);
    if (const auto* v = std::get_if<Value>(&value)) {
      child = FieldElement(soap, kEnterpriseSObjectNs, name, *v);
    } else if (const auto& nested = std::get<std::shared_ptr<QueryRecord>>(value)) {
      child = EnterpriseRecord(soap, kEnterpriseSObjectNs, name, *nested);
    } else {
      child = Nil(soap, kEnterpriseSObjectNs, name);
    }
    soap_add_elt(&e, &child);
  }
  return e;
}

}  // namespace

QueryRecord ToQueryRecord(const Record& rec) {
  QueryRecord q;
  q.type = rec.type;
  for (const auto& [name, v] : rec.fields) q.fields.emplace_back(name, v);
  return q;
}

std::vector<soap_dom_element> WriteQueryFields(struct soap* soap, const QueryRecord& rec,
                                               bool include_id) {
  std::vector<soap_dom_element> out;
  QueryRecord without_id = rec;
  if (!include_id) {
    without_id.fields.erase(std::remove_if(without_id.fields.begin(), without_id.fields.end(),
                                           [](const auto& f) { return f.first == "Id"; }),
                            without_id.fields.end());
  }
  AddPartnerFields(soap, nullptr, without_id, &out);
  return out;
}

soap_dom_element WriteEnterpriseQueryRecord(struct soap* soap, const char* ns, const char* tag,
                                            const QueryRecord& rec) {
  return EnterpriseRecord(soap, ns, tag, rec);
}

soap_dom_element WriteEnterpriseSObject(struct soap* soap, const char* ns, const char* tag,
                                        const std::optional<Record>& rec) {
  if (!rec) return Nil(soap, ns, tag);
  return EnterpriseRecord(soap, ns, tag, ToQueryRecord(*rec));
}

}  // namespace omni
