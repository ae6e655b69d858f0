// The Streaming API's PushTopic events, as the Bayeux server reads them. Events are not stored
// apart: they are a function of the committed change log (storage/change_log.h), derived by
// TopicSet (server/streaming/topic_set.h) from each change and the org's PushTopics as they
// stood at that change. So every process over one database derives the same events with the
// same replay ids, an event exists exactly when its change committed, and events survive a
// restart as the change log does.
//
// Replay ids are change-log positions: the event of the change at position P has replayId P on
// every channel whose topic it matches. So they increase in commit order, are unique per org and
// channel, and are not contiguous on a channel (as Salesforce's are not).
//
// Retention: an event is retained for 24 hours of its org's emulator clock (its createdDate is
// its record's SystemModstamp). LIMITATIONS: the change log's own retention
// (--change-log-retention, the newest 100,000 changes of an org by default) bounds the events
// too; a real org keeps 24 hours of PushTopic events whatever their number.
//
// Thread-safety: implementations are thread-safe (each call is its own short reads).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace omni::streaming {

// One event on one channel.
struct StreamEvent {
  std::int64_t replay_id = 0;
  std::string channel;       // "/topic/<PushTopic Name>"
  std::string type;          // "created", "updated", "deleted", "undeleted"
  std::string created_date;  // "2026-12-02T09:00:00.000Z", the change's time on the org's clock
  std::string sobject_json;  // the event's sobject object (MatchChange's JSON)
};

// What an org's retained events cover: every event with floor < replayId <= tip is retained.
// tip is the newest change-log position (replay -1 starts there); floor is the position below
// which events are no longer retained (0 while everything is).
struct StreamBounds {
  std::int64_t floor = 0;
  std::int64_t tip = 0;
};

// Events of changes after one position: `through` is the last change-log position examined
// (events or not), so a reader resumes after it.
struct EventPage {
  std::vector<StreamEvent> events;
  std::int64_t through = 0;
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // The org's events with replayId > after, in replay order, of at most `max_changes` changes
  // examined; every channel of the org. A caller filters by channel.
  virtual EventPage After(const std::string& org, std::int64_t after, int max_changes) = 0;
  virtual StreamBounds Bounds(const std::string& org) = 0;
  // Whether the org has a PushTopic (deleted ones excluded) named `name` (Salesforce's channel
  // names are case-sensitive).
  virtual bool TopicExists(const std::string& org, const std::string& name) = 0;
};

}  // namespace omni::streaming
