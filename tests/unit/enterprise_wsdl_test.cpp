// The enterprise WSDL (server/catalog/enterprise_wsdl.h): built from the partner WSDL and the
// catalog, and served with the running server's address.
#include "server/catalog/enterprise_wsdl.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/test_paths.h"

namespace omni {
namespace {

using testing::ReadText;
using testing::SourcePath;

struct Fixture {
  std::shared_ptr<const Catalog> catalog;
  std::string partner;
  std::string wsdl;
  pugi::xml_document doc;
};

void Build(Fixture* f) {
  std::string error;
  f->catalog = Catalog::Load(SourcePath("wsdl/catalog.xml"), &error);
  INFO(error);
  REQUIRE(f->catalog);
  f->partner = ReadText(SourcePath("wsdl/partner.wsdl"));
  REQUIRE_FALSE(f->partner.empty());
  f->wsdl = MakeEnterpriseWsdl(*f->catalog, f->partner);
  REQUIRE_FALSE(f->wsdl.empty());
  REQUIRE(f->doc.load_string(f->wsdl.c_str()));
}

pugi::xml_node Schema(const pugi::xml_document& doc, const std::string& ns) {
  for (auto s : doc.child("definitions").child("types").children("schema")) {
    if (ns == s.attribute("targetNamespace").value()) return s;
  }
  return {};
}

TEST_CASE("the enterprise WSDL uses the enterprise namespaces only") {
  Fixture f;
  Build(&f);
  pugi::xml_node defs = f.doc.child("definitions");
  REQUIRE(defs);
  CHECK(std::string(defs.attribute("targetNamespace").value()) == "urn:enterprise.soap.sforce.com");
  CHECK(std::string(defs.attribute("xmlns:tns").value()) == "urn:enterprise.soap.sforce.com");
  CHECK(std::string(defs.attribute("xmlns:ens").value()) ==
        "urn:sobject.enterprise.soap.sforce.com");
  CHECK(std::string(defs.attribute("xmlns:fns").value()) == "urn:fault.enterprise.soap.sforce.com");
  CHECK(Schema(f.doc, "urn:enterprise.soap.sforce.com"));
  CHECK(Schema(f.doc, "urn:sobject.enterprise.soap.sforce.com"));
  CHECK(Schema(f.doc, "urn:fault.enterprise.soap.sforce.com"));
  CHECK(f.wsdl.find("partner.soap.sforce.com") == std::string::npos);
  CHECK(f.wsdl.find("/services/Soap/u/") == std::string::npos);
}

TEST_CASE("the enterprise sObject has no type field and no xsd:any") {
  Fixture f;
  Build(&f);
  pugi::xml_node schema = Schema(f.doc, "urn:sobject.enterprise.soap.sforce.com");
  REQUIRE(schema);
  pugi::xml_node sobject = schema.find_child_by_attribute("complexType", "name", "sObject");
  REQUIRE(sobject);
  std::vector<std::string> names;
  for (auto e : sobject.child("sequence").children()) {
    CHECK(std::string(e.name()) == "element");
    names.push_back(e.attribute("name").value());
  }
  CHECK(names == std::vector<std::string>{"fieldsToNull", "Id"});
}

TEST_CASE("one complexType per catalog object, with every field") {
  Fixture f;
  Build(&f);
  pugi::xml_node schema = Schema(f.doc, "urn:sobject.enterprise.soap.sforce.com");
  REQUIRE(schema);
  std::map<std::string, int> types;
  for (auto t : schema.children("complexType")) ++types[t.attribute("name").value()];
  CHECK(types.size() == f.catalog->objects().size() + 2);  // + sObject, AggregateResult
  CHECK(types["AggregateResult"] == 1);
  for (const auto& obj : f.catalog->objects()) {
    CAPTURE(obj.name);
    CHECK(types[obj.name] == 1);
    pugi::xml_node type = schema.find_child_by_attribute("complexType", "name", obj.name.c_str());
    REQUIRE(type);
    pugi::xml_node ext = type.child("complexContent").child("extension");
    REQUIRE(ext);
    CHECK(std::string(ext.attribute("base").value()) == "ens:sObject");

    std::map<std::string, std::string> elements;  // name -> type
    std::vector<std::string> order;
    for (auto e : ext.child("sequence").children("element")) {
      CHECK(std::string(e.attribute("nillable").value()) == "true");
      CHECK(std::string(e.attribute("minOccurs").value()) == "0");
      elements[e.attribute("name").value()] = e.attribute("type").value();
      order.push_back(e.attribute("name").value());
    }
    // Alphabetical, as Salesforce generates them.
    CHECK(std::is_sorted(order.begin(), order.end()));
    CHECK(elements.count("Id") == 0);  // inherited from ens:sObject
    size_t expected = 0;
    for (const auto& field : obj.fields) {
      if (field.name == "Id") continue;
      CAPTURE(field.name);
      ++expected;
      REQUIRE(elements.count(field.name) == 1);
      CHECK(elements[field.name] == SoapTypeName(field.type));
      if (field.type == FieldType::kReference && !field.relationship_name.empty()) {
        ++expected;
        REQUIRE(elements.count(field.relationship_name) == 1);
        std::string target =
            field.reference_to.size() == 1 ? "ens:" + field.reference_to[0] : "ens:sObject";
        CHECK(elements[field.relationship_name] == target);
      }
    }
    CHECK(elements.size() == expected);
  }
}

TEST_CASE("PushTopic's complexType is the real enterprise v44 one, element for element") {
  // Salesforce's enterprise v44 WSDL (wire notes section 5, verbatim): name and type of each
  // element of PushTopic's sequence, in order.
  const std::vector<std::pair<std::string, std::string>> real = {
      {"ApiVersion", "xsd:double"},
      {"CreatedBy", "ens:User"},
      {"CreatedById", "tns:ID"},
      {"CreatedDate", "xsd:dateTime"},
      {"Description", "xsd:string"},
      {"IsActive", "xsd:boolean"},
      {"IsDeleted", "xsd:boolean"},
      {"LastModifiedBy", "ens:User"},
      {"LastModifiedById", "tns:ID"},
      {"LastModifiedDate", "xsd:dateTime"},
      {"Name", "xsd:string"},
      {"NotifyForFields", "xsd:string"},
      {"NotifyForOperationCreate", "xsd:boolean"},
      {"NotifyForOperationDelete", "xsd:boolean"},
      {"NotifyForOperationUndelete", "xsd:boolean"},
      {"NotifyForOperationUpdate", "xsd:boolean"},
      {"NotifyForOperations", "xsd:string"},
      {"Query", "xsd:string"},
      {"SystemModstamp", "xsd:dateTime"}};
  Fixture f;
  Build(&f);
  pugi::xml_node schema = Schema(f.doc, "urn:sobject.enterprise.soap.sforce.com");
  pugi::xml_node type = schema.find_child_by_attribute("complexType", "name", "PushTopic");
  REQUIRE(type);
  std::vector<std::pair<std::string, std::string>> ours;
  for (auto e : type.child("complexContent").child("extension").child("sequence").children()) {
    ours.emplace_back(e.attribute("name").value(), e.attribute("type").value());
  }
  CHECK(ours == real);
}

TEST_CASE("the operations, headers and faults of the partner WSDL are all there") {
  Fixture f;
  Build(&f);
  pugi::xml_document partner;
  REQUIRE(partner.load_string(f.partner.c_str()));
  auto names = [](const pugi::xml_document& d, const char* section) {
    std::set<std::string> out;
    for (auto n : d.child("definitions").children(section)) out.insert(n.attribute("name").value());
    return out;
  };
  CHECK(names(f.doc, "message") == names(partner, "message"));
  CHECK(names(f.doc, "portType") == names(partner, "portType"));
  CHECK(names(f.doc, "binding") == names(partner, "binding"));
  std::set<std::string> ops;
  for (auto op : f.doc.child("definitions").child("portType").children("operation")) {
    ops.insert(op.attribute("name").value());
  }
  for (const char* op : {"login", "create", "retrieve", "update", "upsert", "delete", "undelete",
                         "logout", "getUserInfo", "getServerTimestamp"}) {
    CAPTURE(op);
    CHECK(ops.count(op) == 1);
  }
  pugi::xml_node faults = Schema(f.doc, "urn:fault.enterprise.soap.sforce.com");
  CHECK(faults.find_child_by_attribute("element", "name", "LoginFault"));
  CHECK(faults.find_child_by_attribute("element", "name", "UnexpectedErrorFault"));
}

TEST_CASE("the endpoint is /services/Soap/c/ and WithEndpoint rewrites it") {
  Fixture f;
  Build(&f);
  pugi::xml_node port = f.doc.child("definitions").child("service").child("port");
  REQUIRE(port);
  std::string location = port.child("soap:address").attribute("location").value();
  CHECK(location.find("/services/Soap/c/44.0") != std::string::npos);

  std::string served = WithEndpoint(f.wsdl, "http://127.0.0.1:18999");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(served.c_str()));
  int addresses = 0;
  for (auto p : doc.child("definitions").child("service").children("port")) {
    ++addresses;
    CHECK(std::string(p.child("soap:address").attribute("location").value()) ==
          "http://127.0.0.1:18999/services/Soap/c/44.0");
  }
  CHECK(addresses >= 1);
  // Only the address changes.
  CHECK(served.size() == f.wsdl.size() - location.size() +
                             std::string("http://127.0.0.1:18999/services/Soap/c/44.0").size());

  // Applied twice, the last base wins.
  std::string again = WithEndpoint(served, "https://example.test");
  CHECK(again.find("location=\"https://example.test/services/Soap/c/44.0\"") != std::string::npos);
  CHECK(again.find("127.0.0.1:18999") == std::string::npos);

  // The partner WSDL keeps its own endpoint.
  std::string partner = WithEndpoint(f.partner, "http://localhost:1");
  CHECK(partner.find("location=\"http://localhost:1/services/Soap/u/44.0\"") != std::string::npos);
}

TEST_CASE("a template without the partner sObject type gives an empty WSDL") {
  Fixture f;
  Build(&f);
  CHECK(MakeEnterpriseWsdl(*f.catalog, "<definitions/>").empty());
  CHECK(MakeEnterpriseWsdl(*f.catalog, "").empty());
}

}  // namespace
}  // namespace omni
