// ChangeBus: the one place every record change passes, inside the transaction that makes it.
//
// The dispatcher publishes an event after each insert, update, delete and undelete, before the
// call commits, with the record's images before and after. A listener (the routing engine) may
// react by reading and writing records through the RecordWriter it is handed: those writes go
// through the dispatcher's rules (validation, defaults, audit fields, the change log, and their
// own events) in the same transaction, so they commit or roll back together with the change.
// Listeners never see a raw storage transaction.
//
// A listener that throws (anything) fails the record that caused the event: its savepoint rolls
// back what the record and every listener did, the record answers UNKNOWN_EXCEPTION, and under
// AllOrNoneHeader the whole call rolls back. The server keeps serving. A listener that refuses
// the change as the org would (an external AgentWork for an agent without capacity) throws
// ChangeRefused instead: the record then fails with that error, not UNKNOWN_EXCEPTION.
//
// Thread-safety: Subscribe() only during start-up; Publish() from any number of threads. A
// RecordWriter belongs to the thread of the call that handed it out, for the event's duration.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "server/core/row_select.h"
#include "server/core/status.h"

namespace omni {

struct ChangeEvent {
  enum class Kind { kCreated, kUpdated, kDeleted, kUndeleted };
  Kind kind;
  std::string org_id;
  std::string user_id;
  const ObjectDef* object;
  std::string record_id;
  const Record* before;  // every field before the change; null for kCreated
  const Record* after;   // every field after the change, as stored
};

// A change of the transaction about to commit, as ChangeListener::BeforeCommit sees it.
struct TxChange {
  ChangeEvent::Kind kind;
  const ObjectDef* object;
  std::string record_id;
  std::optional<Record> before;  // absent for kCreated
  std::optional<Record> after;
};

// Reads and writes records of the event's org, as the event's user, in the event's transaction,
// with the same rules as the API calls. Errors are values, as in a SaveResult.
//
// The *AsOrg writes are what the org does by itself, where no API call may: routing creates,
// updates and deletes PendingServiceRouting, which the API can only read. They pass the object's
// supported calls and the Create/Update properties of its fields, and nothing else: system
// fields and auto-numbers stay the server's, and every value check, required field, default,
// audit field, usage rule (AgentWork deletion), change-log row and event applies as to any
// write. Only a listener's writer offers them; an API call never gets past those rules.
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  // Every field of a visible (not deleted) record, or nullopt. Locks the row until the
  // transaction ends (a write's before image).
  virtual std::optional<Record> Read(const ObjectDef& obj, const std::string& id) = 0;
  // The same without the lock: for records a reaction only consults (a queue, its routing
  // configuration), so that concurrent calls touching them do not queue behind each other.
  virtual std::optional<Record> Peek(const ObjectDef& obj, const std::string& id) = 0;
  // As Read, without waiting: nullopt when the row is not visible or another transaction holds
  // it (FOR UPDATE SKIP LOCKED), for a decision that must never wait out of lock order.
  virtual std::optional<Record> TryRead(const ObjectDef& obj, const std::string& id) = 0;
  // The visible records of obj that pass sel (server/core/row_select.h), every field, unlocked.
  virtual std::vector<Record> Select(const ObjectDef& obj, const RowSelect& sel) = 0;
  // The transaction's timestamp (every write through this writer is stamped with it).
  virtual const std::string& Now() const = 0;
  // Takes the org's routing lock until the transaction ends (ChangeBus::SerializesWrites): every
  // process's routing decisions for the org take turns on it.
  virtual void LockRouting() = 0;
  // Ids of the visible records of obj whose field equals value (canonical text form).
  virtual std::vector<std::string> FindIds(const ObjectDef& obj, const FieldDef& field,
                                           const std::string& value) = 0;
  // Inserts rec (type and field names in catalog spelling or any case); the new Id, or nullopt
  // with *error.
  virtual std::optional<std::string> Create(const Record& rec, Error* error) = 0;
  // Updates the record with Id id with the fields of changes; false with *error on failure.
  virtual bool Update(const ObjectDef& obj, const std::string& id, const Record& changes,
                      Error* error) = 0;
  // The org's own writes (see above). DeleteAsOrg moves the record to the recycle bin, as a
  // delete call does, so that getDeleted and queryAll see it go.
  virtual std::optional<std::string> CreateAsOrg(const Record& rec, Error* error) = 0;
  virtual bool UpdateAsOrg(const ObjectDef& obj, const std::string& id, const Record& changes,
                           Error* error) = 0;
  virtual bool DeleteAsOrg(const ObjectDef& obj, const std::string& id, Error* error) = 0;
};

// Thrown by a listener to refuse the change with the org's own error (a SaveResult error).
struct ChangeRefused : std::runtime_error {
  explicit ChangeRefused(Error e) : std::runtime_error(e.message), error(std::move(e)) {}
  Error error;
};

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  virtual void OnChange(const ChangeEvent& event, RecordWriter& writer) = 0;
  // Whether changes of this object may interest the listener. A change no listener wants skips
  // the bus, and a call of one such record can commit with its insert (one round trip).
  virtual bool Wants(const ObjectDef& object) const {
    (void)object;
    return true;
  }
  // Called once just before the transaction commits (after every record of the call), with the
  // changes it would commit of the objects the listener Wants, in order; the listener's writes
  // join the transaction as OnChange's do. For decisions that need the whole transaction at
  // once and must be taken under an org-wide lock as late as possible (the routing engine).
  virtual void BeforeCommit(const std::vector<TxChange>& changes, RecordWriter& writer) {
    (void)changes;
    (void)writer;
  }
  // Whether every write of this object (insert, update, delete, and row locks taken to write it)
  // must first take the org's routing lock, so that decisions taken under it (capacity, pushes)
  // see every committed write of it and none in flight.
  virtual bool SerializesWrites(const ObjectDef& object) const {
    (void)object;
    return false;
  }
};

class ChangeBus {
 public:
  void Subscribe(std::shared_ptr<ChangeListener> listener) {
    listeners_.push_back(std::move(listener));
  }
  bool Wants(const ObjectDef& object) const {
    for (const auto& l : listeners_) {
      if (l->Wants(object)) return true;
    }
    return false;
  }
  // Calls every listener in subscription order; lets a listener's exception through.
  void Publish(const ChangeEvent& event, RecordWriter& writer) const {
    for (const auto& l : listeners_) l->OnChange(event, writer);
  }
  // Calls every listener's BeforeCommit with the changes of the objects it Wants (none: not
  // called); lets a listener's exception through.
  void BeforeCommit(const std::vector<TxChange>& changes, RecordWriter& writer) const {
    for (const auto& l : listeners_) {
      std::vector<TxChange> wanted;
      for (const auto& c : changes) {
        if (l->Wants(*c.object)) wanted.push_back(c);
      }
      if (!wanted.empty()) l->BeforeCommit(wanted, writer);
    }
  }
  bool SerializesWrites(const ObjectDef& object) const {
    for (const auto& l : listeners_) {
      if (l->SerializesWrites(object)) return true;
    }
    return false;
  }

 private:
  std::vector<std::shared_ptr<ChangeListener>> listeners_;
};

}  // namespace omni
