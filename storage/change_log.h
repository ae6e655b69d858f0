// The transactional change log: every record change (created, updated, deleted, undeleted) is
// written in the transaction that makes it to omni_change_log, with the record's fields before
// and after (JSON objects keyed by the catalog's field names, values in the API's text form,
// null for a null value), the user, and a position that increases by one per change per org in
// commit order.
//
// How: a Tx collects its changes in memory (a savepoint rollback drops those made since the
// savepoint) and, as its last statement before COMMIT, in ONE round trip bumps the org's counter
// row in omni_change_heads (its row lock is held to the commit, so the positions of concurrent
// transactions are handed out in the order they commit, without gaps), inserts the rows and
// calls pg_notify('omni_changes', '<org>:<last position>'). PostgreSQL delivers a NOTIFY only
// when its transaction commits, so a rolled-back call leaves neither a row nor a notification.
// Retention: every StoreOptions::change_log_prune_every positions the same statement deletes the
// org's rows older than the newest StoreOptions::change_log_keep.
//
// Consumers (parked requests, PushTopic delivery) wait for a ChangeNotifier callback, then read
// Store::ReadChangesAfter(org, last position they handled, limit) until it answers fewer rows.
//
// Thread-safety: plain data here; ChangeLogTx belongs to its Tx's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/core/record.h"

namespace omni::storage {

enum class ChangeKind { kCreated, kUpdated, kDeleted, kUndeleted };
// "created", "updated", "deleted", "undeleted": the text stored in the log's kind column.
const char* ChangeKindName(ChangeKind kind);

// A change made in the current transaction, not yet committed.
struct ChangeRow {
  ChangeKind kind;
  std::string org_id, object, record_id, user_id;
  std::optional<Record> before;  // absent for kCreated
  std::optional<Record> after;
};

// A change as committed.
struct CommittedChange {
  std::string org_id;
  std::int64_t position = 0;
  ChangeKind kind = ChangeKind::kCreated;
  std::string object, record_id, user_id;
  std::optional<std::string> before_json;  // JSON object text; absent for created
  std::optional<std::string> after_json;
  std::string committed_at;  // "2026-11-25T10:00:00.000Z"
};

class ChangeLogTx {
 public:
  virtual ~ChangeLogTx() = default;
  // Queues one change for the log; it is written at Commit() (or dropped by a rollback).
  virtual void Append(ChangeRow row) = 0;
};

}  // namespace omni::storage
