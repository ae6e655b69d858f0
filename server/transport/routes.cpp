#include "server/transport/routes.h"

#include <stdsoap2.h>

#include "server/catalog/enterprise_wsdl.h"
#include "server/transport/raw_http.h"

namespace omni {

std::optional<Flavor> FlavorOfPath(const std::string& raw_path) {
  std::string path = raw_path.substr(0, raw_path.find('?'));
  auto under = [&](const std::string& prefix) {
    return path == prefix || path == prefix + "/" ||
           (path.size() > prefix.size() + 1 &&
            path.compare(0, prefix.size() + 1, prefix + "/") == 0);
  };
  if (under("/services/Soap/u/44.0")) return Flavor::kPartner;
  if (under("/services/Soap/c/44.0")) return Flavor::kEnterprise;
  return std::nullopt;
}

int HandleGet(struct soap* soap) {
  auto* state = static_cast<RequestState*>(soap->user);
  const SoapApp& app = *state->app;
  std::string path = soap->path;
  path = path.substr(0, path.find('?'));
  int rc;
  if (path == "/_emulator/health") {
    try {
      auto tx = app.dispatcher->store().Begin();
      tx->sessions().OrgIds();
      rc = SendRaw(
          soap, 200, "application/json",
          "{\"status\":\"ok\",\"database\":\"ok\",\"apiVersion\":\"" + app.api_version + "\"}\n");
    } catch (const std::exception&) {
      rc = SendRaw(soap, 503, "application/json",
                   "{\"status\":\"unavailable\",\"database\":\"unreachable\"}\n");
    }
  } else if (path == "/services/wsdl/partner" || path == "/services/wsdl/partner.wsdl") {
    rc =
        SendRaw(soap, 200, "text/xml; charset=UTF-8", WithEndpoint(app.partner_wsdl, app.base_url));
  } else if (path == "/services/wsdl/enterprise" || path == "/services/wsdl/enterprise.wsdl") {
    rc = SendRaw(soap, 200, "text/xml; charset=UTF-8",
                 WithEndpoint(app.enterprise_wsdl, app.base_url));
  } else {
    rc = SendRaw(soap, 404, "text/plain; charset=UTF-8", "Not Found\n");
  }
  state->responded = rc == SOAP_STOP;
  return rc == SOAP_STOP ? SOAP_OK : rc;
}

}  // namespace omni
