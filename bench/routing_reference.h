// The routing benchmark's reference: the PostgreSQL writes the server issues for a routing,
// sent straight to the same cluster with libpqxx (prepared, as the server prepares them), into
// a reference org of their own so that the server never sees them. The statements are the
// server's (storage/pg_records.cpp, storage/pg_change_log.cpp): BEGIN, each record's INSERT or
// UPDATE ... RETURNING its whole image (the image expressions derived from the table's columns,
// as storage's ImageColumns derives them from the catalog), the call's one change-log statement
// (head bump, rows with before and after images, prune, NOTIFY), COMMIT. Ids and timestamps are
// made in-process, as the server makes them.
//
//   RoutedCreate: what a Case create that is routed at once writes: the CaseNumber counter, the
//     Case, its PendingServiceRouting, the AgentWork, the request's IsPushed update, 4 changes.
//   PlainCreate: a Case create into a queue without routing: the counter, the Case, 1 change.
//   Routing: one push of a waiting item: the AgentWork and the request's update, 2 changes.
//
// Thread-safety: one Reference per thread (it owns its connection).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace omni_bench {

class Reference {
 public:
  // `routing_lock`: take the org routing lock (an advisory transaction lock) first, as the
  // server does before a push decision.
  Reference(const std::string& db_url, const std::string& user_id, bool routing_lock);
  ~Reference();

  void RoutedCreate();
  void PlainCreate();
  // Inserts n waiting PendingServiceRoutings (with their Cases) for Routing() to push.
  void Prepare(int n);
  void Routing();  // pushes the next prepared one; throws when none is left

  // Removes every row of the reference org.
  static void Cleanup(const std::string& db_url);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace omni_bench
