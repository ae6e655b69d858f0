#include "server/streaming/topic_set.h"

#include <set>

#include "server/core/clock.h"

namespace omni::streaming {

namespace {

constexpr const char* kPushTopic = "PushTopic";
constexpr int kHistoryLimit = 1000000;  // PushTopic changes are few; this bounds a hostile log

std::time_t SecondsOf(const std::string& time) {
  auto ms = Clock::Parse(time);
  return static_cast<std::time_t>(ms ? *ms / 1000 : Clock::NowMillis() / 1000);
}

std::optional<Record> Image(const std::string& object, const std::optional<std::string>& json) {
  if (!json) return std::nullopt;
  return ImageFromJson(object, *json);
}

// The time of a change on its org's clock: its record's SystemModstamp (every write stamps it
// from the org's clock), or its commit time for an image without one.
std::string ChangeTime(const storage::CommittedChange& change, const std::optional<Record>& after) {
  if (after) {
    if (auto* v = after->Find("SystemModstamp"); v && *v && !(*v)->empty()) return **v;
  }
  return change.committed_at;
}

}  // namespace

TopicSet TopicSet::At(storage::Store& store, const std::string& org, std::int64_t at) {
  const Catalog& catalog = store.catalog();
  TopicSet set(&catalog);
  const ObjectDef* obj = catalog.FindObject(kPushTopic);
  if (!obj) return set;
  std::vector<Record> rows;
  {
    auto tx = store.BeginReadOnly();
    rows = tx->records().SelectWhere(org, *obj, RowSelect());
  }
  auto later = store.ReadObjectChangesAfter(org, kPushTopic, at, kHistoryLimit);
  std::map<std::string, Record> state;
  for (auto& row : rows) {
    auto* id = row.Find("Id");
    if (id && *id) state[**id] = std::move(row);
  }
  std::set<std::string> undone;
  for (const auto& ch : later) {
    if (!undone.insert(ch.record_id).second) continue;
    if (ch.kind == storage::ChangeKind::kCreated || ch.kind == storage::ChangeKind::kUndeleted) {
      state.erase(ch.record_id);
    } else if (auto before = Image(kPushTopic, ch.before_json)) {
      state[ch.record_id] = std::move(*before);
    }
  }
  const std::string now = Clock::NowText();
  for (const auto& [id, row] : state) set.Put(row, now);
  return set;
}

void TopicSet::Put(const Record& row, const std::string& now) {
  Entry e;
  e.row = row;
  // A topic stored before a catalog change may no longer compile: it then has no events.
  e.compiled = !TopicFromRecord(*catalog_, row, SecondsOf(now), &e.topic);
  auto* id = row.Find("Id");
  if (id && *id) topics_[**id] = std::move(e);
}

void TopicSet::Apply(const storage::CommittedChange& ch, std::vector<StreamEvent>* out) {
  if (ch.object != kPushTopic && topics_.empty()) return;
  auto after = Image(ch.object, ch.after_json);
  const std::string time = ChangeTime(ch, after);
  if (ch.object == kPushTopic) {
    if (ch.kind == storage::ChangeKind::kDeleted) {
      topics_.erase(ch.record_id);
    } else if (after) {
      Put(*after, time);
    }
    return;
  }
  if (!after) return;
  auto before = Image(ch.object, ch.before_json);
  Change change;
  change.kind = ch.kind;
  change.object = ch.object;
  change.before = before ? &*before : nullptr;
  change.after = &*after;
  for (auto& [id, e] : topics_) {
    if (!e.compiled || !e.topic.query.object || e.topic.query.object->name != ch.object) continue;
    // Date literals (TODAY, LAST_N_DAYS:n) are relative to the change's own time.
    if (UsesDateLiterals(e.topic.query)) {
      e.compiled = !TopicFromRecord(*catalog_, e.row, SecondsOf(time), &e.topic);
      if (!e.compiled) continue;
    }
    auto sobject = MatchChange(e.topic, change);
    if (!sobject) continue;
    StreamEvent ev;
    ev.replay_id = ch.position;
    ev.channel = "/topic/" + e.topic.name;
    ev.type = storage::ChangeKindName(ch.kind);
    ev.created_date = time;
    ev.sobject_json = std::move(*sobject);
    out->push_back(std::move(ev));
  }
}

}  // namespace omni::streaming
