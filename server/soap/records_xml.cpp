#include "server/soap/records_xml.h"

#include <stdsoap2.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <variant>

#include "server/soap/request_shape.h"
#include "server/soap/soap_app.h"

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

// A double as Java's Double.toString writes it, which is how Salesforce writes xsd:double values:
// at least one fraction digit ("2.0"), and computerized scientific notation outside
// [10^-3, 10^7) ("1.0E7", "1.5E-4").
std::string JavaDoubleText(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string text = buf;  // [-]d[.ddd]e(+|-)xx
  std::string sign = text[0] == '-' ? "-" : "";
  if (!sign.empty()) text.erase(0, 1);
  size_t e = text.find('e');
  int exponent = std::atoi(text.c_str() + e + 1);
  std::string digits = text.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e7) {
    int point = exponent + 1;
    if (point <= 0) return sign + "0." + std::string(-point, '0') + digits;
    if (point >= static_cast<int>(digits.size())) {
      return sign + digits + std::string(point - digits.size(), '0') + ".0";
    }
    return sign + digits.substr(0, point) + "." + digits.substr(point);
  }
  return sign + digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
         std::to_string(exponent);
}

// A stored value in Salesforce's text form for its field's type (doubles and percents as Java
// writes them); other types are stored in that form already.
Value WireValue(struct soap* soap, const std::string& type, const std::string& field,
                const Value& v) {
  if (!v || !soap->user) return v;
  const auto* state = static_cast<const RequestState*>(soap->user);
  if (!state->app || !state->app->dispatcher) return v;
  const ObjectDef* obj = state->app->dispatcher->catalog().FindObject(type);
  const FieldDef* f = obj ? obj->FindField(field) : nullptr;
  if (!f || (f->type != FieldType::kDouble && f->type != FieldType::kPercent)) return v;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (end == v->c_str() || *end) return v;
  return JavaDoubleText(d);
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
  // The namespace the client sent, which the request normaliser kept (server/soap/request_shape.h).
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
      child = FieldElement(soap, kPartnerSObjectNs, name, WireValue(soap, rec.type, name, *v));
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
      child = FieldElement(soap, kEnterpriseSObjectNs, name, WireValue(soap, rec.type, name, *v));
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
