// Push time-out (presence_service.h RunPushTimeouts): Assigned AgentWork nobody answered within
// its PushTimeout becomes DeclinedOnPushTimeout, as the guide's third external-routing scenario
// describes. Each item is its own OrgWrites transaction as the agent: the agent's User row first
// (the order every presence change and external create takes), then the AgentWork with FOR
// UPDATE SKIP LOCKED, so that the sweeps of two processes, or a sweep and the agent's answer,
// never handle one item twice; the row is checked again once held.
#include "server/presence/presence_records.h"
#include "server/presence/presence_service.h"

namespace omni {

using presence::Obj;
using presence::Text;

namespace {

// Whether the work is Assigned with a push time-out that has passed at now_ms.
bool Due(const Record& work, std::int64_t now_ms) {
  if (Text(work, "Status") != "Assigned") return false;
  std::string timeout = Text(work, "PushTimeout");
  long long seconds = timeout.empty() ? 0 : std::stoll(timeout);
  auto assigned = presence::ParseTime(Text(work, "AssignedDateTime"));
  return seconds > 0 && assigned && *assigned + seconds * 1000 <= now_ms;
}

}  // namespace

int PresenceService::RunPushTimeouts(const std::string& org_id, std::int64_t now_ms) {
  // The candidates, read without locks (a stale one is checked again below).
  std::vector<std::pair<std::string, std::string>> due;  // work Id, agent
  writes_->Run(CallContext{org_id, ""}, [&](OrgTx& tx) {
    for (const auto& w : tx.FindBy(Obj(tx, "AgentWork"), "Status", "Assigned")) {
      if (Due(w, now_ms)) due.emplace_back(Text(w, "Id"), Text(w, "UserId"));
    }
    return false;
  });
  int timed_out = 0;
  for (const auto& [work_id, user_id] : due) {
    // LIMITATIONS: the org's automated process changes these records; here the agent does.
    auto run = writes_->Run(CallContext{org_id, user_id}, [&](OrgTx& tx) {
      if (!tx.Lock(Obj(tx, "User"), user_id)) return false;
      auto work = tx.TryLock(Obj(tx, "AgentWork"), work_id);
      if (!work || !Due(*work, now_ms)) return false;  // answered, or another sweep has it
      auto config = presence::AgentConfig(tx, user_id);
      PresenceAnswer a;
      return presence::Decline(
          tx, user_id, *work, config ? *config : Record(),
          {"DeclinedOnPushTimeout", "PushTimeoutDateTime", "", "PresenceStatusOnPushTimeoutId"},
          &a);
    });
    if (run.value) ++timed_out;
  }
  return timed_out;
}

}  // namespace omni
