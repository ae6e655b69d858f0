// Per-record checks and writes shared by the data calls and by listeners' RecordWriter. Each
// write also queues its change-log row (both images) on the transaction and publishes the change
// on the ChangeBus; a listener that throws fails the write with UNKNOWN_EXCEPTION. Internal to
// the dispatcher.
// Thread-safety: stateless functions; each call works on the caller's transaction.
#pragma once

#include <optional>
#include <string>

#include "server/catalog/catalog.h"
#include "server/core/fault_injection.h"
#include "server/core/record.h"
#include "server/core/status.h"
#include "server/events/change_bus.h"
#include "storage/store.h"

namespace omni {

// What one call's writes share: where, who, when (read once per call from the Clock), and the
// transaction. depth counts listener writes nested inside a change.
struct WriteScope {
  const Catalog& catalog;
  storage::Tx& tx;
  const ChangeBus& bus;
  const std::string& org_id;
  const std::string& user_id;
  const std::string& now;
  const FaultInjection* faults = nullptr;
  int depth = 0;
  // The record is its call's only one, at the top level: if nothing reacts to its change, its
  // insert may commit by itself (storage::Tx::ExpectLoneInsert).
  bool lone_record = false;
  // The org's own write (agent presence: org_writes.h; routing: RecordWriter's *AsOrg,
  // change_bus.h), not an API call's: past the object's supported calls and its fields'
  // Create/Update properties (UserServicePresence cannot be created through the API, yet logging
  // in creates one), never past anything else.
  bool as_org = false;
};

// The org lock every routing decision takes (ChangeBus::SerializesWrites).
inline constexpr const char* kRoutingScope = "routing";

// Takes the org's routing lock when a listener asks it for writes of obj
// (ChangeBus::SerializesWrites): before the first row lock or insert of such a write, so that
// the lock order is always the routing lock first, then the object's rows.
void LockScopeFor(const WriteScope& s, const ObjectDef& obj);

// Hands the transaction's changes (of the objects listeners Want) to the listeners'
// BeforeCommit, with a writer in the transaction. Called once by each write transaction just
// before it commits (RunWriteCall, OrgWrites::Run).
void RunBeforeCommit(const WriteScope& s);

// Inserts one resolved record (field names in catalog spelling). On success returns the new Id;
// on failure returns the error (the caller's savepoint, or not committing, undoes any write).
// forced_id, when given, is used as the new record's Id (only for bootstrapping an org, whose
// first user must exist before it creates).
std::optional<std::string> InsertRecord(const WriteScope& s, const ObjectDef& obj,
                                        const Record& rec, Error* error,
                                        const std::string* forced_id = nullptr);

// Updates the record whose current row (every field, from LoadForWrite) is `before` with the
// fields of rec. On failure returns false with the error.
bool UpdateRecord(const WriteScope& s, const ObjectDef& obj, const Record& before,
                  const Record& rec, Error* error);

// Moves the record whose current row is `before` to the recycle bin (undelete: out of it).
bool BinRecord(const WriteScope& s, const ObjectDef& obj, const Record& before, bool undelete,
               Error* error);

// Looks up a record by Id for a write and locks it: INVALID_CROSS_REFERENCE_KEY when absent,
// ENTITY_IS_DELETED when in the recycle bin (unless allow_deleted). On success returns every
// field of the current row (the change log's before image).
std::optional<Record> LoadForWrite(const WriteScope& s, const ObjectDef& obj, const std::string& id,
                                   bool allow_deleted, Error* error);

}  // namespace omni
