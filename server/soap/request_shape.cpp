#include "server/soap/request_shape.h"

#include <cstring>

#include "server/soap/wire_xml.h"

namespace omni {

namespace {

using wire::ApiNs;
using wire::AppendText;
using wire::IsXmlnsAttribute;
using wire::kSoapEnvNs;
using wire::kXsd;
using wire::kXsi;
using wire::Scope;
using wire::SObjectNs;
using wire::SplitQName;

// The element that carries a call's records, by call: its count must match the results.
// LIMITATIONS: a call with none (an empty array) answers the empty response element
// (<createResponse/>); no capture shows what the org answers for it.
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

NormalisedRequest NormaliseRequest(Flavor flavor, const std::string& body) {
  pugi::xml_document doc;
  pugi::xml_node root;
  if (doc.load_buffer(body.data(), body.size(), wire::kParseOptions)) root = doc.document_element();
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
