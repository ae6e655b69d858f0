// Router: what a path is. POSTs to /services/Soap/u/44.0[/<orgId>] go to the partner endpoint and
// /services/Soap/c/44.0[/<orgId>] to the enterprise endpoint; GET /_emulator/health reports the
// database; GET /services/wsdl/partner and /enterprise serve the WSDLs with this server's address;
// everything else is a 404. Extra routes (the change long-poll, later presence and CometD) are
// added by the place that assembles the server.
//
// Thread-safety: AddRoute only during start-up; Handle from any number of threads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/soap/soap_endpoint.h"
#include "server/transport/handler.h"

namespace omni {

// The API a SOAP POST path belongs to, or nullopt for any other path.
std::optional<Flavor> FlavorOfPath(const std::string& path);

class Router : public RequestHandler {
 public:
  // health: true when the database answers right now.
  Router(const SoapApp* app, std::function<bool()> health);
  // Serves GET and POST requests for exactly `path` with `handler` (which may park them).
  void AddRoute(const std::string& path, std::function<HandlerResult(const HttpRequest&)> handler);
  // Serves GET and POST requests for `prefix` and every path below it (prefix + "/..."), after
  // the exact routes: the CometD endpoint, whose clients append the meta channel to its path.
  void AddPrefixRoute(const std::string& prefix,
                      std::function<HandlerResult(const HttpRequest&)> handler);
  HandlerResult Handle(const HttpRequest& request) override;

 private:
  const SoapApp* app_;
  SoapEndpoint soap_;
  std::function<bool()> health_;
  // The handler serving a path from the added routes, or nullptr.
  const std::function<HandlerResult(const HttpRequest&)>* Added(const std::string& path) const;

  std::vector<std::pair<std::string, std::function<HandlerResult(const HttpRequest&)>>> routes_;
  std::vector<std::pair<std::string, std::function<HandlerResult(const HttpRequest&)>>>
      prefix_routes_;
};

}  // namespace omni
