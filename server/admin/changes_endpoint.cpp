#include "server/admin/changes_endpoint.h"

#include <cstdlib>

#include "server/admin/admin_http.h"
#include "server/core/json_text.h"
#include "server/core/unexpected.h"

namespace omni {

namespace {

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 2000;
constexpr double kDefaultTimeout = 30;
constexpr double kMaxTimeout = 120;

HttpResponse Page(std::int64_t after, const std::vector<ChangeView>& changes) {
  std::int64_t position = changes.empty() ? after : changes.back().position;
  std::string body = "{\"position\":" + std::to_string(position) + ",\"changes\":[";
  bool first = true;
  for (const auto& c : changes) {
    if (!first) body += ",";
    first = false;
    body += "{\"position\":" + std::to_string(c.position) + ",\"kind\":" + JsonString(c.kind) +
            ",\"object\":" + JsonString(c.object) + ",\"id\":" + JsonString(c.record_id) +
            ",\"userId\":" + JsonString(c.user_id) +
            ",\"committedAt\":" + JsonString(c.committed_at) + ",\"before\":" + c.before_json +
            ",\"after\":" + c.after_json + "}";
  }
  return admin::JsonAnswer(200, body + "]}\n");
}

// A whole non-negative number, or nullopt (and the text is not a number).
bool ParseNumber(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || v < 0 || v != v) return false;
  *out = v;
  return true;
}

HandlerResult Now(HttpResponse r) { return HandlerResult{std::move(r), std::nullopt}; }

}  // namespace

std::string ChangesChannel(const std::string& org_id) { return "changes:" + org_id; }

HandlerResult ChangesEndpoint::Handle(const HttpRequest& req) const {
  HttpResponse refused;
  auto ctx = admin::Caller(*sessions_, req, &refused);
  if (ctx.fault) return Now(std::move(refused));
  std::string org = ctx.value.org_id;
  double after = -1, timeout = kDefaultTimeout, limit = kDefaultLimit;
  std::string after_text = req.QueryParam("after"), timeout_text = req.QueryParam("timeout"),
              limit_text = req.QueryParam("limit");
  if ((!after_text.empty() && !ParseNumber(after_text, &after)) ||
      (!timeout_text.empty() && !ParseNumber(timeout_text, &timeout)) ||
      (!limit_text.empty() && (!ParseNumber(limit_text, &limit) || limit < 1))) {
    return Now(admin::RestError(400, "MALFORMED_QUERY",
                                "after, timeout and limit must be non-negative numbers"));
  }
  if (timeout > kMaxTimeout) timeout = kMaxTimeout;
  std::size_t max =
      static_cast<std::size_t>(limit) > kMaxLimit ? kMaxLimit : static_cast<std::size_t>(limit);
  try {
    std::int64_t from = after_text.empty() ? source_->Head(org) : static_cast<std::int64_t>(after);
    auto changes = source_->After(org, from, max);
    if (!changes.empty() || timeout == 0) return Now(Page(from, changes));
    ParkRequest park;
    park.channel = ChangesChannel(org);
    park.after = from;
    park.timeout = std::chrono::milliseconds(static_cast<long>(timeout * 1000));
    ChangeSource* source = source_;
    park.finish = [source, org, from, max](WakeReason) {
      return Page(from, source->After(org, from, max));
    };
    return HandlerResult{HttpResponse(), std::move(park)};
  } catch (...) {
    std::string message = LogUnexpected("change log read", CurrentExceptionText());
    return Now(admin::RestError(500, "UNKNOWN_EXCEPTION", message));
  }
}

}  // namespace omni
