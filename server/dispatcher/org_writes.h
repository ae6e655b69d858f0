// OrgWrites: the org's own reads and writes, for what the org does by itself rather than what an
// API call asks: agent presence (logging in creates a UserServicePresence, which the API cannot
// create) and later the routing engine. One Run is ONE transaction; its writes go through the
// dispatcher's rules (record_checks.h: value checks, defaults, audit fields, the change log, the
// ChangeBus and its listeners), except that the object's supported calls and the fields'
// Create/Update properties do not apply (WriteScope::as_org). No raw storage transaction leaves
// the dispatcher: the function gets an OrgTx.
//
// Thread-safety: thread-safe; each Run uses its own transaction, and an OrgTx belongs to the
// thread of its Run.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/clock/org_clock.h"
#include "server/core/outcome.h"
#include "server/core/record.h"
#include "server/core/status.h"
#include "server/dispatcher/dispatcher.h"
#include "server/events/change_bus.h"
#include "storage/store.h"

namespace omni {

struct WriteScope;

// The handle an OrgWrites::Run function reads and writes through.
class OrgTx {
 public:
  explicit OrgTx(const WriteScope& scope);
  ~OrgTx();
  // Every field of a visible (not deleted) record, or nullopt.
  std::optional<Record> Read(const ObjectDef& obj, const std::string& id);
  // As Read, and the row stays locked until the transaction ends (SELECT ... FOR UPDATE), so
  // that concurrent Runs about one record (an agent's User row, say) take turns. For an object
  // whose writes take the org's routing lock (ChangeBus::SerializesWrites: AgentWork), that lock
  // comes first, as in every write of it.
  std::optional<Record> Lock(const ObjectDef& obj, const std::string& id);
  // As Lock, without waiting: nullopt when another transaction holds the row (FOR UPDATE SKIP
  // LOCKED), so that sweeps in several processes never handle one record twice.
  std::optional<Record> TryLock(const ObjectDef& obj, const std::string& id);
  // Every visible record whose field equals value, every field (oldest Id first).
  std::vector<Record> FindBy(const ObjectDef& obj, const std::string& field,
                             const std::string& value);
  // The visible records that pass sel (server/core/row_select.h), every field, unlocked.
  std::vector<Record> Select(const ObjectDef& obj, const RowSelect& sel);
  // Inserts rec (resolved against the catalog; errors as values, as in a SaveResult), in a
  // savepoint: a refused write leaves nothing behind.
  std::optional<std::string> Create(Record rec, Error* error);
  bool Update(const ObjectDef& obj, const std::string& id, Record changes, Error* error);
  // Moves the record to the recycle bin, as a delete call does (AgentWork's deletion rule
  // applies), in a savepoint.
  bool Delete(const ObjectDef& obj, const std::string& id, Error* error);
  // A change listener's RecordWriter in this transaction (server/events/change_bus.h), so that
  // code the org shares with its listeners (routing's pending_routing.h) runs here unchanged.
  RecordWriter& Writer();
  // Takes the org's routing lock until the transaction ends (RecordWriter::LockRouting).
  void LockRouting();
  // The transaction's timestamp (every write of the Run is stamped with it).
  const std::string& now() const;
  const Catalog& catalog() const;

 private:
  const WriteScope& scope_;
  std::unique_ptr<RecordWriter> writer_;  // made by the first Writer()
};

class OrgWrites {
 public:
  // Every write of a Run is stamped with the org's time on `clock`, read once per Run.
  OrgWrites(std::shared_ptr<const Catalog> catalog, storage::Store* store, const ChangeBus* bus,
            OrgClock* clock);

  // Runs fn in one transaction as ctx's user; commits when fn returns true, rolls back
  // otherwise. A lost lock fight (deadlock, lock timeout, serialization failure) is the
  // UNABLE_TO_LOCK_ROW fault; any other exception the UNKNOWN_EXCEPTION fault (logged, opaque).
  Outcome<bool> Run(const CallContext& ctx, const std::function<bool(OrgTx&)>& fn) const;

  const Catalog& catalog() const { return *catalog_; }

 private:
  std::shared_ptr<const Catalog> catalog_;
  storage::Store* store_;
  const ChangeBus* bus_;
  OrgClock* clock_;
};

}  // namespace omni
