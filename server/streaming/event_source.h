// The Streaming API's retained PushTopic events, as the Bayeux server reads them. The events are
// derived from the committed change log by the EventDeriver (server/streaming/event_deriver) and
// kept in storage (omni_stream_events) for 24 hours on the org's emulator clock.
//
// Replay ids are change-log positions: the event of the change at position P has replayId P on
// every channel whose topic it matches. So they increase in commit order, are unique per org and
// channel, and are not contiguous on a channel (as Salesforce's are not).
//
// Thread-safety: implementations are thread-safe (each call is its own short transaction).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace omni::streaming {

// One retained event on one channel.
struct StreamEvent {
  std::int64_t replay_id = 0;
  std::string channel;       // "/topic/<PushTopic Name>"
  std::string type;          // "created", "updated", "deleted", "undeleted"
  std::string created_date;  // "2026-12-02T09:00:00.000Z", the emulator clock at derivation
  std::string sobject_json;  // the event's sobject object (MatchChange's JSON)
};

// What an org's retained events cover: every event with floor < replayId <= tip is retained.
// tip is the change-log position through which events have been derived (replay -1 starts
// there); floor is the highest replay id retention has deleted (0 before any deletion).
struct StreamBounds {
  std::int64_t floor = 0;
  std::int64_t tip = 0;
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // The org's retained events with replayId > after, in replay order, at most limit; every
  // channel of the org. A caller filters by channel.
  virtual std::vector<StreamEvent> After(const std::string& org, std::int64_t after,
                                         std::size_t limit) = 0;
  virtual StreamBounds Bounds(const std::string& org) = 0;
  // Whether the org has a PushTopic (deleted ones excluded) named `name` (case as stored;
  // Salesforce's channel names are case-sensitive).
  virtual bool TopicExists(const std::string& org, const std::string& name) = 0;
};

}  // namespace omni::streaming
