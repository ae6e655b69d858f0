#include "server/soap/records_xml.h"

#include <stdsoap2.h>

#include <algorithm>
#include <cstring>

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

}  // namespace

void ReadFieldElements(const std::vector<soap_dom_element>& elements, Record* rec) {
  for (const auto& e : elements) rec->fields.emplace_back(LocalName(e.name), TextOf(e));
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

std::vector<soap_dom_element> WriteFieldElements(struct soap* soap, const Record& rec,
                                                 bool include_id) {
  std::vector<soap_dom_element> out;
  for (const auto& [name, v] : rec.fields) {
    if (name == "Id" && !include_id) continue;
    out.push_back(FieldElement(soap, kPartnerSObjectNs, name, v));
  }
  return out;
}

soap_dom_element WriteEnterpriseSObject(struct soap* soap, const char* ns, const char* tag,
                                        const std::optional<Record>& rec) {
  soap_dom_element e(soap, ns, tag);
  if (!rec) {
    soap_att_text(soap_att(&e, kXsiNs, "nil"), "true");
    return e;
  }
  // gSOAP declares on the envelope only the namespaces its generated code used, so the prefix
  // that xsi:type's value names is declared on the element itself.
  soap_att_text(soap_att(&e, nullptr, "xmlns:es"), kEnterpriseSObjectNs);
  soap_att_text(soap_att(&e, kXsiNs, "type"), ("es:" + rec->type).c_str());
  // The enterprise WSDL's sequence is Id (from sObject), then the fields in alphabetical order,
  // and schema-driven clients (zeep) insist on that order.
  std::vector<std::pair<std::string, Value>> fields = rec->fields;
  std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) {
    if ((a.first == "Id") != (b.first == "Id")) return a.first == "Id";
    return a.first < b.first;
  });
  for (const auto& [name, v] : fields) {
    soap_dom_element child = FieldElement(soap, kEnterpriseSObjectNs, name, v);
    soap_add_elt(&e, &child);
  }
  return e;
}

}  // namespace omni
