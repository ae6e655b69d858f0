#include "server/core/fault_injection.h"

#include <cctype>

#include "server/catalog/catalog.h"

namespace omni {

namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace

std::optional<FaultInjection> FaultInjection::Parse(const std::string& spec, std::string* error) {
  FaultInjection out;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string rule = Trim(spec.substr(pos, comma - pos));
    pos = comma + 1;
    if (rule.empty()) continue;
    size_t colon = rule.find(':');
    std::string kind = colon == std::string::npos ? rule : rule.substr(0, colon);
    std::string object = colon == std::string::npos ? "" : Trim(rule.substr(colon + 1));
    if (object.empty() || (kind != "listener-throw" && kind != "call-throw")) {
      *error = "unknown fault-injection rule '" + rule +
               "' (want listener-throw:<Object> or call-throw:<Object>)";
      return std::nullopt;
    }
    (kind == "listener-throw" ? out.listener_throw_ : out.call_throw_).insert(ToLower(object));
  }
  return out;
}

bool FaultInjection::Has(const std::set<std::string>& set, const std::string& object) {
  return !set.empty() && set.count(ToLower(object)) > 0;
}

}  // namespace omni
