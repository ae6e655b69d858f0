#include "server/admin/clock_endpoint.h"

#include <cmath>
#include <cstdlib>

#include "server/admin/admin_http.h"
#include "server/core/clock.h"
#include "server/core/json_text.h"
#include "server/core/unexpected.h"

namespace omni {

namespace {

HandlerResult Now(HttpResponse r) { return HandlerResult{std::move(r), std::nullopt}; }

HandlerResult BadRequest(const std::string& message) {
  return Now(admin::RestError(400, "INVALID_FIELD", message));
}

std::string View(const std::string& org, const OrgClock::View& v) {
  return "{\"orgId\":" + JsonString(org) + ",\"now\":" + JsonString(Clock::Format(v.now)) +
         ",\"nowMillis\":" + std::to_string(v.now) +
         ",\"frozen\":" + (v.frozen ? "true" : "false") + "}\n";
}

}  // namespace

HandlerResult ClockEndpoint::Handle(const HttpRequest& req) const {
  HttpResponse refused;
  auto ctx = admin::Caller(*sessions_, req, &refused);
  if (ctx.fault) return Now(std::move(refused));
  const std::string& org = ctx.value.org_id;
  if (req.method != "GET" && req.method != "POST") {
    return HandlerResult{HttpResponse::Text(405, "Method Not Allowed\n"), std::nullopt};
  }
  std::string frozen = req.QueryParam("frozen"), set = req.QueryParam("set"),
              advance = req.QueryParam("advance");
  // Everything is checked before anything moves: a bad request changes nothing.
  if (!frozen.empty() && frozen != "true" && frozen != "false") {
    return BadRequest("frozen must be true or false");
  }
  std::optional<std::int64_t> to;
  if (!set.empty() && !(to = Clock::Parse(set))) {
    return BadRequest("set must be a dateTime such as 2026-01-01T00:00:00.000Z");
  }
  double seconds = 0;
  if (!advance.empty()) {
    char* end = nullptr;
    seconds = std::strtod(advance.c_str(), &end);
    if (*end != '\0' || !std::isfinite(seconds) || seconds < 0 || seconds > 1e11) {
      return BadRequest("advance must be a number of seconds, 0 or more");
    }
  }
  try {
    OrgClock::View v = clock_->Read(org);
    if (req.method == "POST") {
      if (frozen == "true") v = clock_->Freeze(org);
      if (frozen == "false") v = clock_->Unfreeze(org);
      if (to) {
        auto moved = clock_->Set(org, *to);
        if (!moved) return BadRequest("the clock never goes back: " + set + " is before its now");
        v = *moved;
      }
      if (!advance.empty()) v = clock_->Advance(org, std::llround(seconds * 1000));
    }
    return Now(admin::JsonAnswer(200, View(org, v)));
  } catch (const std::exception& e) {
    return Now(
        admin::RestError(500, "UNKNOWN_EXCEPTION", UnexpectedFault("clock", e.what()).message));
  }
}

}  // namespace omni
