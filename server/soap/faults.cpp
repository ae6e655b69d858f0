#include "server/soap/faults.h"

namespace omni {

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ClientFaultEnvelope(const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
         "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
         "<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>" +
         XmlEscape(message) + "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
}

std::string FaultEnvelope(Flavor flavor, const Fault& fault) {
  const char* ns = flavor == Flavor::kPartner    ? "urn:fault.partner.soap.sforce.com"
                   : flavor == Flavor::kPresence ? "urn:fault.presence.omni-emulator"
                                                 : "urn:fault.enterprise.soap.sforce.com";
  std::string code = ExceptionCodeName(fault.code);
  std::string kind = FaultKindName(fault.kind);
  // The ApiFault type travels in the element "fault"; its subtypes in elements of their name.
  std::string element = fault.kind == FaultKind::kApiFault ? "fault" : kind;
  std::string message = XmlEscape(fault.message);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
      "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:sf=\"" +
      std::string(ns) +
      "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:Fault>"
      "<faultcode>" +
      (fault.kind == FaultKind::kLoginFault ? "" : "sf:") + code + "</faultcode><faultstring>" +
      code + ": " + message + "</faultstring><detail><sf:" + element + " xsi:type=\"sf:" + kind +
      "\"><sf:exceptionCode>" + code + "</sf:exceptionCode><sf:exceptionMessage>" + message +
      "</sf:exceptionMessage>";
  if (FaultKindHasPosition(fault.kind)) {
    out += "<sf:row>" + std::to_string(fault.row) + "</sf:row><sf:column>" +
           std::to_string(fault.column) + "</sf:column>";
  }
  out += "</sf:" + element + "></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
  return out;
}

}  // namespace omni
