// StoreEventSource: the EventSource (server/streaming/event_source.h) over the change log in
// storage and the org's emulator clock: events derived on read with a TopicSet, 24 hours of
// them retained on the org's clock.
// Thread-safety: thread-safe (each call is a few short reads on the Store).
#pragma once

#include <cstdint>

#include "server/clock/org_clock.h"
#include "server/streaming/event_source.h"
#include "storage/store.h"

namespace omni::streaming {

// How long an event is retained, on its org's clock (Salesforce: 24 hours for PushTopic events).
constexpr std::int64_t kRetentionMs = 24LL * 3600 * 1000;

class StoreEventSource : public EventSource {
 public:
  StoreEventSource(storage::Store* store, OrgClock* clock) : store_(store), clock_(clock) {}
  EventPage After(const std::string& org, std::int64_t after, int max_changes) override;
  StreamBounds Bounds(const std::string& org) override;
  bool TopicExists(const std::string& org, const std::string& name) override;

 private:
  storage::Store* store_;
  OrgClock* clock_;
};

}  // namespace omni::streaming
