#include "server/admin/admin_http.h"

#include "server/core/json_text.h"

namespace omni::admin {

HttpResponse JsonAnswer(int status, std::string body) {
  return HttpResponse::Of(status, "application/json;charset=UTF-8", std::move(body));
}

HttpResponse RestError(int status, const std::string& error_code, const std::string& message) {
  return JsonAnswer(status, "[{\"message\":" + JsonString(message) +
                                ",\"errorCode\":" + JsonString(error_code) + "}]\n");
}

Outcome<CallContext> Caller(SessionService& sessions, const HttpRequest& req,
                            HttpResponse* refusal) {
  auto ctx =
      sessions.Resolve(SessionService::SessionIdOfAuthorization(req.Header("Authorization")));
  if (ctx.fault) *refusal = RestError(401, "INVALID_SESSION_ID", "Session expired or invalid");
  return ctx;
}

}  // namespace omni::admin
