// The XML guard refuses every hostile construct with its own message, lets real envelopes
// through, and whatever passes it parses cheaply in gSOAP.
#include "server/soap/xml_guard.h"

#include <doctest/doctest.h>

#include <ctime>
#include <string>

#include "tests/unit/gsoap_parse_util.h"

namespace omni {
namespace {

const char* kLoginEmp =
    "<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/' "
    "xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' "
    "xmlns:urn='urn:partner.soap.sforce.com'><soapenv:Body>  <urn:login>    "
    "<urn:username>USER</urn:username>    <urn:password>PASS</urn:password>  "
    "</urn:login></soapenv:Body></soapenv:Envelope>";

const char* kDescribeWiki =
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:urn=\"urn:partner.soap.sforce.com\"> <soapenv:Header> <urn:SessionHeader> "
    "<urn:sessionId>QwWsHJyTPW.1pd0_jXlNKOSU</urn:sessionId> </urn:SessionHeader> "
    "</soapenv:Header> <soapenv:Body> <urn:describeSObjects> "
    "<urn:sObjectType>Account</urn:sObjectType> <!--0 to 100 repetitions--> "
    "<urn:sObjectType>Contact</urn:sObjectType> </urn:describeSObjects> </soapenv:Body> "
    "</soapenv:Envelope>";

std::string Create(const std::string& fields) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope "
         "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:p=\"urn:partner.soap.sforce.com\" "
         "xmlns:sf=\"urn:sobject.partner.soap.sforce.com\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Header>"
         "<p:SessionHeader><p:sessionId>00D!x</p:sessionId></p:SessionHeader></soapenv:Header>"
         "<soapenv:Body><p:create><p:sObjects><sf:type>Account</sf:type>" +
         fields + "</p:sObjects></p:create></soapenv:Body></soapenv:Envelope>";
}

std::string Refusal(const std::string& body, const XmlLimits& limits = {}) {
  auto r = CheckEnvelope(body, limits);
  return r ? *r : std::string("<accepted>");
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("real envelopes pass the guard and parse") {
  for (const std::string& body :
       {std::string(kLoginEmp), std::string(kDescribeWiki),
        Create("<sf:Name>Acme &amp; Sons &lt;&gt; &quot;q&quot; &apos;a&apos; &#233;&#x1F600;"
               "</sf:Name><sf:Phone xsi:nil=\"true\"/>"),
        Create("<sf:Description><![CDATA[<b>bold</b> & raw]]></sf:Description>"),
        Create("<!-- a comment --><sf:Name>Gr\xC3\xBC\xC3\x9F \xE2\x82\xAC \xF0\x9F\x98\x80"
               "\ttab\r\nline</sf:Name>"),
        "\xEF\xBB\xBF" + Create("<sf:Name>bom</sf:Name>")}) {
    CAPTURE(body);
    CHECK(Refusal(body) == "<accepted>");
    CHECK(testing::ParseEnvelopeInMemory(body) == 0);
  }
}

TEST_CASE("DTDs and entity declarations are refused; gSOAP alone would skip them") {
  std::string doctype =
      "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x \"boom\">]>" + Create("<sf:Name>n</sf:Name>");
  CHECK(Contains(Refusal(doctype), "DOCTYPE declarations are not allowed"));
  // What the guard closes: gSOAP parses the same body without complaint.
  CHECK(testing::ParseEnvelopeInMemory(doctype) == 0);
  CHECK(Contains(Refusal("<!ENTITY x \"y\">" + Create("")), "entity declarations are not allowed"));
  CHECK(Contains(Refusal(Create("<!ELEMENT x ANY>")), "markup declarations are not allowed"));
}

TEST_CASE("only the five predefined entities and valid character references") {
  CHECK(Contains(Refusal(Create("<sf:Name>&nbsp;</sf:Name>")), "undefined entity"));
  CHECK(Contains(Refusal(Create("<sf:Name>&x;</sf:Name>")), "undefined entity"));
  CHECK(Contains(Refusal(Create("<sf:Name>a & b</sf:Name>")), "bare '&'"));
  CHECK(Contains(Refusal(Create("<sf:Name>&#0;</sf:Name>")), "character reference to a"));
  CHECK(Contains(Refusal(Create("<sf:Name>&#x1;</sf:Name>")), "character reference to a"));
  CHECK(Contains(Refusal(Create("<sf:Name>&#xD800;</sf:Name>")), "character reference to a"));
  CHECK(Contains(Refusal(Create("<sf:Name>&#xFFFE;</sf:Name>")), "character reference to a"));
  CHECK(Contains(Refusal(Create("<sf:Name>&#xFFFF;</sf:Name>")), "character reference to a"));
  CHECK(Contains(Refusal(Create("<sf:Name>&#x0001F600;</sf:Name>")), "reference too long"));
  CHECK(Contains(Refusal(Create("<sf:Name>&#12a;</sf:Name>")), "malformed character reference"));
  CHECK(Contains(Refusal(Create("<sf:Name a=\"&bogus;\">x</sf:Name>")), "undefined entity"));
  CHECK(Refusal(Create("<sf:Name>&#9;&#xA;&#xd;&#x10FFF;</sf:Name>")) == "<accepted>");
}

TEST_CASE("characters outside XML 1.0 and invalid UTF-8 are refused, raw") {
  CHECK(Contains(Refusal(Create(std::string("<sf:Name>a\x01") + "b</sf:Name>")),
                 "character not allowed in XML 1.0"));
  CHECK(Contains(Refusal(Create(std::string("<sf:Name>a") + '\0' + "b</sf:Name>")),
                 "character not allowed in XML 1.0"));
  CHECK(Contains(Refusal(Create("<sf:Name>\xEF\xBF\xBE</sf:Name>")), "not allowed in XML 1.0"));
  CHECK(Contains(Refusal(Create("<sf:Name>\xC0\xAF</sf:Name>")), "invalid UTF-8"));      // overlong
  CHECK(Contains(Refusal(Create("<sf:Name>\xE0\x80\xAF</sf:Name>")), "invalid UTF-8"));  // overlong
  CHECK(
      Contains(Refusal(Create("<sf:Name>\xED\xA0\x80</sf:Name>")), "invalid UTF-8"));  // surrogate
  CHECK(Contains(Refusal(Create("<sf:Name>\xF4\x90\x80\x80</sf:Name>")), "invalid UTF-8"));
  CHECK(Contains(Refusal(Create("<sf:Name>\xE2\x82</sf:Name>")), "invalid UTF-8"));  // truncated
  CHECK(Contains(Refusal(Create("<sf:Name>\xFF</sf:Name>")), "invalid UTF-8"));
  CHECK(Contains(Refusal(Create("<sf:Name a=\"\x02\">x</sf:Name>")), "not allowed in XML 1.0"));
  CHECK(Contains(Refusal(Create("<sf:N\xC3>x</sf:N\xC3>")), "invalid UTF-8"));
  CHECK(Contains(Refusal(Create("<!-- \x01 -->")), "not allowed in XML 1.0"));
  CHECK(Contains(Refusal(Create("<sf:Name><![CDATA[\x01]]></sf:Name>")), "not allowed in XML"));
}

TEST_CASE("processing instructions, encodings and comments") {
  CHECK(Contains(Refusal(Create("<?php x?>")), "processing instructions are not allowed"));
  CHECK(Contains(Refusal("<?xml-stylesheet href=\"x\"?>" + Create("")),
                 "processing instructions are not allowed"));
  CHECK(Contains(Refusal(" <?xml version=\"1.0\"?>" + Create("")), "must come first"));
  std::string latin = Create("");
  latin.replace(latin.find("UTF-8"), 5, "ISO-8859-1");
  CHECK(Contains(Refusal(latin), "only the UTF-8 encoding"));
  CHECK(Contains(Refusal(Create("<!-- a -- b -->")), "'--' inside a comment"));
  CHECK(Contains(Refusal(Create("<!-- never closed")), "Unexpected end of the request"));
}

TEST_CASE("well-formedness the guard checks on the way") {
  CHECK(Contains(Refusal(Create("<sf:Name>x</sf:Nom>")), "does not match"));
  CHECK(Contains(Refusal(Create("") + "<extra/>"), "after the root element"));
  CHECK(Contains(Refusal("junk" + Create("")), "outside the root element"));
  CHECK(Contains(Refusal(Create("<sf:Name a=1>x</sf:Name>")), "not quoted"));
  CHECK(Contains(Refusal(Create("<sf:Name a>x</sf:Name>")), "without a value"));
  CHECK(Contains(Refusal(Create("<sf:Name a=\"<\">x</sf:Name>")), "'<' in an attribute value"));
  std::string truncated = Create("<sf:Name>x</sf:Name>");
  truncated.resize(truncated.size() - 20);
  CHECK(Contains(Refusal(truncated), "Unexpected end of the request"));
  CHECK(Contains(Refusal(""), "Unexpected end of the request"));
}

TEST_CASE("every limit is enforced at its value plus one") {
  XmlLimits l;
  l.max_depth = 8;
  std::string deep;
  for (int i = 0; i < 4; ++i) deep += "<sf:D>";
  for (int i = 0; i < 4; ++i) deep += "</sf:D>";
  CHECK(Refusal(Create(deep), l) == "<accepted>");  // envelope, body, create, sObjects + 4
  CHECK(Contains(Refusal(Create("<sf:D>" + deep + "</sf:D>"), l), "nested deeper than 8"));

  l = XmlLimits{};
  l.max_attributes = 4;  // as many as the envelope element has
  CHECK(Refusal(Create("<sf:N a=\"1\" b=\"2\" c=\"3\" d=\"4\"/>"), l) == "<accepted>");
  CHECK(Contains(Refusal(Create("<sf:N a=\"1\" b=\"2\" c=\"3\" d=\"4\" e=\"5\"/>"), l),
                 "more than 4 attributes on one element"));

  l = XmlLimits{};
  l.max_namespace_decls = 2;
  CHECK(Contains(Refusal(Create("<sf:N xmlns:a=\"u\" xmlns:b=\"u\" xmlns=\"u\"/>"), l),
                 "more than 2 namespace declarations on one element"));

  l = XmlLimits{};
  l.max_namespace_decls_in_scope = 5;  // the envelope declares four
  CHECK(Refusal(Create("<sf:N xmlns:a=\"u\"/><sf:M xmlns:b=\"u\"/>"), l) == "<accepted>");
  CHECK(Contains(Refusal(Create("<sf:N xmlns:a=\"u\"><sf:M xmlns:b=\"u\"/></sf:N>"), l),
                 "more than 5 namespace declarations in scope"));

  l = XmlLimits{};
  l.max_distinct_attribute_names = 6;  // four xmlns:* on the envelope
  CHECK(Refusal(Create("<sf:N a=\"1\"/><sf:N b=\"1\"/><sf:N a=\"2\"/>"), l) == "<accepted>");
  CHECK(Contains(Refusal(Create("<sf:N a=\"1\"/><sf:N b=\"1\"/><sf:N c=\"2\"/>"), l),
                 "more than 6 distinct attribute names"));

  l = XmlLimits{};
  l.max_elements = 10;  // the envelope has 8
  CHECK(Refusal(Create("<sf:A/><sf:B/>"), l) == "<accepted>");
  CHECK(Contains(Refusal(Create("<sf:A/><sf:B/><sf:C/>"), l), "more than 10 elements"));

  l = XmlLimits{};
  l.max_text_length = 50;  // the envelope's longest value is 41 bytes
  std::string ten = "0123456789", fifty = ten + ten + ten + ten + ten;
  CHECK(Refusal(Create("<sf:A>" + fifty + "</sf:A><sf:B c=\"" + fifty + "\"/>"), l) ==
        "<accepted>");
  CHECK(Contains(Refusal(Create("<sf:A>" + fifty + "x</sf:A>"), l), "text longer than 50 bytes"));
  CHECK(Contains(Refusal(Create("<sf:A>" + ten + "<!-- -->" + fifty + "</sf:A>"), l),
                 "text longer than"));
  CHECK(Contains(Refusal(Create("<sf:A><![CDATA[" + fifty + "x]]></sf:A>"), l), "text longer"));
  CHECK(Contains(Refusal(Create("<sf:A b=\"" + fifty + "x\"/>"), l), "attribute value longer"));

  l = XmlLimits{};
  l.max_name_length = 8;
  CHECK(Contains(Refusal(Create("<sf:ABCDEFG/>"), l), "name longer than 8 bytes"));
}

TEST_CASE("a refusal quotes a short excerpt, never the body") {
  std::string big(1 << 20, 'x');
  std::string msg = Refusal(Create("<sf:Name>" + big + "&nbsp;" + big + "</sf:Name>"));
  CHECK(Contains(msg, "undefined entity"));
  CHECK(Contains(msg, "&nbsp;"));
  CHECK(msg.size() < 300);
  // Bytes that are not text are shown escaped, so the fault itself stays valid XML.
  CHECK(Contains(Refusal(Create("<sf:Name>\xFF\x01</sf:Name>")), "\\xFF\\x01"));
}

TEST_CASE("floods at the default limits stay cheap in gSOAP") {
  // Not a timing assertion beyond "answered at all": the measured costs are in the report.
  auto flood = [](const std::string& unit) {
    std::string s;
    while (s.size() < (256u << 10)) s += unit;
    return Create(s);
  };
  std::string attrs;
  for (int i = 0; i < 60; ++i) attrs += " a" + std::to_string(i) + "=\"1\"";
  std::string decls;
  for (int i = 0; i < 32; ++i) decls += " xmlns:n" + std::to_string(i) + "=\"urn:x\"";
  for (const std::string& body :
       {flood("<sf:N" + attrs + "/>"), flood("<sf:N" + decls + "/>"), flood("<sf:N>v</sf:N>")}) {
    REQUIRE(Refusal(body) == "<accepted>");
    std::clock_t start = std::clock();
    CHECK(testing::ParseEnvelopeInMemory(body) == 0);
    CHECK(double(std::clock() - start) / CLOCKS_PER_SEC < 5.0);
  }
}

}  // namespace omni

namespace omni {
namespace {
TEST_CASE("many distinct attribute names and many elements together are refused") {
  std::string body = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>";
  for (int i = 0; i < 60000; ++i) body += "<x n" + std::to_string(i % 500) + "=\"1\"/>";
  body += "</s:Body></s:Envelope>";
  auto refused = CheckEnvelope(body);
  REQUIRE(refused);
  CHECK(refused->find("too many distinct attribute names") != std::string::npos);
  // The same elements with a handful of names pass.
  std::string plain = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>";
  for (int i = 0; i < 60000; ++i) plain += "<x n" + std::to_string(i % 5) + "=\"1\"/>";
  plain += "</s:Body></s:Envelope>";
  CHECK_FALSE(CheckEnvelope(plain));
}
}  // namespace
}  // namespace omni
