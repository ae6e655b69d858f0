// Shared text-level pieces of the wire shapers (server/soap/response_shape, request_shape): the
// namespaces, QName splitting, in-scope namespace declarations while walking a pugixml tree, and
// XML text escaping as Salesforce writes it. Used only by those two files. Thread-safety: Scope is
// per walk; the rest are pure functions.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <utility>
#include <vector>

#include "server/soap/soap_app.h"

namespace omni {
namespace wire {

inline constexpr const char* kSoapEnvNs = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr const char* kXsi = "http://www.w3.org/2001/XMLSchema-instance";
inline constexpr const char* kXsd = "http://www.w3.org/2001/XMLSchema";

const char* ApiNs(Flavor f);
const char* SObjectNs(Flavor f);

// Appends text escaped: &, <, >, quotes as Salesforce writes them, and every character a parser
// could alter as a reference (a CR would otherwise reach the client as LF; in attributes also
// LF and TAB).
void AppendText(std::string* out, const char* text, bool attribute);

// "p:name" -> {"p", "name"}; "name" -> {"", "name"}.
std::pair<std::string, std::string> SplitQName(const char* qname);

bool IsXmlnsAttribute(const char* name);

// The in-scope namespace declarations while walking a parsed document.
class Scope {
 public:
  // Pushes the node's xmlns declarations; returns how many to pop.
  std::size_t Push(const pugi::xml_node& node);
  void Pop(std::size_t n) { decls_.resize(decls_.size() - n); }
  // Valid until the next Push or Pop.
  const std::string& Uri(const std::string& prefix) const;

 private:
  std::vector<std::pair<std::string, std::string>> decls_;
};

// Whitespace-only text is kept (a value of spaces is a value); no line-end normalisation.
inline constexpr unsigned kParseOptions =
    pugi::parse_cdata | pugi::parse_escapes | pugi::parse_ws_pcdata;

}  // namespace wire
}  // namespace omni
