#include "server/transport/routes.h"

#include <cctype>

#include "server/catalog/enterprise_wsdl.h"

namespace omni {

// /services/Soap/{u|c}/<version>[/<org>]. Clients name the version they were built for (jsforce
// 3 says 50.0 unless told otherwise); every version Salesforce's SOAP API has served since
// retiring the oldest ones (21.0) up to the newest (66.0) is answered as 44.0, the one this
// emulator implements; any other is not found. LIMITATIONS: a real org answers each version with
// that version's behaviour.
constexpr int kOldestVersion = 21, kNewestVersion = 66;

std::optional<Flavor> FlavorOfPath(const std::string& path) {
  static const std::string kPrefix = "/services/Soap/";
  if (path.compare(0, kPrefix.size(), kPrefix) != 0 || path.size() < kPrefix.size() + 2) {
    return std::nullopt;
  }
  char kind = path[kPrefix.size()];
  if ((kind != 'u' && kind != 'c') || path[kPrefix.size() + 1] != '/') return std::nullopt;
  size_t at = kPrefix.size() + 2;
  int major = 0, digits = 0;
  while (at < path.size() && std::isdigit(static_cast<unsigned char>(path[at])) && digits < 3) {
    major = major * 10 + (path[at++] - '0');
    ++digits;
  }
  if (digits == 0 || major < kOldestVersion || major > kNewestVersion) return std::nullopt;
  if (path.compare(at, 2, ".0") != 0) return std::nullopt;
  at += 2;
  if (at < path.size() && path[at] != '/') return std::nullopt;
  return kind == 'u' ? Flavor::kPartner : Flavor::kEnterprise;
}

Router::Router(const SoapApp* app, std::function<bool()> health)
    : app_(app), soap_(app), health_(std::move(health)) {}

void Router::AddRoute(const std::string& path,
                      std::function<HandlerResult(const HttpRequest&)> handler) {
  routes_.emplace_back(path, std::move(handler));
}

void Router::AddPrefixRoute(const std::string& prefix,
                            std::function<HandlerResult(const HttpRequest&)> handler) {
  prefix_routes_.emplace_back(prefix, std::move(handler));
}

const std::function<HandlerResult(const HttpRequest&)>* Router::Added(
    const std::string& path) const {
  for (const auto& [route, handler] : routes_) {
    if (route == path) return &handler;
  }
  for (const auto& [prefix, handler] : prefix_routes_) {
    if (path.compare(0, prefix.size(), prefix) == 0 &&
        (path.size() == prefix.size() || path[prefix.size()] == '/')) {
      return &handler;
    }
  }
  return nullptr;
}

namespace {
HandlerResult Now(HttpResponse r) { return HandlerResult{std::move(r), std::nullopt}; }
}  // namespace

HandlerResult Router::Handle(const HttpRequest& req) {
  const std::string& path = req.path;
  if (req.method == "POST") {
    if (auto flavor = FlavorOfPath(path)) return Now(soap_.Handle(*flavor, req.body));
    if (auto* handler = Added(path)) return (*handler)(req);
    // As before the event-loop transport: an unknown POST closes its connection.
    return Now(HttpResponse::Text(404, "Not Found\n", true));
  }
  if (req.method != "GET") {
    return Now(HttpResponse::Text(405, "Method Not Allowed\n"));
  }
  if (path == "/_emulator/health") {
    if (health_()) {
      return Now(HttpResponse::Of(200, "application/json",
                                  "{\"status\":\"ok\",\"database\":\"ok\",\"apiVersion\":\"" +
                                      app_->api_version + "\"}\n"));
    }
    return Now(HttpResponse::Of(503, "application/json",
                                "{\"status\":\"unavailable\",\"database\":\"unreachable\"}\n"));
  }
  if (path == "/services/wsdl/partner" || path == "/services/wsdl/partner.wsdl") {
    return Now(HttpResponse::Of(200, "text/xml; charset=UTF-8",
                                WithEndpoint(app_->partner_wsdl, app_->base_url)));
  }
  if (path == "/services/wsdl/enterprise" || path == "/services/wsdl/enterprise.wsdl") {
    return Now(HttpResponse::Of(200, "text/xml; charset=UTF-8",
                                WithEndpoint(app_->enterprise_wsdl, app_->base_url)));
  }
  if (auto* handler = Added(path)) return (*handler)(req);
  return Now(HttpResponse::Text(404, "Not Found\n"));
}

}  // namespace omni
