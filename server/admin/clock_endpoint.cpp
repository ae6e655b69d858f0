#include "server/admin/clock_endpoint.h"

#include <cmath>
#include <cstdlib>

#include "server/core/clock.h"
#include "server/core/json_text.h"
#include "server/core/unexpected.h"

namespace omni {

namespace {

HandlerResult Json(int status, std::string body) {
  return HandlerResult{HttpResponse::Of(status, "application/json;charset=UTF-8", std::move(body)),
                       std::nullopt};
}

HandlerResult BadRequest(const std::string& message) {
  return Json(400, "[{\"message\":" + JsonString(message) + ",\"errorCode\":\"INVALID_FIELD\"}]\n");
}

std::string View(const std::string& org, const OrgClock::View& v) {
  return "{\"orgId\":" + JsonString(org) + ",\"now\":" + JsonString(Clock::Format(v.now)) +
         ",\"nowMillis\":" + std::to_string(v.now) +
         ",\"frozen\":" + (v.frozen ? "true" : "false") + "}\n";
}

}  // namespace

HandlerResult ClockEndpoint::Handle(const HttpRequest& req) const {
  std::string auth = req.Header("Authorization");
  std::string session;
  for (const char* scheme : {"Bearer ", "OAuth "}) {
    if (auth.rfind(scheme, 0) == 0) session = auth.substr(std::string(scheme).size());
  }
  auto ctx = sessions_->Resolve(session);
  if (ctx.fault) {
    return Json(
        401,
        "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]\n");
  }
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
    return Json(200, View(org, v));
  } catch (const std::exception& e) {
    return Json(500, "[{\"message\":" + JsonString(UnexpectedFault("clock", e.what()).message) +
                         ",\"errorCode\":\"UNKNOWN_EXCEPTION\"}]\n");
  }
}

}  // namespace omni
