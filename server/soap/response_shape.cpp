#include "server/soap/response_shape.h"

#include <cstring>

#include "server/soap/wire_xml.h"

namespace omni {

namespace {

using wire::AppendText;
using wire::IsXmlnsAttribute;
using wire::kSoapEnvNs;
using wire::kXsd;
using wire::kXsi;
using wire::Scope;
using wire::SplitQName;

class ResponseShaper {
 public:
  explicit ResponseShaper(Flavor flavor)
      : api_(wire::ApiNs(flavor)), sobject_(wire::SObjectNs(flavor)) {}

  std::string Shape(const pugi::xml_node& root, const std::string& header, std::size_t size_hint) {
    std::string body;
    body.reserve(size_hint + header.size() + 64);
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
  // Salesforce's prefix for a namespace: none for the API's, sf for the sObject namespace; null
  // for another namespace (the name keeps the prefix it was given).
  const char* Prefix(const std::string& uri) {
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
    return nullptr;
  }

  // Appends qname with Salesforce's prefix for its namespace.
  void AppendQualified(const char* qname, std::string* out) {
    const char* colon = std::strchr(qname, ':');
    prefix_.assign(qname, colon ? static_cast<std::size_t>(colon - qname) : 0);
    const char* local = colon ? colon + 1 : qname;
    const char* p = Prefix(scope_.Uri(prefix_));
    if (!p) p = prefix_.c_str();
    if (*p) {
      out->append(p);
      out->push_back(':');
    }
    out->append(local);
  }

  std::string Qualified(const std::string& qname) {
    std::string out;
    AppendQualified(qname.c_str(), &out);
    return out;
  }

  // The xsi:type Salesforce writes where gSOAP writes none: the QueryResult of the query calls,
  // and each partner row (query records, retrieve results) as sf:sObject. LIMITATIONS: the
  // enterprise QueryResult is typed as the partner one is; no enterprise capture shows it.
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
    const char* colon = std::strchr(node.name(), ':');
    const std::string local = colon ? colon + 1 : node.name();
    const std::size_t name_at = out->size() + 1;
    out->push_back('<');
    AppendQualified(node.name(), out);
    const std::string name = out->substr(name_at);
    bool has_type = false;
    for (const auto& a : node.attributes()) {
      if (IsXmlnsAttribute(a.name())) continue;
      out->push_back(' ');
      const std::size_t attr_at = out->size();
      AppendQualified(a.name(), out);
      const bool is_type = out->compare(attr_at, std::string::npos, "xsi:type") == 0;
      out->append("=\"");
      if (is_type) {
        has_type = true;
        AppendText(out, Qualified(a.value()).c_str(), true);
      } else {
        AppendText(out, a.value(), true);
      }
      out->push_back('"');
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
      out->append("</");
      out->append(name);
      out->push_back('>');
    }
    scope_.Pop(pushed);
  }

  std::string api_;
  std::string sobject_;
  Scope scope_;
  std::string prefix_;  // scratch for AppendQualified
  bool used_sf_ = false;
  bool used_xsd_ = false;
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
  if (!doc.load_buffer(gsoap_xml.data(), gsoap_xml.size(), wire::kParseOptions)) return gsoap_xml;
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
  return ResponseShaper(flavor).Shape(root, header, gsoap_xml.size());
}

}  // namespace omni
