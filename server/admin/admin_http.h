// What the emulator's own endpoints (admin/) share: JSON answers, Salesforce REST's error body,
// and the caller's session taken from `Authorization: Bearer <sessionId>` (or `OAuth`, as
// Salesforce's REST API takes one). Thread-safety: stateless.
#pragma once

#include <string>

#include "server/core/outcome.h"
#include "server/sessions/session_service.h"
#include "server/transport/handler.h"

namespace omni::admin {

HttpResponse JsonAnswer(int status, std::string body);
// [{"message": ..., "errorCode": ...}] with `status`, as Salesforce's REST API answers errors.
HttpResponse RestError(int status, const std::string& error_code, const std::string& message);
// The caller's org and user, or the 401 answer for a missing, ended or expired session.
Outcome<CallContext> Caller(SessionService& sessions, const HttpRequest& req,
                            HttpResponse* refusal);

}  // namespace omni::admin
