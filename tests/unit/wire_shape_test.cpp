// Wire shape (server/soap/response_shape.h, request_shape.h): gSOAP's output rewritten as
// Salesforce writes it, and requests normalised so that gSOAP reads them as Salesforce does. The
// whole path (gSOAP in between, both APIs, every operation) is tested through real clients in
// tests/python and tests/js; these cases pin the text-level details a client cannot easily provoke.
#include <doctest/doctest.h>

#include <string>

#include "server/soap/request_shape.h"
#include "server/soap/response_shape.h"

namespace omni {
namespace {

constexpr char kEnv[] =
    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:p=\"urn:partner.soap.sforce.com\" "
    "xmlns:ps=\"urn:sobject.partner.soap.sforce.com\" xmlns:e=\"urn:enterprise.soap.sforce.com\" "
    "xmlns:es=\"urn:sobject.enterprise.soap.sforce.com\"><SOAP-ENV:Body>";
constexpr char kEnvEnd[] = "</SOAP-ENV:Body></SOAP-ENV:Envelope>";

constexpr char kReq[] =
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:q=\"urn:whatever\">";

TEST_CASE("responses: API namespace as the default, sf: for sObjects, the header before Body") {
  int results = 0;
  std::string out = ShapeResponse(
      Flavor::kPartner,
      std::string(kEnv) +
          "<p:queryResponse><p:result><p:done>true</p:done><p:records><ps:type>Case</ps:type>"
          "<Subject xmlns=\"urn:sobject.partner.soap.sforce.com\">a&amp;b\r</Subject>"
          "</p:records><p:size>1</p:size></p:result></p:queryResponse>" +
          kEnvEnd,
      LimitInfoHeader(7, 100), &results);
  CHECK(results == 1);
  CHECK(out ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
        "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns=\"urn:partner.soap.sforce.com\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xmlns:sf=\"urn:sobject.partner.soap.sforce.com\"><soapenv:Header><LimitInfoHeader>"
        "<limitInfo><current>7</current><limit>100</limit><type>API REQUESTS</type></limitInfo>"
        "</LimitInfoHeader></soapenv:Header><soapenv:Body><queryResponse>"
        "<result xsi:type=\"QueryResult\"><done>true</done><records xsi:type=\"sf:sObject\">"
        "<sf:type>Case</sf:type><sf:Subject>a&amp;b&#xD;</sf:Subject></records><size>1</size>"
        "</result></queryResponse></soapenv:Body></soapenv:Envelope>");
}

TEST_CASE("responses: xsi:type values are rewritten with the element prefixes") {
  std::string out = ShapeResponse(
      Flavor::kEnterprise,
      std::string(kEnv) +
          "<e:retrieveResponse><e:result xmlns:es2=\"urn:sobject.enterprise.soap.sforce.com\" "
          "xsi:type=\"es2:Case\"><es:Id>500</es:Id></e:result><e:result xsi:nil=\"true\"/>"
          "</e:retrieveResponse>" +
          kEnvEnd,
      "");
  CHECK(out.find("<soapenv:Header>") == std::string::npos);
  CHECK(out.find("<retrieveResponse><result xsi:type=\"sf:Case\"><sf:Id>500</sf:Id></result>"
                 "<result xsi:nil=\"true\"/></retrieveResponse>") != std::string::npos);
  CHECK(out.find("xmlns=\"urn:enterprise.soap.sforce.com\"") != std::string::npos);
}

TEST_CASE("requests: every element in the namespace gSOAP expects, original kept") {
  NormalisedRequest r = NormaliseRequest(
      Flavor::kPartner,
      std::string(kReq) +
          "<s:Header><SessionHeader><sessionId>S</sessionId></SessionHeader></s:Header><s:Body>"
          "<!-- c --><create><sObjects i:type=\"q:Case\"><Subject><![CDATA[x<y]]></Subject>"
          "<Id i:nil=\"true\"/></sObjects><sObjects><type>Case</type></sObjects></create>"
          "</s:Body></s:Envelope>");
  CHECK(r.record_items == 2);
  CHECK(r.xml ==
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:a=\"urn:partner.soap.sforce.com\" "
        "xmlns:s=\"urn:sobject.partner.soap.sforce.com\"><soapenv:Header>"
        "<a:SessionHeader omni-original-ns=\"\"><a:sessionId omni-original-ns=\"\">S</a:sessionId>"
        "</a:SessionHeader></soapenv:Header><soapenv:Body><a:create omni-original-ns=\"\">"
        "<a:sObjects omni-original-ns=\"\"><s:type>Case</s:type>"
        "<s:Subject omni-original-ns=\"\">x&lt;y</s:Subject>"
        "<s:Id omni-original-ns=\"\" xsi:nil=\"true\"></s:Id></a:sObjects>"
        "<a:sObjects omni-original-ns=\"\"><s:type omni-original-ns=\"\">Case</s:type>"
        "</a:sObjects></a:create></soapenv:Body></soapenv:Envelope>");
}

TEST_CASE("requests: an enterprise sObject's type element becomes its xsi:type") {
  NormalisedRequest r = NormaliseRequest(
      Flavor::kEnterprise,
      std::string(kReq) +
          "<s:Body><create xmlns=\"urn:enterprise.soap.sforce.com\"><sObjects i:type=\"q:Group\">"
          "<type>Case</type><Subject>x</Subject></sObjects></create></s:Body></s:Envelope>");
  CHECK(r.record_items == 1);
  CHECK(r.xml.find("<a:sObjects xsi:type=\"s:Case\"><s:Subject "
                   "omni-original-ns=\"urn:enterprise.soap.sforce.com\">x</s:Subject>"
                   "</a:sObjects>") != std::string::npos);
}

TEST_CASE("requests: left as they came when gSOAP must answer them itself") {
  // Not XML, not an envelope, or a call in the other API's namespace (its operation refuses it).
  for (const std::string& body :
       {std::string("not xml"), std::string("<x/>"),
        std::string(kReq) + "<s:Body><login xmlns=\"urn:enterprise.soap.sforce.com\"/></s:Body>"
                            "</s:Envelope>"}) {
    NormalisedRequest r = NormaliseRequest(Flavor::kPartner, body);
    CHECK(r.xml == body);
    CHECK(r.record_items == 0);
  }
}

}  // namespace
}  // namespace omni
