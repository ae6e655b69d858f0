#include "server/soap/wire_xml.h"

#include <cstring>

namespace omni {
namespace wire {

const char* ApiNs(Flavor f) {
  return f == Flavor::kPartner ? "urn:partner.soap.sforce.com" : "urn:enterprise.soap.sforce.com";
}
const char* SObjectNs(Flavor f) {
  return f == Flavor::kPartner ? "urn:sobject.partner.soap.sforce.com"
                               : "urn:sobject.enterprise.soap.sforce.com";
}

void AppendText(std::string* out, const char* text, bool attribute) {
  for (const char* p = text; *p; ++p) {
    // Runs of plain characters go in whole (most values have nothing to escape).
    const char* run = p;
    while (*p && *p != '&' && *p != '<' && *p != '>' && *p != '"' && *p != '\'' && *p != '\r' &&
           (!attribute || (*p != '\n' && *p != '\t'))) {
      ++p;
    }
    out->append(run, static_cast<std::size_t>(p - run));
    if (!*p) break;
    switch (*p) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&apos;";
        break;
      case '\r':
        *out += "&#xD;";
        break;
      case '\n':
        *out += attribute ? "&#xA;" : "\n";
        break;
      case '\t':
        *out += attribute ? "&#x9;" : "\t";
        break;
      default:
        *out += *p;
    }
  }
}

std::pair<std::string, std::string> SplitQName(const char* qname) {
  const char* colon = std::strchr(qname, ':');
  if (!colon) return {"", qname};
  return {std::string(qname, colon - qname), colon + 1};
}

bool IsXmlnsAttribute(const char* name) {
  return std::strcmp(name, "xmlns") == 0 || std::strncmp(name, "xmlns:", 6) == 0;
}

std::size_t Scope::Push(const pugi::xml_node& node) {
  std::size_t n = 0;
  for (const auto& a : node.attributes()) {
    const char* name = a.name();
    if (std::strcmp(name, "xmlns") == 0) {
      decls_.emplace_back("", a.value());
      ++n;
    } else if (std::strncmp(name, "xmlns:", 6) == 0) {
      decls_.emplace_back(name + 6, a.value());
      ++n;
    }
  }
  return n;
}

const std::string& Scope::Uri(const std::string& prefix) const {
  static const std::string kXml = "http://www.w3.org/XML/1998/namespace", kNone;
  if (prefix == "xml") return kXml;
  for (auto it = decls_.rbegin(); it != decls_.rend(); ++it) {
    if (it->first == prefix) return it->second;
  }
  return kNone;
}

}  // namespace wire
}  // namespace omni
