#include "server/streaming/store_event_source.h"

#include "server/core/clock.h"
#include "server/streaming/topic_set.h"

namespace omni::streaming {

EventPage StoreEventSource::After(const std::string& org, std::int64_t after, int max_changes) {
  EventPage page;
  page.through = after;
  auto changes = store_->ReadChangesAfter(org, after, max_changes);
  if (changes.empty()) return page;
  TopicSet topics = TopicSet::At(*store_, org, after);
  for (const auto& ch : changes) {
    topics.Apply(ch, &page.events);
    page.through = ch.position;
  }
  return page;
}

StreamBounds StoreEventSource::Bounds(const std::string& org) {
  StreamBounds b;
  b.tip = store_->LastChangePosition(org);
  const std::string cutoff = Clock::Format(clock_->Now(org) - kRetentionMs);
  std::int64_t first = store_->FirstChangeSince(org, cutoff);
  b.floor = first > 0 ? first - 1 : b.tip;
  // Changes the change log's own retention deleted are gone with their events.
  std::int64_t oldest = store_->OldestChangePosition(org);
  if (oldest > 1 && oldest - 1 > b.floor) b.floor = oldest - 1;
  return b;
}

bool StoreEventSource::TopicExists(const std::string& org, const std::string& name) {
  const ObjectDef* obj = store_->catalog().FindObject("PushTopic");
  const FieldDef* field = obj ? obj->FindField("Name") : nullptr;
  if (!field) return false;
  auto tx = store_->BeginReadOnly();
  // FindIdsByValue compares as the field's unique index does (case-insensitively); channel names
  // are case-sensitive, so the holders' names are read back.
  auto ids = tx->records().FindIdsByValue(org, *obj, *field, name, false);
  if (ids.empty()) return false;
  for (const auto& row : tx->records().SelectByIds(org, *obj, ids, {field}, false)) {
    auto* v = row.Find("Name");
    if (v && *v && **v == name) return true;
  }
  return false;
}

}  // namespace omni::streaming
