#include "server/streaming/stream_hub.h"

#include <algorithm>
#include <chrono>

#include "server/core/unexpected.h"
#include "server/sessions/secure_random.h"
#include "server/streaming/bayeux_messages.h"

namespace omni::streaming {

namespace {

constexpr int kDeriveBatch = 1000;          // changes read per derivation step
constexpr int kCatchUpBatch = 2000;         // changes read per replay step
constexpr int kCatchUpSteps = 20;           // replay steps per Collect, at most
constexpr std::size_t kTailEvents = 20000;  // events kept in memory per org

// A Bayeux client id as Salesforce's look: 26 characters of [a-z0-9], from the kernel's
// random source (a client id is a capability: it must not be guessable).
std::string NewClientId() {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[26];
  std::string error;
  if (!SecureRandomBytes(bytes, sizeof bytes, &error)) throw std::runtime_error(error);
  std::string id;
  for (unsigned char b : bytes) id += kAlphabet[b % 36];
  return id;
}

// Client expiry runs on a steady clock: not the org's (a client's idleness is real time).
std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

StreamHub::StreamHub(storage::Store* store, EventSource* source, Wake wake, Forget forget)
    : store_(store), source_(source), wake_(std::move(wake)), forget_(std::move(forget)) {
  thread_ = std::thread([this] { Run(); });
}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StreamHub::OnChange(const std::string& org, std::int64_t) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!live_.count(org)) return;  // nobody here listens to this org
    dirty_.insert(org);
  }
  cv_.notify_one();
}

void StreamHub::OnReconnected() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [org, live] : live_) dirty_.insert(org);
  }
  cv_.notify_one();
}

void StreamHub::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !dirty_.empty(); });
    if (stop_) return;
    std::set<std::string> orgs;
    orgs.swap(dirty_);
    lock.unlock();
    bool failed = false;
    for (const auto& org : orgs) {
      try {
        Derive(org);
      } catch (...) {
        LogUnexpected("streaming event derivation", CurrentExceptionText());
        std::lock_guard<std::mutex> relock(mu_);
        dirty_.insert(org);
        failed = true;
      }
    }
    lock.lock();
    // The database is away: try again in a second rather than spin.
    if (failed) cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
  }
}

void StreamHub::Derive(const std::string& org) {
  std::shared_ptr<OrgLive> live;
  std::int64_t from = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(org);
    if (it == live_.end()) return;
    live = it->second;
    from = live->through;
  }
  auto changes = store_->ReadChangesAfter(org, from, kDeriveBatch);
  if (changes.empty()) return;
  std::vector<StreamEvent> events;
  for (const auto& ch : changes) live->topics.Apply(ch, &events);
  std::vector<std::pair<std::string, std::int64_t>> wakes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (changes.size() == static_cast<std::size_t>(kDeriveBatch)) dirty_.insert(org);
    auto it = live_.find(org);
    if (it == live_.end() || it->second != live) return;
    std::set<std::string> channels;
    for (auto& ev : events) {
      channels.insert(ev.channel);
      live->tail.push_back(std::move(ev));
    }
    live->through = changes.back().position;
    while (live->tail.size() > kTailEvents) {
      live->tail_from = live->tail.front().replay_id;
      live->tail.pop_front();
    }
    if (!channels.empty()) {
      for (const auto& id : by_org_[org]) {
        auto c = clients_.find(id);
        if (c == clients_.end()) continue;
        for (const auto& [channel, position] : c->second->subs) {
          if (channels.count(channel)) {
            wakes.emplace_back(WakeChannel(id), ++c->second->wake_seq);
            break;
          }
        }
      }
    }
  }
  for (const auto& [channel, seq] : wakes) wake_(channel, seq);
}

std::shared_ptr<StreamHub::OrgLive> StreamHub::EnsureLive(const std::string& org) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(org);
    if (it != live_.end()) return it->second;
  }
  std::int64_t head = store_->LastChangePosition(org);
  auto fresh = std::make_shared<OrgLive>(TopicSet::At(*store_, org, head));
  fresh->through = head;
  fresh->tail_from = head;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = live_.emplace(org, fresh);
    if (!inserted) return it->second;
    // Changes announced before the org was live were not derived: look once now.
    dirty_.insert(org);
  }
  cv_.notify_one();
  return fresh;
}

std::string StreamHub::AddClient(const std::string& org, const std::string& user) {
  auto c = std::make_shared<Client>();
  c->id = NewClientId();
  c->org = org;
  c->user = user;
  c->last_seen_ms = NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  clients_[c->id] = c;
  by_org_[org].insert(c->id);
  return c->id;
}

void StreamHub::DetachLocked(const Client& c) {
  auto org = by_org_.find(c.org);
  if (org == by_org_.end()) return;
  org->second.erase(c.id);
  if (org->second.empty()) by_org_.erase(org);
}

std::optional<std::string> StreamHub::OrgOf(const std::string& client_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return std::nullopt;
  it->second->last_seen_ms = NowMs();
  return it->second->org;
}

void StreamHub::RemoveClient(const std::string& client_id) {
  std::int64_t seq = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(client_id);
    if (it == clients_.end()) return;
    seq = ++it->second->wake_seq;
    DetachLocked(*it->second);
    clients_.erase(it);
  }
  // A /meta/connect of the client still parked answers now (with 403::Unknown client).
  wake_(WakeChannel(client_id), seq);
  forget_(WakeChannel(client_id));
}

std::optional<std::string> StreamHub::Subscribe(const std::string& client_id,
                                                const std::string& channel, std::int64_t replay) {
  if (channel.empty() || channel[0] != '/') {
    return std::string(kLeadingSlash);
  }
  auto org = OrgOf(client_id);
  if (!org) return std::string(kUnknownClient);
  static const std::string kTopic = "/topic/";
  if (channel.compare(0, kTopic.size(), kTopic) != 0 ||
      !source_->TopicExists(*org, channel.substr(kTopic.size()))) {
    return NoSuchChannelError(channel);
  }
  std::int64_t cursor = 0;
  if (replay == -1) {
    cursor = store_->LastChangePosition(*org);
  } else {
    StreamBounds b = source_->Bounds(*org);
    if (replay == -2) {
      cursor = b.floor;
    } else if (replay < b.floor || replay > b.tip) {
      return InvalidReplayError(std::to_string(replay));
    } else {
      cursor = replay;
    }
  }
  EnsureLive(*org);
  std::int64_t seq = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(client_id);
    if (it == clients_.end()) return std::string(kUnknownClient);
    it->second->subs[channel] = cursor;
    // A replay has events to hand out now: a /meta/connect parked before this subscribe (the
    // CometD client's long-poll runs beside it) answers with them rather than at its time-out.
    if (replay != -1) seq = ++it->second->wake_seq;
  }
  if (seq) wake_(WakeChannel(client_id), seq);
  return std::nullopt;
}

void StreamHub::Unsubscribe(const std::string& client_id, const std::string& channel) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(client_id);
  if (it != clients_.end()) it->second->subs.erase(channel);
}

StreamHub::Poll StreamHub::Collect(const std::string& client_id, std::size_t max_events) {
  Poll poll;
  std::string org;
  std::vector<std::pair<std::string, std::int64_t>> behind;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(client_id);
    if (it == clients_.end()) return poll;
    Client& c = *it->second;
    poll.known = true;
    poll.wake_seq = c.wake_seq;
    c.last_seen_ms = NowMs();
    org = c.org;
    auto live_it = live_.find(org);
    OrgLive* live = live_it == live_.end() ? nullptr : live_it->second.get();
    for (auto& [channel, cursor] : c.subs) {
      if (!live || cursor < live->tail_from) {
        behind.emplace_back(channel, cursor);
        continue;
      }
      auto first = std::upper_bound(
          live->tail.begin(), live->tail.end(), cursor,
          [](std::int64_t at, const StreamEvent& ev) { return at < ev.replay_id; });
      for (auto e = first; e != live->tail.end(); ++e) {
        if (e->channel == channel) poll.events.push_back(*e);
      }
      cursor = std::max(cursor, live->through);
    }
  }
  // Replays (and subscribers the tail has left behind) read from the change log.
  for (const auto& [channel, from] : behind) {
    std::int64_t at = from;
    for (int step = 0; step < kCatchUpSteps; ++step) {
      EventPage page = source_->After(org, at, kCatchUpBatch);
      bool found = false;
      for (auto& ev : page.events) {
        if (ev.channel != channel) continue;
        poll.events.push_back(std::move(ev));
        found = true;
      }
      if (page.through == at) break;
      at = page.through;
      if (found || poll.events.size() >= max_events) break;
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(client_id);
    if (it == clients_.end()) continue;
    auto sub = it->second->subs.find(channel);
    if (sub != it->second->subs.end() && sub->second == from) sub->second = at;
  }
  std::stable_sort(
      poll.events.begin(), poll.events.end(),
      [](const StreamEvent& a, const StreamEvent& b) { return a.replay_id < b.replay_id; });
  return poll;
}

void StreamHub::SetParked(const std::string& client_id, bool parked) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return;
  it->second->parked = parked;
  it->second->last_seen_ms = NowMs();
}

void StreamHub::ExpireIdle(std::int64_t idle_ms, std::int64_t parked_ms) {
  std::vector<std::string> gone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const std::int64_t now = NowMs();
    for (auto it = clients_.begin(); it != clients_.end();) {
      const Client& c = *it->second;
      if (now - c.last_seen_ms <= (c.parked ? parked_ms : idle_ms)) {
        ++it;
        continue;
      }
      DetachLocked(c);
      gone.push_back(c.id);
      it = clients_.erase(it);
    }
    for (auto it = live_.begin(); it != live_.end();) {
      if (by_org_.count(it->first)) {
        ++it;
      } else {
        it = live_.erase(it);
      }
    }
  }
  for (const auto& id : gone) forget_(WakeChannel(id));
}

std::size_t StreamHub::clients() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clients_.size();
}

}  // namespace omni::streaming
