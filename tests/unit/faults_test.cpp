// SOAP faults (server/soap/faults.h): Salesforce's envelope, namespaces, codes and escaping, for
// the partner and the enterprise API.
#include "server/soap/faults.h"

#include <doctest/doctest.h>

#include <pugixml.hpp>
#include <string>

namespace omni {
namespace {

constexpr char kEnvNs[] = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr char kXsiNs[] = "http://www.w3.org/2001/XMLSchema-instance";

const char* FaultNs(Flavor flavor) {
  return flavor == Flavor::kPartner ? "urn:fault.partner.soap.sforce.com"
                                    : "urn:fault.enterprise.soap.sforce.com";
}

// The parsed envelope, checked for the parts every fault has.
struct Parsed {
  pugi::xml_document doc;
  pugi::xml_node fault;   // soapenv:Fault
  pugi::xml_node detail;  // the one element inside <detail>
};

void Parse(const std::string& xml, Flavor flavor, Parsed* p) {
  INFO(xml);
  REQUIRE(p->doc.load_string(xml.c_str()));
  pugi::xml_node env = p->doc.child("soapenv:Envelope");
  REQUIRE(env);
  CHECK(std::string(env.attribute("xmlns:soapenv").value()) == kEnvNs);
  CHECK(std::string(env.attribute("xmlns:sf").value()) == FaultNs(flavor));
  CHECK(std::string(env.attribute("xmlns:xsi").value()) == kXsiNs);
  p->fault = env.child("soapenv:Body").child("soapenv:Fault");
  REQUIRE(p->fault);
  p->detail = p->fault.child("detail").first_child();
  REQUIRE(p->detail);
  CHECK_FALSE(p->detail.next_sibling());
}

TEST_CASE("an invalid session is an UnexpectedErrorFault in either namespace") {
  for (Flavor flavor : {Flavor::kPartner, Flavor::kEnterprise}) {
    CAPTURE(static_cast<int>(flavor));
    std::string xml = FaultEnvelope(flavor, InvalidSessionFault());
    // The other API's namespace never appears.
    CHECK(xml.find(flavor == Flavor::kPartner ? "enterprise" : "partner") == std::string::npos);
    Parsed p;
    Parse(xml, flavor, &p);
    CHECK(std::string(p.fault.child_value("faultcode")) == "sf:INVALID_SESSION_ID");
    CHECK(std::string(p.fault.child_value("faultstring")) ==
          "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session");
    CHECK(std::string(p.detail.name()) == "sf:UnexpectedErrorFault");
    CHECK(std::string(p.detail.attribute("xsi:type").value()) == "sf:UnexpectedErrorFault");
    CHECK(std::string(p.detail.child_value("sf:exceptionCode")) == "INVALID_SESSION_ID");
    CHECK(std::string(p.detail.child_value("sf:exceptionMessage")) ==
          "Invalid Session ID found in SessionHeader: Illegal Session");
    CHECK_FALSE(p.detail.child("sf:row"));
    CHECK_FALSE(p.detail.child("sf:column"));
  }
}

TEST_CASE("lock contention is the UNABLE_TO_LOCK_ROW fault with Salesforce's text") {
  Parsed p;
  Parse(FaultEnvelope(Flavor::kPartner, UnableToLockRowFault()), Flavor::kPartner, &p);
  CHECK(std::string(p.fault.child_value("faultcode")) == "sf:UNABLE_TO_LOCK_ROW");
  CHECK(std::string(p.fault.child_value("faultstring")) ==
        "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record");
  CHECK(std::string(p.detail.name()) == "sf:UnexpectedErrorFault");
  CHECK(std::string(p.detail.child_value("sf:exceptionCode")) == "UNABLE_TO_LOCK_ROW");
  CHECK(std::string(p.detail.child_value("sf:exceptionMessage")) ==
        "unable to obtain exclusive access to this record");
}

TEST_CASE("a login fault has an unprefixed faultcode") {
  for (Flavor flavor : {Flavor::kPartner, Flavor::kEnterprise}) {
    std::string xml = FaultEnvelope(flavor, InvalidLoginFault());
    CHECK(xml.find("<faultcode>INVALID_LOGIN</faultcode>") != std::string::npos);
    Parsed p;
    Parse(xml, flavor, &p);
    CHECK(std::string(p.fault.child_value("faultcode")) == "INVALID_LOGIN");
    CHECK(std::string(p.fault.child_value("faultstring")) ==
          "INVALID_LOGIN: Invalid username, password, security token; or user locked out.");
    CHECK(std::string(p.detail.name()) == "sf:LoginFault");
    CHECK(std::string(p.detail.attribute("xsi:type").value()) == "sf:LoginFault");
    CHECK(std::string(p.detail.child_value("sf:exceptionCode")) == "INVALID_LOGIN");
    CHECK_FALSE(p.detail.child("sf:row"));
  }
}

TEST_CASE("a plain ApiFault travels in the element sf:fault") {
  std::string xml = FaultEnvelope(Flavor::kPartner, ExceededIdLimitFault(200));
  Parsed p;
  Parse(xml, Flavor::kPartner, &p);
  CHECK(std::string(p.fault.child_value("faultcode")) == "sf:EXCEEDED_ID_LIMIT");
  CHECK(std::string(p.fault.child_value("faultstring")) ==
        "EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than 200 records into this "
        "call");
  CHECK(std::string(p.detail.name()) == "sf:fault");
  CHECK(std::string(p.detail.attribute("xsi:type").value()) == "sf:ApiFault");
  CHECK_FALSE(p.detail.child("sf:row"));
}

TEST_CASE("apostrophes are written as &apos; and markup is escaped") {
  std::string xml = FaultEnvelope(Flavor::kEnterprise, InvalidTypeFault("Bogus"));
  CHECK(xml.find("sObject type &apos;Bogus&apos; is not supported.") != std::string::npos);
  CHECK(xml.find("'Bogus'") == std::string::npos);
  Parsed p;
  Parse(xml, Flavor::kEnterprise, &p);
  CHECK(std::string(p.fault.child_value("faultcode")) == "sf:INVALID_TYPE");
  CHECK(std::string(p.fault.child_value("faultstring")) ==
        "INVALID_TYPE: sObject type 'Bogus' is not supported.");
  CHECK(std::string(p.detail.name()) == "sf:InvalidSObjectFault");

  // Text that looks like markup stays text.
  std::string nasty =
      FaultEnvelope(Flavor::kPartner, UnknownExceptionFault("a<b>&\"c\" 'd' </faultstring>"));
  CHECK(nasty.find("a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos; &lt;/faultstring&gt;") !=
        std::string::npos);
  Parsed q;
  Parse(nasty, Flavor::kPartner, &q);
  CHECK(std::string(q.fault.child_value("faultstring")) ==
        "UNKNOWN_EXCEPTION: a<b>&\"c\" 'd' </faultstring>");

  CHECK(XmlEscape("") == "");
  CHECK(XmlEscape("plain text") == "plain text");
  CHECK(XmlEscape("it's") == "it&apos;s");
  CHECK(XmlEscape("<&>\"'") == "&lt;&amp;&gt;&quot;&apos;");
  CHECK(XmlEscape("h\xc3\xa9") == "h\xc3\xa9");  // UTF-8 passes through
}

TEST_CASE("only query faults carry row and column") {
  Fault column = NoSuchColumnFault("Bogus", "ServiceChannel");
  column.row = 1;
  column.column = 8;
  for (Flavor flavor : {Flavor::kPartner, Flavor::kEnterprise}) {
    Parsed p;
    Parse(FaultEnvelope(flavor, column), flavor, &p);
    CHECK(std::string(p.fault.child_value("faultcode")) == "sf:INVALID_FIELD");
    CHECK(std::string(p.detail.name()) == "sf:InvalidFieldFault");
    CHECK(std::string(p.detail.attribute("xsi:type").value()) == "sf:InvalidFieldFault");
    CHECK(std::string(p.detail.child_value("sf:row")) == "1");
    CHECK(std::string(p.detail.child_value("sf:column")) == "8");
    // exceptionCode, exceptionMessage, row, column: in the ApiQueryFault sequence order.
    pugi::xml_node first = p.detail.first_child();
    CHECK(std::string(first.name()) == "sf:exceptionCode");
    CHECK(std::string(first.next_sibling().name()) == "sf:exceptionMessage");
    CHECK(std::string(first.next_sibling().next_sibling().name()) == "sf:row");
    CHECK(std::string(p.detail.last_child().name()) == "sf:column");
  }
  // A query fault without a position still has the elements (-1, as the type requires them).
  Parsed missing;
  Parse(FaultEnvelope(Flavor::kPartner, MissingTypeFault()), Flavor::kPartner, &missing);
  CHECK(std::string(missing.detail.name()) == "sf:InvalidSObjectFault");
  CHECK(std::string(missing.detail.child_value("sf:row")) == "-1");
  CHECK(std::string(missing.detail.child_value("sf:column")) == "-1");

  for (FaultKind kind :
       {FaultKind::kApiFault, FaultKind::kLoginFault, FaultKind::kUnexpectedErrorFault,
        FaultKind::kInvalidIdFault, FaultKind::kInvalidQueryLocatorFault}) {
    CAPTURE(FaultKindName(kind));
    Fault f{ExceptionCode::kInvalidOperation, kind, "no position", 3, 4};
    std::string xml = FaultEnvelope(Flavor::kEnterprise, f);
    CHECK(xml.find("<sf:row>") == std::string::npos);
    CHECK(xml.find("<sf:column>") == std::string::npos);
  }
  for (FaultKind kind : {FaultKind::kInvalidFieldFault, FaultKind::kInvalidSObjectFault,
                         FaultKind::kMalformedQueryFault}) {
    CHECK(FaultKindHasPosition(kind));
  }
}

}  // namespace
}  // namespace omni
