// The routing benchmark's view of the server: partner API calls (login, create, query, COUNT(),
// setPassword) and the presence service's console methods, over one keep-alive connection, as
// any SOAP client makes them; and Setup, which builds the benchmark's org through those calls
// only (a Case channel, an Online status carrying it, a LeastActive and a MostAvailable queue,
// a queue without routing, agents with a presence configuration and a password, members of both
// routed queues). Failures throw std::runtime_error with the server's answer.
//
// Thread-safety: a SoapClient is one connection for one thread; Setup runs its own threads.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "bench/soap_client.h"

namespace omni_bench {

using Fields = std::vector<std::pair<std::string, std::string>>;
struct SObj {
  std::string type;
  Fields fields;
};

struct LoginInfo {
  std::string session, user_id, org_id, profile_id;
};

class SoapClient {
 public:
  explicit SoapClient(int port) : http_(port, 120) {}

  LoginInfo Login(const std::string& username, const std::string& password);
  // Creates the records (at most 200) and answers their Ids; any failed record throws.
  std::vector<std::string> Create(const std::string& session, const std::vector<SObj>& recs);
  void Update(const std::string& session, const std::vector<SObj>& recs);  // each has an Id
  std::string Query(const std::string& session, const std::string& soql);
  // A query's answer and every queryMore page after it, concatenated.
  std::string QueryAll(const std::string& session, const std::string& soql);
  long Count(const std::string& session, const std::string& soql);  // SELECT COUNT() ...
  void SetPassword(const std::string& session, const std::string& user_id,
                   const std::string& password);
  // A presence console method (<pr:op>inner</pr:op>) as the session's agent: the answer; a
  // fault throws, success=false is the caller's to read.
  std::string Presence(const std::string& session, const std::string& op,
                       const std::string& inner = "");
  // As Presence, and success=false throws too.
  std::string PresenceOk(const std::string& session, const std::string& op,
                         const std::string& inner = "");

 private:
  std::string Partner(const std::string& session, const std::string& body);
  Http http_;
};

struct Agent {
  std::string user_id, username, session;
};

struct BenchOrg {
  LoginInfo admin;
  std::string channel_id, online_status_id, config_id;
  std::string least_active_queue, most_available_queue, plain_queue;
  // A LeastActive queue whose one member is agents[0]: whose work a parked getEvents awaits.
  std::string solo_queue;
  std::vector<Agent> agents;  // logged in to the partner API, not yet to Omni-Channel
};

// Builds the org for `agents` agents of capacity `capacity` (work weighs 1), making the calls
// from `clients` connections at once; `tag` makes every name of this run unique.
BenchOrg Setup(int port, int agents, int capacity, int clients, const std::string& tag);

// Runs fn(client, index) for index in [0, n) on `clients` threads (index % clients == client),
// each with its own connection; the first failure is rethrown after every thread ended.
void ForEachParallel(int port, int clients, int n, const std::function<void(SoapClient&, int)>& fn);

}  // namespace omni_bench
