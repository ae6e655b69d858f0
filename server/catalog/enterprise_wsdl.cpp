#include "server/catalog/enterprise_wsdl.h"

#include <algorithm>

namespace omni {

namespace {

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s->find(from, pos)) != std::string::npos; pos += to.size()) {
    s->replace(pos, from.size(), to);
  }
}

std::string ObjectType(const ObjectDef& obj) {
  struct Element {
    std::string name, type;
  };
  std::vector<Element> elements;
  for (const auto& f : obj.fields) {
    if (f.name == "Id") continue;  // inherited from ens:sObject
    elements.push_back({f.name, SoapTypeName(f.type)});
    if (f.type == FieldType::kReference && !f.relationship_name.empty()) {
      // A polymorphic reference is typed by its "Name" pseudo-object in Salesforce's WSDL; the
      // emulator types it as the base sObject, which every client accepts.
      std::string target =
          f.reference_to.size() == 1 ? "ens:" + f.reference_to[0] : std::string("ens:sObject");
      elements.push_back({f.relationship_name, target});
    }
  }
  std::sort(elements.begin(), elements.end(),
            [](const Element& a, const Element& b) { return a.name < b.name; });
  std::string out = "            <complexType name=\"" + obj.name +
                    "\">\n                <complexContent>\n                    <extension "
                    "base=\"ens:sObject\">\n                        <sequence>\n";
  for (const auto& e : elements) {
    out += "                        <element name=\"" + e.name +
           "\" nillable=\"true\" minOccurs=\"0\" type=\"" + e.type + "\"/>\n";
  }
  out +=
      "                        </sequence>\n                    </extension>\n"
      "                </complexContent>\n            </complexType>\n\n";
  return out;
}

}  // namespace

std::string MakeEnterpriseWsdl(const Catalog& catalog, const std::string& partner_wsdl) {
  std::string s = partner_wsdl;
  const std::string start = "<complexType name=\"sObject\">";
  size_t b = s.find(start);
  size_t e = s.find("</complexType>", b);
  if (b == std::string::npos || e == std::string::npos) return "";
  std::string types =
      "<complexType name=\"sObject\">\n                <sequence>\n"
      "                    <element name=\"fieldsToNull\"       type=\"xsd:string\" "
      "nillable=\"true\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>\n"
      "                    <element name=\"Id\"                 type=\"tns:ID\" "
      "nillable=\"true\" />\n                </sequence>\n            </complexType>\n\n"
      // The rows of aggregate queries, as in Salesforce's enterprise WSDL.
      "            <complexType name=\"AggregateResult\">\n                <complexContent>\n"
      "                    <extension base=\"ens:sObject\">\n                        <sequence>\n"
      "                            <any namespace=\"##targetNamespace\" minOccurs=\"0\" "
      "maxOccurs=\"unbounded\" processContents=\"lax\"/>\n                        </sequence>\n"
      "                    </extension>\n                </complexContent>\n"
      "            </complexType>\n\n";
  for (const auto& obj : catalog.objects()) types += ObjectType(obj);
  s.replace(b, e + std::string("</complexType>").size() - b, types);
  ReplaceAll(&s, "urn:sobject.partner.soap.sforce.com", "urn:sobject.enterprise.soap.sforce.com");
  ReplaceAll(&s, "urn:fault.partner.soap.sforce.com", "urn:fault.enterprise.soap.sforce.com");
  ReplaceAll(&s, "urn:partner.soap.sforce.com", "urn:enterprise.soap.sforce.com");
  ReplaceAll(&s, "/services/Soap/u/", "/services/Soap/c/");
  ReplaceAll(&s, "omni-emulator partner WSDL", "omni-emulator enterprise WSDL");
  ReplaceAll(&s, "Partner Web Services API", "Enterprise Web Services API");
  ReplaceAll(&s, "partner WSDL v44.0 (generated 2018-09-15)",
             "enterprise WSDL v44.0, with one type per catalog object (wsdl/catalog.xml)");
  return s;
}

std::string WithEndpoint(const std::string& wsdl, const std::string& base_url) {
  std::string out = wsdl;
  const std::string key = "location=\"";
  for (size_t pos = 0; (pos = out.find(key, pos)) != std::string::npos;) {
    size_t start = pos + key.size();
    size_t end = out.find('"', start);
    size_t path = out.find("/services/", start);
    if (end == std::string::npos) break;
    if (path != std::string::npos && path < end) out.replace(start, path - start, base_url);
    pos = out.find('"', start) + 1;
  }
  return out;
}

}  // namespace omni
