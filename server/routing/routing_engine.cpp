#include "server/routing/routing_engine.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "server/core/clock.h"
#include "server/routing/agent_state.h"

namespace omni::routing {

namespace {

bool IsOpen(const std::string& status) { return status == "Assigned" || status == "Opened"; }

[[noreturn]] void Bug(const char* what, const Error& e) {
  throw std::runtime_error(std::string("routing engine: ") + what + " refused: " + e.message);
}

// What the transaction's changes ask of the engine.
struct Triggers {
  std::set<std::string> requests;         // PendingServiceRoutings that may wait for an agent
  std::set<std::string> presence_agents;  // agents whose presence changed
  std::set<std::string> freed_agents;     // agents whose open work shrank
  bool empty() const { return requests.empty() && presence_agents.empty() && freed_agents.empty(); }
};

Triggers TriggersOf(const RoutingCatalog& rc, const std::vector<TxChange>& changes) {
  Triggers t;
  for (const auto& c : changes) {
    const Record* after = c.after ? &*c.after : nullptr;
    const Record* before = c.before ? &*c.before : nullptr;
    if (c.object == rc.psr) {
      if (after && c.kind != ChangeEvent::Kind::kDeleted && Str(*after, "IsPushed") == "false" &&
          IsEngineModel(Str(*after, "RoutingModel"))) {
        t.requests.insert(c.record_id);
      }
    } else if (c.object == rc.presence) {
      if (after) t.presence_agents.insert(Str(*after, "UserId"));
    } else if (c.object == rc.work) {
      const bool was_open = before && IsOpen(Str(*before, "Status"));
      const bool is_open =
          after && c.kind != ChangeEvent::Kind::kDeleted && IsOpen(Str(*after, "Status"));
      if (was_open && !is_open) t.freed_agents.insert(Str(*before, "UserId"));
    }
  }
  return t;
}

// A queue's waiting requests, a page at a time (Engine::FillAgents).
struct QueueCursor {
  std::string queue_id;
  std::vector<WorkRequest> page;
  size_t pos = 0;
  size_t skipped = 0;  // requests of the queue passed over (not pushed) so far
  bool done = false;   // no page after this one
};

class Engine {
 public:
  Engine(const RoutingCatalog& rc, RecordWriter& w) : rc_(rc), w_(w) {}

  // The agent's Assigned work on channels their presence no longer carries becomes
  // Unavailable, its request waiting again (added to *requests).
  void ReleaseUnavailable(const std::string& user_id, std::set<std::string>* requests);
  // Pushes the requests, in routing order, each to the agent its model chooses.
  void RouteRequests(const std::set<std::string>& ids);
  // Gives the agents waiting work of their queues while they have room.
  void FillAgents(const std::set<std::string>& user_ids);

 private:
  // Loads the agents not loaded yet; the loads then follow this transaction's pushes.
  void Load(const std::vector<std::string>& user_ids);
  void Refill(QueueCursor* c, const std::vector<std::string>& channels);
  bool Push(const WorkRequest& request, AgentLoad* agent);
  void AutoAccept(const std::string& work_id, const WorkRequest& request, const AgentLoad& agent,
                  const std::string& requested);
  std::string PushTimeoutOf(const std::string& queue_id);
  bool AutoAccepts(const std::string& user_id);
  bool ReadAutoAccept(const std::string& user_id);

  const RoutingCatalog& rc_;
  RecordWriter& w_;
  std::map<std::string, AgentLoad> agents_;           // online agents loaded so far
  std::set<std::string> loaded_;                      // every user asked about (online or not)
  std::map<std::string, std::string> push_timeouts_;  // queue -> its configuration's PushTimeout
  std::map<std::string, bool> auto_accept_;           // agent -> their configuration auto-accepts
};

void Engine::ReleaseUnavailable(const std::string& user_id, std::set<std::string>* requests) {
  RowSelect current;
  current.where = {Is(*rc_.presence, "UserId", user_id),
                   Is(*rc_.presence, "IsCurrentState", "true")};
  auto presence = w_.Select(*rc_.presence, current);
  std::set<std::string> channels;
  if (!presence.empty()) {
    channels = StatusChannels(rc_, w_, Str(presence[0], "ServicePresenceStatusId"));
  }
  RowSelect assigned;
  assigned.where = {Is(*rc_.work, "UserId", user_id), Is(*rc_.work, "Status", "Assigned")};
  for (const auto& work : w_.Select(*rc_.work, assigned)) {
    if (channels.count(Str(work, "ServiceChannelId"))) continue;
    const std::string work_id = Str(work, "Id");
    // Held by another transaction (the agent's own answer, a time-out): that one decides.
    auto held = w_.TryRead(*rc_.work, work_id);
    if (!held || Str(*held, "Status") != "Assigned") continue;
    Record gone;
    gone.Set("Status", std::string("Unavailable"));
    Error e;
    if (!w_.UpdateAsOrg(*rc_.work, work_id, gone, &e)) Bug("making AgentWork Unavailable", e);
    const std::string psr_id = Str(work, "PendingServiceRoutingId");
    if (psr_id.empty()) continue;
    auto psr = w_.TryRead(*rc_.psr, psr_id);
    if (!psr) continue;
    Record again;
    again.Set("IsPushed", std::string("false"));
    if (!w_.UpdateAsOrg(*rc_.psr, psr_id, again, &e)) Bug("giving a request back", e);
    requests->insert(psr_id);
  }
}

void Engine::Load(const std::vector<std::string>& user_ids) {
  std::vector<std::string> unread;  // asked about for the first time in this transaction
  for (const auto& id : user_ids) {
    if (loaded_.insert(id).second) unread.push_back(id);
  }
  for (auto& [id, load] : LoadAgents(rc_, w_, unread)) agents_[id] = std::move(load);
}

void Engine::RouteRequests(const std::set<std::string>& ids) {
  if (ids.empty()) return;
  std::vector<WorkRequest> waiting =
      WaitingRequests(rc_, w_, {In(*rc_.psr, "Id", {ids.begin(), ids.end()})}, 0, 0);
  std::sort(waiting.begin(), waiting.end(), RoutesBefore);
  std::map<std::string, std::vector<std::string>> members;  // queue -> its Users
  for (const auto& request : waiting) {
    auto it = members.find(request.queue_id);
    if (it == members.end()) {
      it = members.emplace(request.queue_id, QueueMembers(rc_, w_, request.queue_id)).first;
      Load(it->second);
    }
    std::vector<const AgentLoad*> pool;
    for (const auto& user : it->second) {
      auto a = agents_.find(user);
      if (a != agents_.end()) pool.push_back(&a->second);
    }
    if (auto chosen = ChooseAgent(request, pool)) {
      Push(request, &agents_[pool[*chosen]->user_id]);
    }
  }
}

void Engine::FillAgents(const std::set<std::string>& user_ids) {
  Load({user_ids.begin(), user_ids.end()});
  for (const auto& user : user_ids) {
    auto a = agents_.find(user);
    if (a == agents_.end() || a->second.channels.empty()) continue;
    AgentLoad& agent = a->second;
    if (agent.used >= agent.capacity) continue;
    // One cursor per queue over its waiting requests in routing order (each page read from the
    // queue's index, storage/sql_text.cpp), merged: the agent takes the first of all.
    std::vector<QueueCursor> cursors;
    for (const auto& q : QueuesOf(rc_, w_, user))
      cursors.push_back(QueueCursor{q, {}, 0, 0, false});
    const std::vector<std::string> channels(agent.channels.begin(), agent.channels.end());
    while (agent.used < agent.capacity) {
      QueueCursor* next = nullptr;
      for (auto& c : cursors) {
        if (c.pos == c.page.size() && !c.done) Refill(&c, channels);
        if (c.pos == c.page.size()) continue;
        if (!next || RoutesBefore(c.page[c.pos], next->page[next->pos])) next = &c;
      }
      if (!next) break;
      const WorkRequest& request = next->page[next->pos++];
      // A pushed request leaves the selection; only the skipped ones move the next page.
      if (!Fits(request, agent) || !Push(request, &agent)) ++next->skipped;
    }
  }
}

void Engine::Refill(QueueCursor* c, const std::vector<std::string>& channels) {
  constexpr size_t kPage = 50;
  c->page = WaitingRequests(
      rc_, w_, {Is(*rc_.psr, "QueueId", c->queue_id), In(*rc_.psr, "ServiceChannelId", channels)},
      kPage, c->skipped);
  c->pos = 0;
  c->done = c->page.size() < kPage;
}

std::string Engine::PushTimeoutOf(const std::string& queue_id) {
  auto it = push_timeouts_.find(queue_id);
  if (it != push_timeouts_.end()) return it->second;
  return push_timeouts_[queue_id] = QueuePushTimeout(rc_, w_, queue_id);
}

bool Engine::AutoAccepts(const std::string& user_id) {
  auto known = auto_accept_.find(user_id);
  if (known != auto_accept_.end()) return known->second;
  return auto_accept_[user_id] = ReadAutoAccept(user_id);
}

bool Engine::ReadAutoAccept(const std::string& user_id) {
  auto config = AgentConfig(rc_, w_, user_id);
  return config && Str(*config, "OptionsIsAutoAcceptEnabled") == "true";
}

bool Engine::Push(const WorkRequest& request, AgentLoad* agent) {
  // Held by another transaction (a decline, the item leaving routing): that one routes it.
  auto psr = w_.TryRead(*rc_.psr, request.id);
  if (!psr || Str(*psr, "IsPushed") != "false") return false;
  const std::string& now = w_.Now();
  Record work;
  work.type = rc_.work->name;
  work.Set("UserId", agent->user_id);
  work.Set("WorkItemId", request.work_item_id);
  work.Set("ServiceChannelId", request.channel_id);
  work.Set("PendingServiceRoutingId", request.id);
  if (auto v = Text(*psr, "CapacityWeight")) work.Set("CapacityWeight", *v);
  if (auto v = Text(*psr, "CapacityPercentage")) work.Set("CapacityPercentage", *v);
  const std::string requested = RequestOf(*psr).requested;
  work.Set("RequestDateTime", requested);
  work.Set("AssignedDateTime", now);
  work.Set("OriginalQueueId", request.queue_id);
  work.Set("PushTimeout", PushTimeoutOf(request.queue_id));
  Error e;
  auto work_id = w_.CreateAsOrg(work, &e);
  if (!work_id) Bug("creating AgentWork", e);
  Record pushed;
  pushed.Set("IsPushed", std::string("true"));
  pushed.Set("IsPushAttempted", std::string("true"));
  if (!w_.UpdateAsOrg(*rc_.psr, request.id, pushed, &e)) Bug("pushing a request", e);
  Assign(request, agent, now);
  if (AutoAccepts(agent->user_id)) AutoAccept(*work_id, request, *agent, requested);
  return true;
}

void Engine::AutoAccept(const std::string& work_id, const WorkRequest& request,
                        const AgentLoad& agent, const std::string& requested) {
  const ObjectDef* item_obj = nullptr;
  for (const ObjectDef* obj : rc_.work_items) {
    if (request.work_item_id.compare(0, 3, obj->key_prefix) == 0) item_obj = obj;
  }
  // LIMITATIONS: work whose item another transaction holds stays Assigned for the agent.
  auto item = item_obj ? w_.TryRead(*item_obj, request.work_item_id) : std::nullopt;
  if (!item) return;
  const std::string& now = w_.Now();
  Record opened;
  opened.Set("Status", std::string("Opened"));
  opened.Set("AcceptDateTime", now);
  auto from = Clock::Parse(requested), to = Clock::Parse(now);
  if (from && to) opened.Set("SpeedToAnswer", std::to_string((*to - *from) / 1000));
  Error e;
  if (!w_.UpdateAsOrg(*rc_.work, work_id, opened, &e)) Bug("auto-accepting AgentWork", e);
  // The work item becomes the agent's, which takes it out of routing (its request is deleted,
  // as on an accept: pending_routing.h SyncPendingRouting).
  Record mine;
  mine.Set("OwnerId", agent.user_id);
  if (item_obj->name == "LiveChatTranscript" &&
      (Str(*item, "Status").empty() || Str(*item, "Status") == "Waiting")) {
    mine.Set("Status", std::string("InProgress"));
  }
  if (!w_.UpdateAsOrg(*item_obj, request.work_item_id, mine, &e)) Bug("giving the item", e);
}

}  // namespace

void RouteBeforeCommit(const RoutingCatalog& rc, const std::vector<TxChange>& changes,
                       RecordWriter& w) {
  Triggers t = TriggersOf(rc, changes);
  if (t.empty()) return;
  w.LockRouting();
  Engine engine(rc, w);
  for (const auto& agent : t.presence_agents) engine.ReleaseUnavailable(agent, &t.requests);
  engine.RouteRequests(t.requests);
  std::set<std::string> fill = t.presence_agents;
  fill.insert(t.freed_agents.begin(), t.freed_agents.end());
  engine.FillAgents(fill);
}

}  // namespace omni::routing
