// The agent's events (presence_service.h), derived from the committed change log: its
// UserServicePresence and AgentWork changes, named and shaped as the guide's Lightning events.
//
// One status change is one transaction that ends the current UserServicePresence and creates
// the next one of the same Live Agent session (Name, M2); a transaction's changes have
// consecutive positions (storage/pg_change_log.cpp), though listeners may write between the two.
// So a created current record is a status change when the agent's nearest earlier presence
// change is the end of a record of the same session (else a login), and an ended record is a
// logout unless the agent's nearest later presence change creates one of the same session.
//
// LIMITATIONS: a status change's statusName, statusApiName and channels are read when the event is
// delivered (the status as it is then), not as they were at the change; omniChannelWorkloadChanged
// comes only from AgentWork changes (not from a capacity or configuration change, nor from going
// offline); the two halves of a status change are looked for at most kNeighbourhood changes
// apart.
#include <algorithm>
#include <cstdlib>
#include <map>

#include "server/core/json_text.h"
#include "server/presence/presence_records.h"
#include "server/presence/presence_service.h"

namespace omni {

using presence::Text;

namespace {

// How far before and after a page of changes to look for the other half of a status change:
// far more than the listener writes one transaction makes between its two presence writes.
constexpr std::size_t kNeighbourhood = 64;

// A change-log image (a flat JSON object, storage/change_log.h) as a Record; an image that does
// not read (never written by the emulator) as an empty one.
Record ParseImage(const std::optional<std::string>& json) {
  Record rec;
  if (!json) return rec;
  if (auto fields = ParseFlatJsonObject(*json)) {
    for (auto& [name, value] : *fields) rec.Set(name, std::move(value));
  }
  return rec;
}

struct Change {
  const storage::CommittedChange* raw;
  Record before, after;
  bool presence;  // UserServicePresence, else AgentWork
};

bool Current(const Record& r) { return Text(r, "IsCurrentState") == "true"; }

// The agent's presence and work changes among `changes`.
std::vector<Change> Mine(const std::vector<storage::CommittedChange>& changes,
                         const std::string& user_id) {
  std::vector<Change> out;
  for (const auto& c : changes) {
    bool presence = c.object == "UserServicePresence";
    if (!presence && c.object != "AgentWork") continue;
    Change m{&c, ParseImage(c.before_json), ParseImage(c.after_json), presence};
    if (Text(m.after, "UserId") != user_id && Text(m.before, "UserId") != user_id) continue;
    out.push_back(std::move(m));
  }
  return out;
}

bool IsEnd(const Change& c) {
  return c.presence && c.raw->kind == storage::ChangeKind::kUpdated && Current(c.before) &&
         !Current(c.after);
}
bool IsStart(const Change& c) {
  return c.presence && c.raw->kind == storage::ChangeKind::kCreated && Current(c.after);
}

// The capacity a work item takes in one image (none when absent, or not Assigned nor Opened).
double WeightOf(const Record& work, double capacity) {
  const Value* status = work.Find("Status");
  return status && presence::IsOpenStatus(*status) ? presence::WorkWeight(work, capacity) : 0;
}

}  // namespace

Outcome<EventsAnswer> PresenceService::EventsAfter(const CallContext& ctx,
                                                   std::optional<std::int64_t> after_in,
                                                   std::size_t limit) {
  EventsAnswer answer;
  auto run = writes_->Run(ctx, [&](OrgTx& tx) {
    const std::string& org = ctx.org_id;
    std::int64_t after = after_in ? *after_in : store_->LastChangePosition(org);
    auto page = store_->ReadChangesAfter(org, after, static_cast<int>(limit));
    answer.success = true;
    answer.sequence = page.empty() ? after : page.back().position;
    auto mine = Mine(page, ctx.user_id);
    if (mine.empty()) return false;
    std::int64_t from =
        std::max<std::int64_t>(0, after - static_cast<std::int64_t>(kNeighbourhood));
    std::vector<storage::CommittedChange> behind_raw;
    if (after > from)
      behind_raw = store_->ReadChangesAfter(org, from, static_cast<int>(after - from));
    auto ahead_raw =
        store_->ReadChangesAfter(org, answer.sequence, static_cast<int>(kNeighbourhood));
    auto behind = Mine(behind_raw, ctx.user_id), ahead = Mine(ahead_raw, ctx.user_id);
    std::vector<const Change*> all;
    for (const auto& c : behind) all.push_back(&c);
    for (const auto& c : mine) all.push_back(&c);
    for (const auto& c : ahead) all.push_back(&c);
    auto config = presence::AgentConfig(tx, ctx.user_id);
    double capacity = config ? presence::ConfiguredCapacity(*config) : 0;
    // The agent's workload after each of its work changes: today's, minus what every later
    // work change (up to the head) added.
    double workload_now = 0;
    for (const auto& w : presence::OpenWork(tx, ctx.user_id)) {
      workload_now += presence::WorkWeight(w, capacity);
    }
    std::map<std::int64_t, double> delta;  // position -> workload change
    std::int64_t first_work = -1;
    for (const auto& c : mine) {
      if (!c.presence && first_work < 0) first_work = c.raw->position;
    }
    if (first_work >= 0) {
      for (std::int64_t at = first_work - 1;;) {
        auto chunk = store_->ReadChangesAfter(org, at, 1000);
        if (chunk.empty()) break;
        for (const auto& c : Mine(chunk, ctx.user_id)) {
          if (c.presence) continue;
          double d = WeightOf(c.after, capacity) - WeightOf(c.before, capacity);
          delta[c.raw->position] = d;
        }
        at = chunk.back().position;
      }
    }
    auto workload_after = [&](std::int64_t position) {
      double sum = workload_now;
      for (auto it = delta.upper_bound(position); it != delta.end(); ++it) sum -= it->second;
      return sum;
    };
    const size_t first = behind.size();
    for (size_t i = first; i < first + mine.size(); ++i) {
      const Change& c = *all[i];
      PresenceEvent e;
      e.sequence = c.raw->position;
      e.created_date = Text(c.after, "LastModifiedDate");
      if (e.created_date.empty()) e.created_date = c.raw->committed_at;
      if (c.presence) {
        if (IsStart(c)) {
          const Change* prev = nullptr;
          for (size_t j = i; j-- > 0;) {
            if (all[j]->presence) {
              prev = all[j];
              break;
            }
          }
          bool status_change =
              prev && IsEnd(*prev) && Text(prev->before, "Name") == Text(c.after, "Name");
          std::string status_id = Text(c.after, "ServicePresenceStatusId");
          e.status_id = status_id;
          if (status_change) {
            e.type = "omniChannelStatusChanged";
            auto status = presence::FindStatus(tx, status_id);
            if (status) {
              e.status_name = Text(*status, "MasterLabel");
              e.status_api_name = Text(*status, "DeveloperName");
            }
            e.channels = presence::StatusChannels(tx, status_id);
          } else {
            e.type = "omniChannelLoginSuccess";
          }
          answer.events.push_back(std::move(e));
        } else if (IsEnd(c)) {
          const Change* next = nullptr;
          for (size_t j = i + 1; j < all.size(); ++j) {
            if (all[j]->presence) {
              next = all[j];
              break;
            }
          }
          if (!(next && IsStart(*next) && Text(next->after, "Name") == Text(c.before, "Name"))) {
            e.type = "omniChannelLogout";
            answer.events.push_back(std::move(e));
          }
        }
        continue;
      }
      // AgentWork
      const std::string before_status = Text(c.before, "Status"),
                        after_status = Text(c.after, "Status");
      e.work_id = c.raw->record_id;
      e.work_item_id = Text(c.after, "WorkItemId").empty() ? Text(c.before, "WorkItemId")
                                                           : Text(c.after, "WorkItemId");
      auto work_event = [&](const char* type) {
        PresenceEvent w = e;
        w.type = type;
        answer.events.push_back(std::move(w));
      };
      if (c.raw->kind == storage::ChangeKind::kCreated) {
        work_event("omniChannelWorkAssigned");
        if (after_status == "Opened") work_event("omniChannelWorkAccepted");
      } else if (c.raw->kind == storage::ChangeKind::kUpdated && before_status != after_status) {
        if (after_status == "Opened") work_event("omniChannelWorkAccepted");
        if (after_status == "Declined" || after_status == "DeclinedOnPushTimeout") {
          work_event("omniChannelWorkDeclined");
        }
        if (after_status == "Closed") work_event("omniChannelWorkClosed");
      }
      auto d = delta.find(c.raw->position);
      if (d != delta.end() && d->second != 0) {
        PresenceEvent w;
        w.sequence = e.sequence;
        w.created_date = e.created_date;
        w.type = "omniChannelWorkloadChanged";
        w.configured_capacity = capacity;
        w.new_workload = workload_after(c.raw->position);
        w.previous_workload = *w.new_workload - d->second;
        answer.events.push_back(std::move(w));
      }
    }
    return false;
  });
  if (run.fault) return Outcome<EventsAnswer>::Fail(*run.fault);
  Outcome<EventsAnswer> out;
  out.value = std::move(answer);
  return out;
}

}  // namespace omni
