// omni-wsdlgen: writes the enterprise WSDL derived from the catalog, and the wsdl2h type map for
// it, for the build step that generates the gSOAP bindings.
// Usage: omni-wsdlgen CATALOG.xml PARTNER.wsdl TYPEMAP.dat OUT.wsdl OUT-TYPEMAP.dat
#include <fstream>
#include <iostream>
#include <sstream>

#include "server/catalog/catalog.h"
#include "server/catalog/enterprise_wsdl.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: omni-wsdlgen CATALOG.xml PARTNER.wsdl TYPEMAP.dat OUT.wsdl "
                 "OUT-TYPEMAP.dat\n";
    return 2;
  }
  std::string error;
  auto catalog = omni::Catalog::Load(argv[1], &error);
  if (!catalog) {
    std::cerr << "omni-wsdlgen: " << error << "\n";
    return 1;
  }
  std::ifstream in(argv[2]);
  std::stringstream partner;
  partner << in.rdbuf();
  std::string wsdl = omni::MakeEnterpriseWsdl(*catalog, partner.str());
  if (wsdl.empty()) {
    std::cerr << "omni-wsdlgen: " << argv[2] << " has no partner sObject type\n";
    return 1;
  }
  std::ofstream out(argv[4]);
  out << wsdl;
  // Every concrete enterprise sObject type is read as a DOM element, like its base type: the
  // dispatcher resolves fields against the catalog at run time.
  std::ifstream base(argv[3]);
  std::ofstream typemap(argv[5]);
  typemap << base.rdbuf();
  typemap << "es__AggregateResult = | xsd__anyType | xsd__anyType*\n";
  for (const auto& obj : catalog->objects()) {
    typemap << "es__" << obj.name << " = | xsd__anyType | xsd__anyType*\n";
  }
  return out && typemap ? 0 : 1;
}
