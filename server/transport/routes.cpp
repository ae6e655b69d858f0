#include "server/transport/routes.h"

#include "server/catalog/enterprise_wsdl.h"

namespace omni {

std::optional<Flavor> FlavorOfPath(const std::string& path) {
  auto under = [&](const std::string& prefix) {
    return path == prefix || path == prefix + "/" ||
           (path.size() > prefix.size() + 1 &&
            path.compare(0, prefix.size() + 1, prefix + "/") == 0);
  };
  if (under("/services/Soap/u/44.0")) return Flavor::kPartner;
  if (under("/services/Soap/c/44.0")) return Flavor::kEnterprise;
  return std::nullopt;
}

Router::Router(const SoapApp* app, std::function<bool()> health)
    : app_(app), soap_(app), health_(std::move(health)) {}

void Router::AddRoute(const std::string& path,
                      std::function<HandlerResult(const HttpRequest&)> handler) {
  routes_.emplace_back(path, std::move(handler));
}

namespace {
HandlerResult Now(HttpResponse r) { return HandlerResult{std::move(r), std::nullopt}; }
}  // namespace

HandlerResult Router::Handle(const HttpRequest& req) {
  const std::string& path = req.path;
  if (req.method == "POST") {
    if (auto flavor = FlavorOfPath(path)) return Now(soap_.Handle(*flavor, req.body));
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
  for (const auto& [route, handler] : routes_) {
    if (route == path) return handler(req);
  }
  return Now(HttpResponse::Text(404, "Not Found\n"));
}

}  // namespace omni
