// StreamHub: this process's Streaming API state: the Bayeux clients it handshook, their
// subscriptions with the replay position each has reached, and, per org with a subscriber, a
// live tail of the newest events. The tail is derived once per process from each committed
// change (whatever process committed it: the ChangeNotifier's wake-ups), on the hub's own
// thread, so a thousand subscribers cost one derivation, and a change that matches no one's
// topic wakes no one. A subscriber behind the tail (a replay) reads its events from the
// EventSource instead; both derive the same events, so the two paths agree event for event.
//
// A client's pending events are handed out by Collect(), which advances its positions; the
// Bayeux endpoint parks a /meta/connect on WakeChannel(client) after the client's wake sequence
// and the hub publishes the next sequence number there when an event for it arrives.
//
// LIMITATIONS: clients live in the memory of the process that handshook them, as a Salesforce
// app server's do; a restarted process answers their next request with 403::Unknown client and
// the client handshakes again (and, with the replay extension, resumes from its replayId).
//
// Thread-safety: thread-safe; mu_ guards clients_, by_org_ and every OrgLive's tail and through
// (the hub thread alone mutates an OrgLive's topics). The wake callback is called without mu_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/streaming/event_source.h"
#include "server/streaming/topic_set.h"
#include "storage/store.h"

namespace omni::streaming {

class StreamHub {
 public:
  // wake(channel, position): the transport's ParkingLot publication; forget(channel): the
  // channel of a client that is gone (ParkingLot::Forget).
  using Wake = std::function<void(const std::string& channel, std::int64_t position)>;
  using Forget = std::function<void(const std::string& channel)>;
  // Neither is owned; both outlive the hub.
  StreamHub(storage::Store* store, EventSource* source, Wake wake, Forget forget);
  ~StreamHub();  // Stop()
  // Stops and joins the hub's thread: no wake callback runs after it returns. Idempotent.
  void Stop();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // The change notifier's wake-ups (quick, never block on the database).
  void OnChange(const std::string& org, std::int64_t position);
  void OnReconnected();  // notifications may have been lost: every live org re-reads

  // A new client of (org, user); answers its clientId.
  std::string AddClient(const std::string& org, const std::string& user);
  // The client's org, or nullopt when this process does not know the client.
  std::optional<std::string> OrgOf(const std::string& client_id);
  void RemoveClient(const std::string& client_id);

  // Subscribes to `channel` from `replay` (-1: new events; -2: every retained event; N: the
  // events after N). Answers the Streaming API's error text, or nullopt. Reads the database.
  std::optional<std::string> Subscribe(const std::string& client_id, const std::string& channel,
                                       std::int64_t replay);
  void Unsubscribe(const std::string& client_id, const std::string& channel);

  struct Poll {
    bool known = false;               // false: the client is unknown (expired, or another process)
    std::vector<StreamEvent> events;  // in replay order
    std::int64_t wake_seq = 0;        // park after this to be woken by the next event
  };
  // The client's pending events (at most about max_events), which it then has seen.
  Poll Collect(const std::string& client_id, std::size_t max_events);
  // Marks the client as waiting in a parked /meta/connect (not expired meanwhile) or not.
  void SetParked(const std::string& client_id, bool parked);
  // Forgets clients idle (no request, not parked) for longer than idle_ms, and those parked for
  // longer than parked_ms (a long-poll whose socket closed never comes back to say so); and the
  // live state of orgs left without clients.
  void ExpireIdle(std::int64_t idle_ms, std::int64_t parked_ms);

  std::size_t clients() const;
  static std::string WakeChannel(const std::string& client_id) { return "bayeux:" + client_id; }

 private:
  struct OrgLive {
    explicit OrgLive(TopicSet t) : topics(std::move(t)) {}
    TopicSet topics;             // as of `through` (hub thread only)
    std::int64_t through = 0;    // every change up to here is derived
    std::int64_t tail_from = 0;  // the tail holds every event in (tail_from, through]
    std::deque<StreamEvent> tail;
  };
  struct Client {
    std::string id, org, user;
    std::map<std::string, std::int64_t> subs;  // channel -> the replay position reached
    std::int64_t wake_seq = 0;
    std::int64_t last_seen_ms = 0;
    bool parked = false;
  };
  void Run();
  void Derive(const std::string& org);
  // Takes a client out of by_org_ (mu_ held); the caller erases it from clients_.
  void DetachLocked(const Client& c);
  // The org's live state, created at the current head when it has none (reads the database).
  std::shared_ptr<OrgLive> EnsureLive(const std::string& org);

  storage::Store* store_;
  EventSource* source_;
  Wake wake_;
  Forget forget_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::set<std::string> dirty_;  // orgs with changes announced and not derived yet
  std::map<std::string, std::shared_ptr<Client>> clients_;
  std::map<std::string, std::set<std::string>> by_org_;  // org -> client ids
  std::map<std::string, std::shared_ptr<OrgLive>> live_;
  std::thread thread_;
};

}  // namespace omni::streaming
