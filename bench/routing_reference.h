// The routing benchmark's reference: the PostgreSQL writes the server issues for a routing,
// sent straight to the same cluster with libpqxx (prepared, as the server prepares them), into
// a reference org of their own so that the server never sees them. The statements are the
// server's, as PostgreSQL logs them for it (storage/pg_records.cpp, storage/pg_change_log.cpp):
// BEGIN; each record's INSERT (every column, NULL where unset) or locked read and UPDATE, each
// RETURNING the whole image (the expressions derived from the table's columns, as storage's
// ImageColumns derives them from the catalog); the org's writes (the listener's request, the
// engine's AgentWork and request update) each in a SAVEPOINT; autonumbers from their counter
// row; the org routing lock (pg_advisory_xact_lock) before a push; the call's one change-log
// statement (head bump, rows with before and after images, prune, NOTIFY); COMMIT. Ids and
// timestamps are made in-process, as the server makes them. Left out: the server's reads that
// write nothing (reference checks, the routing configuration, the engine's candidate agents
// and waiting requests), which is what the ratio shows along with HTTP, XML and the session.
//
//   RoutedCreate: what a Case create that is routed at once writes: the CaseNumber counter, the
//     Case, its PendingServiceRouting, the routing lock, the AgentWork Name counter, the
//     AgentWork, the request's locked read and IsPushed update, 4 changes.
//   PlainCreate: a Case create into a queue without routing: the counter, the Case, 1 change.
//   Routing: one push of a waiting item: the routing lock, the AgentWork (with its counter) and
//     the request's update, 2 changes.
//
// Thread-safety: one Reference per thread (it owns its connection).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace omni_bench {

class Reference {
 public:
  // `routing_lock`: take the org routing lock (an advisory transaction lock) before a push, as
  // the engine does (routing_engine.h).
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
