// RequestHandler: what the transport calls for each request, on one of the server's threads (the
// one that read the request). A handler answers
// with a response at once, or asks for the request to be parked: "answer when something is
// published on channel C after position N, or after T", without holding a worker meanwhile. The
// transport knows nothing of what a handler serves (SOAP, pages, long-polls); a handler knows
// nothing of sockets.
//
// Thread-safety: Handle() is called from many threads at once and must be thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "server/transport/http_message.h"

namespace omni {

// Why a parked request is being answered.
enum class WakeReason { kPublished, kTimedOut, kShutdown };

struct ParkRequest {
  std::string channel;     // e.g. "changes:<orgId>"
  std::int64_t after = 0;  // wake for a publication of a position greater than this
  std::chrono::milliseconds timeout{0};
  // Builds the answer once the request wakes; runs on one of the server's threads.
  std::function<HttpResponse(WakeReason)> finish;
};

struct HandlerResult {
  HttpResponse response;            // the answer, unless park is set
  std::optional<ParkRequest> park;  // set: park the request instead of answering now
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual HandlerResult Handle(const HttpRequest& request) = 0;
};

}  // namespace omni
