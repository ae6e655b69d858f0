#include "server/transport/http_message.h"

#include <strings.h>

namespace omni {

std::string HttpRequest::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

std::string HttpRequest::QueryParam(const std::string& name) const {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string item = query.substr(pos, amp - pos);
    size_t eq = item.find('=');
    if (item.substr(0, eq) == name) return eq == std::string::npos ? "" : item.substr(eq + 1);
    pos = amp + 1;
  }
  return "";
}

}  // namespace omni
