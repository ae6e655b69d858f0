// ChangesEndpoint: GET /_emulator/changes, a long-poll over the org's committed change log, and
// the first user of parked requests (the presence event long-poll and CometD's /meta/connect will
// be built the same way). A client passes the position it has seen; it is answered at once when
// later changes are committed, otherwise it is parked (holding no worker) until a commit in any
// server process is announced on its org's channel, or until its time-out.
//
//   GET /_emulator/changes?after=<position>&timeout=<seconds>&limit=<n>
//   Authorization: Bearer <sessionId>          (as Salesforce's REST API takes a session)
//
// 200 with {"position": P, "changes": [{"position", "kind", "object", "id", "userId",
// "committedAt", "before", "after"}, ...]}: the changes after `after` in commit order, at most
// `limit` (default 100, at most 2000), P the last position returned (or `after` when none).
// Without `after` the client waits for changes after the current head. timeout defaults to 30 s,
// at most 120 s. 401 with Salesforce's REST error body for a missing or ended session; 400 for
// parameters that are not numbers. A request still parked when the server stops is answered with
// what there is (usually nothing).
//
// Thread-safety: Handle() from any number of worker threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/sessions/session_service.h"
#include "server/transport/handler.h"

namespace omni {

// One committed change as this endpoint shows it; images are JSON objects (or "null").
struct ChangeView {
  std::int64_t position = 0;
  std::string kind;  // "created", "updated", "deleted", "undeleted"
  std::string object, record_id, user_id, committed_at;
  std::string before_json = "null", after_json = "null";
};

// Where the committed changes are read from (the change log in storage).
class ChangeSource {
 public:
  virtual ~ChangeSource() = default;
  virtual std::vector<ChangeView> After(const std::string& org, std::int64_t after,
                                        std::size_t limit) = 0;
  virtual std::int64_t Head(const std::string& org) = 0;
};

// The parking channel of an org's change log; the server publishes commit positions on it.
std::string ChangesChannel(const std::string& org_id);

class ChangesEndpoint {
 public:
  ChangesEndpoint(SessionService* sessions, ChangeSource* source)
      : sessions_(sessions), source_(source) {}
  HandlerResult Handle(const HttpRequest& request) const;

 private:
  SessionService* sessions_;
  ChangeSource* source_;
};

}  // namespace omni
