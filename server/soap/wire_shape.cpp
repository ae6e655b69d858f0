#include "server/soap/wire_shape.h"

#include <cstring>
#include <pugixml.hpp>
#include <utility>
#include <vector>

#include "server/soap/faults.h"

namespace omni {

namespace {

constexpr const char* kSoapEnvNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr const char* kXsi = "http://www.w3.org/2001/XMLSchema-instance";
constexpr const char* kXsd = "http://www.w3.org/2001/XMLSchema";

const char* ApiNs(Flavor f) {
  return f == Flavor::kPartner ? "urn:partner.soap.sforce.com" : "urn:enterprise.soap.sforce.com";
}
const char* SObjectNs(Flavor f) {
  return f == Flavor::kPartner ? "urn:sobject.partner.soap.sforce.com"
                               : "urn:sobject.enterprise.soap.sforce.com";
}

// Every pcdata character a parser could alter is written as a reference (a CR would otherwise
// reach the client as LF); quotes as Salesforce writes them.
void AppendText(std::string* out, const char* text, bool attribute) {
  for (const char* p = text; *p; ++p) {
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

// The in-scope namespace declarations while walking a parsed document.
class Scope {
 public:
  // Pushes the node's xmlns declarations; returns how many to pop.
  std::size_t Push(const pugi::xml_node& node) {
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
  void Pop(std::size_t n) { decls_.resize(decls_.size() - n); }
  std::string Uri(const std::string& prefix) const {
    if (prefix == "xml") return "http://www.w3.org/XML/1998/namespace";
    for (auto it = decls_.rbegin(); it != decls_.rend(); ++it) {
      if (it->first == prefix) return it->second;
    }
    return "";
  }

 private:
  std::vector<std::pair<std::string, std::string>> decls_;
};

bool IsXmlnsAttribute(const char* name) {
  return std::strcmp(name, "xmlns") == 0 || std::strncmp(name, "xmlns:", 6) == 0;
}

constexpr unsigned kParseOptions = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_ws_pcdata;

// ---------------------------------------------------------------------------------------------
// Responses

class ResponseShaper {
 public:
  explicit ResponseShaper(Flavor flavor) : api_(ApiNs(flavor)), sobject_(SObjectNs(flavor)) {}

  std::string Shape(const pugi::xml_node& root, const std::string& header) {
    std::string body;
    std::size_t pushed = scope_.Push(root);
    bool header_done = header.empty();
    for (const auto& child : root.children()) {
      if (child.type() != pugi::node_element) continue;
      std::string local = SplitQName(child.name()).second;
      if (!header_done && local == "Body") {
        body += "<soapenv:Header>" + header + "</soapenv:Header>";
        header_done = true;
      }
      Element(child, "", &body);
    }
    scope_.Pop(pushed);
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"" +
        std::string(kSoapEnvNs) + "\" xmlns=\"" + api_ + "\" xmlns:xsi=\"" + kXsi + "\"";
    if (used_sf_) out += " xmlns:sf=\"" + sobject_ + "\"";
    if (used_xsd_) out += " xmlns:xsd=\"" + std::string(kXsd) + "\"";
    out += ">" + body + "</soapenv:Envelope>";
    return out;
  }

 private:
  // Salesforce's prefix for a namespace: none for the API's, sf for the sObject namespace.
  std::string Prefix(const std::string& uri, const std::string& given) {
    if (uri == api_) return "";
    if (uri == sobject_) {
      used_sf_ = true;
      return "sf";
    }
    if (uri == kSoapEnvNs) return "soapenv";
    if (uri == kXsi) return "xsi";
    if (uri == kXsd) {
      used_xsd_ = true;
      return "xsd";
    }
    return given;
  }

  std::string Qualified(const std::string& qname) {
    auto [prefix, local] = SplitQName(qname.c_str());
    std::string p = Prefix(scope_.Uri(prefix), prefix);
    return p.empty() ? local : p + ":" + local;
  }

  // The xsi:type Salesforce writes where gSOAP writes none: the QueryResult of the query calls,
  // and each partner row (query records, retrieve results) as sf:sObject.
  const char* ImpliedType(const std::string& parent, const std::string& local) {
    bool query =
        parent == "queryResponse" || parent == "queryAllResponse" || parent == "queryMoreResponse";
    if (query && local == "result") return "QueryResult";
    if (sobject_ == "urn:sobject.partner.soap.sforce.com") {
      if (parent == "result#query" && local == "records") return "sf:sObject";
      if (parent == "retrieveResponse" && local == "result") return "sf:sObject";
    }
    return nullptr;
  }

  void Element(const pugi::xml_node& node, const std::string& parent, std::string* out) {
    std::size_t pushed = scope_.Push(node);
    auto [prefix, local] = SplitQName(node.name());
    std::string name = Qualified(node.name());
    *out += "<" + name;
    bool has_type = false;
    for (const auto& a : node.attributes()) {
      if (IsXmlnsAttribute(a.name())) continue;
      std::string attr = Qualified(a.name());
      *out += " " + attr + "=\"";
      if (attr == "xsi:type") {
        has_type = true;
        AppendText(out, Qualified(a.value()).c_str(), true);
      } else {
        AppendText(out, a.value(), true);
      }
      *out += "\"";
    }
    const char* implied = has_type ? nullptr : ImpliedType(parent, local);
    if (implied) {
      *out += std::string(" xsi:type=\"") + implied + "\"";
      if (std::strncmp(implied, "sf:", 3) == 0) used_sf_ = true;
    }
    // Rows of a query result are told apart from other `result` children by their parent.
    std::string context = local;
    if (local == "result" && ImpliedType(parent, local) &&
        std::strcmp(ImpliedType(parent, local), "QueryResult") == 0) {
      context = "result#query";
    }
    if (!node.first_child()) {
      *out += "/>";
    } else {
      *out += ">";
      for (const auto& child : node.children()) {
        if (child.type() == pugi::node_element) {
          Element(child, context, out);
        } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
          AppendText(out, child.value(), false);
        }
      }
      *out += "</" + name + ">";
    }
    scope_.Pop(pushed);
  }

  std::string api_;
  std::string sobject_;
  Scope scope_;
  bool used_sf_ = false;
  bool used_xsd_ = false;
};

// ---------------------------------------------------------------------------------------------
// Requests

// The element that carries a call's records, by call: its count must match the results.
const char* RecordElement(const std::string& call) {
  if (call == "create" || call == "update" || call == "upsert") return "sObjects";
  if (call == "delete" || call == "undelete" || call == "retrieve") return "ids";
  if (call == "describeSObjects") return "sObjectType";
  return nullptr;
}

class RequestNormaliser {
 public:
  explicit RequestNormaliser(Flavor flavor) : flavor_(flavor) {}

  NormalisedRequest Normalise(const pugi::xml_node& root) {
    NormalisedRequest result;
    std::size_t pushed = scope_.Push(root);
    std::string env_uri = scope_.Uri(SplitQName(root.name()).first);
    std::string out = "<soapenv:Envelope xmlns:soapenv=\"";
    AppendText(&out, env_uri.c_str(), true);
    out += "\" xmlns:xsi=\"" + std::string(kXsi) + "\" xmlns:xsd=\"" + kXsd + "\" xmlns:a=\"" +
           ApiNs(flavor_) + "\" xmlns:s=\"" + SObjectNs(flavor_) + "\"";
    Attributes(root, &out, false);
    out += ">";
    for (const auto& part : root.children()) {
      if (part.type() != pugi::node_element) continue;
      std::size_t p = scope_.Push(part);
      std::string local = SplitQName(part.name()).second;
      out += "<soapenv:" + local;
      Attributes(part, &out, false);
      out += ">";
      for (const auto& child : part.children()) {
        if (child.type() != pugi::node_element) continue;
        if (local == "Body") {
          Call(child, &out, &result.record_items);
        } else {
          Plain(child, "a", &out);
        }
      }
      out += "</soapenv:" + local + ">";
      scope_.Pop(p);
    }
    out += "</soapenv:Envelope>";
    scope_.Pop(pushed);
    result.xml = std::move(out);
    return result;
  }

 private:
  std::string UriOf(const pugi::xml_node& node) {
    return scope_.Uri(SplitQName(node.name()).first);
  }

  // Copies the attributes gSOAP reads (xsi:nil, xsi:type, soapenv:*) with their namespaces
  // re-declared; other qualified attributes mean nothing to a call and are left out.
  // Returns the local name of an xsi:type found when `take_type` (it is then not copied).
  std::string Attributes(const pugi::xml_node& node, std::string* out, bool take_type) {
    std::string taken;
    for (const auto& a : node.attributes()) {
      if (IsXmlnsAttribute(a.name())) continue;
      auto [prefix, local] = SplitQName(a.name());
      std::string name = local;
      if (!prefix.empty()) {
        std::string uri = scope_.Uri(prefix);
        if (uri == kXsi) {
          name = "xsi:" + local;
        } else if (uri == kSoapEnvNs) {
          name = "soapenv:" + local;
        } else {
          continue;
        }
      }
      std::string value = a.value();
      if (name == "xsi:type") {
        auto [tp, tl] = SplitQName(a.value());
        if (take_type) {
          taken = tl;
          continue;
        }
        std::string uri = scope_.Uri(tp);
        if (uri == kXsd) {
          value = "xsd:" + tl;
        } else if (uri == ApiNs(flavor_)) {
          value = "a:" + tl;
        } else {
          value = "s:" + tl;  // an sObject type, whatever prefix named its namespace
        }
      }
      *out += " " + name + "=\"";
      AppendText(out, value.c_str(), true);
      *out += "\"";
    }
    return taken;
  }

  void OpenTag(const pugi::xml_node& node, const char* prefix, const std::string& target_uri,
               std::string* out) {
    std::string local = SplitQName(node.name()).second;
    *out += std::string("<") + prefix + ":" + local;
    std::string uri = UriOf(node);
    if (uri != target_uri) {
      *out += std::string(" ") + kOriginalNsAttribute + "=\"";
      AppendText(out, uri.c_str(), true);
      *out += "\"";
    }
  }

  void Children(const pugi::xml_node& node, const char* prefix, std::string* out) {
    for (const auto& child : node.children()) {
      if (child.type() == pugi::node_element) {
        Plain(child, prefix, out);
      } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        AppendText(out, child.value(), false);
      }
    }
  }

  // An element and everything under it, moved into the namespace of `prefix`.
  void Plain(const pugi::xml_node& node, const char* prefix, std::string* out) {
    std::size_t pushed = scope_.Push(node);
    OpenTag(node, prefix, std::strcmp(prefix, "a") == 0 ? ApiNs(flavor_) : SObjectNs(flavor_), out);
    Attributes(node, out, false);
    *out += ">";
    Children(node, prefix, out);
    *out += "</" + std::string(prefix) + ":" + SplitQName(node.name()).second + ">";
    scope_.Pop(pushed);
  }

  void Call(const pugi::xml_node& call, std::string* out, int* record_items) {
    std::size_t pushed = scope_.Push(call);
    std::string name = SplitQName(call.name()).second;
    const char* records = RecordElement(name);
    OpenTag(call, "a", ApiNs(flavor_), out);
    Attributes(call, out, false);
    *out += ">";
    for (const auto& arg : call.children()) {
      if (arg.type() != pugi::node_element) {
        if (arg.type() == pugi::node_pcdata || arg.type() == pugi::node_cdata) {
          AppendText(out, arg.value(), false);
        }
        continue;
      }
      std::string local = SplitQName(arg.name()).second;
      if (records && local == records) ++*record_items;
      if (local == "sObjects") {
        SObject(arg, out);
      } else {
        Plain(arg, "a", out);
      }
    }
    *out += "</a:" + name + ">";
    scope_.Pop(pushed);
  }

  // An sObject: its type from a `type` element, else from its xsi:type; the partner API reads
  // the type element, the enterprise API the xsi:type.
  void SObject(const pugi::xml_node& node, std::string* out) {
    std::size_t pushed = scope_.Push(node);
    pugi::xml_node type_element;
    for (const auto& c : node.children()) {
      if (c.type() == pugi::node_element && SplitQName(c.name()).second == "type") {
        type_element = c;
        break;
      }
    }
    OpenTag(node, "a", ApiNs(flavor_), out);
    bool partner = flavor_ == Flavor::kPartner;
    std::string xsi_type = Attributes(node, out, true);
    if (!partner) {
      std::string type = type_element ? type_element.text().get() : xsi_type;
      if (!type.empty()) {
        *out += " xsi:type=\"s:";
        AppendText(out, type.c_str(), true);
        *out += "\"";
      }
    }
    *out += ">";
    if (partner && !type_element && !xsi_type.empty() && xsi_type != "sObject") {
      *out += "<s:type>";
      AppendText(out, xsi_type.c_str(), false);
      *out += "</s:type>";
    }
    for (const auto& child : node.children()) {
      if (child.type() == pugi::node_element) {
        if (!partner && child == type_element) continue;
        Plain(child, "s", out);
      } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        AppendText(out, child.value(), false);
      }
    }
    *out += "</a:sObjects>";
    scope_.Pop(pushed);
  }

  Flavor flavor_;
  Scope scope_;
};

}  // namespace

std::string LimitInfoHeader(std::int64_t current, std::int64_t limit) {
  return "<LimitInfoHeader><limitInfo><current>" + std::to_string(current) + "</current><limit>" +
         std::to_string(limit) + "</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader>";
}

std::string ShapeResponse(Flavor flavor, const std::string& gsoap_xml, const std::string& header,
                          int* results) {
  if (results) *results = -1;
  pugi::xml_document doc;
  if (!doc.load_buffer(gsoap_xml.data(), gsoap_xml.size(), kParseOptions)) return gsoap_xml;
  pugi::xml_node root = doc.document_element();
  if (!root) return gsoap_xml;
  if (results) {
    *results = 0;
    for (const auto& part : root.children()) {
      if (SplitQName(part.name()).second != "Body") continue;
      pugi::xml_node response =
          part.find_child([](const pugi::xml_node& n) { return n.type() == pugi::node_element; });
      for (const auto& c : response.children()) {
        if (c.type() == pugi::node_element && SplitQName(c.name()).second == "result") ++*results;
      }
    }
  }
  return ResponseShaper(flavor).Shape(root, header);
}

NormalisedRequest NormaliseRequest(Flavor flavor, const std::string& body) {
  pugi::xml_document doc;
  pugi::xml_node root;
  if (doc.load_buffer(body.data(), body.size(), kParseOptions)) root = doc.document_element();
  if (!root || SplitQName(root.name()).second != "Envelope") return {body, 0};
  // A call in the other API's namespace stays as it came: its operation refuses it by name.
  const char* other =
      flavor == Flavor::kPartner ? ApiNs(Flavor::kEnterprise) : ApiNs(Flavor::kPartner);
  Scope scope;
  scope.Push(root);
  for (const auto& part : root.children()) {
    if (SplitQName(part.name()).second != "Body") continue;
    scope.Push(part);
    for (const auto& call : part.children()) {
      if (call.type() != pugi::node_element) continue;
      scope.Push(call);
      if (scope.Uri(SplitQName(call.name()).first) == other) return {body, 0};
    }
  }
  return RequestNormaliser(flavor).Normalise(root);
}

}  // namespace omni
