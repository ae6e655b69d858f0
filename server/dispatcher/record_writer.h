// ScopedRecordWriter: the RecordWriter (server/events/change_bus.h) a change listener is handed.
// Each write runs in its own savepoint inside the call's transaction and through the same rules
// as an API call (record_checks.h), so a refused write leaves nothing behind and the listener
// gets the error as a value; the *AsOrg writes set WriteScope::as_org for that write alone. Writes
// nested deeper than kMaxListenerDepth (a listener reacting to its own writes forever) throw, which
// fails the record that started the chain. Internal to the dispatcher. Thread-safety: belongs to
// the call's thread.
#pragma once

#include "server/dispatcher/call_support.h"
#include "server/dispatcher/record_checks.h"

namespace omni {

constexpr int kMaxListenerDepth = 8;

class ScopedRecordWriter : public RecordWriter {
 public:
  // savepoints=false: for BeforeCommit, whose listeners treat a refused write as a bug that fails
  // the whole call (it rolls back), so a savepoint per write would only cost two round trips.
  explicit ScopedRecordWriter(const WriteScope& outer, bool savepoints = true)
      : scope_(outer), savepoints_(savepoints) {
    scope_.depth = outer.depth + 1;
    scope_.as_org = false;  // an org write's own events react with API rules again
  }
  std::optional<Record> Read(const ObjectDef& obj, const std::string& id) override;
  std::optional<Record> Peek(const ObjectDef& obj, const std::string& id) override;
  std::optional<Record> TryRead(const ObjectDef& obj, const std::string& id) override;
  std::vector<Record> Select(const ObjectDef& obj, const RowSelect& sel) override;
  void LockRouting() override;
  const std::string& Now() const override { return scope_.now; }
  std::vector<std::string> FindIds(const ObjectDef& obj, const FieldDef& field,
                                   const std::string& value) override;
  std::optional<std::string> Create(const Record& rec, Error* error) override;
  bool Update(const ObjectDef& obj, const std::string& id, const Record& changes,
              Error* error) override;
  std::optional<std::string> CreateAsOrg(const Record& rec, Error* error) override;
  bool UpdateAsOrg(const ObjectDef& obj, const std::string& id, const Record& changes,
                   Error* error) override;
  bool DeleteAsOrg(const ObjectDef& obj, const std::string& id, Error* error) override;

 private:
  std::optional<std::string> Insert(const WriteScope& scope, const Record& rec, Error* error);
  bool Change(const WriteScope& scope, const ObjectDef& obj, const std::string& id,
              const Record& changes, Error* error);

  // Runs one write in a savepoint unless savepoints_ is off.
  template <typename Fn>
  RecordResult Guard(storage::Tx& tx, Fn fn) {
    return savepoints_ ? InSavepoint(tx, fn) : fn();
  }

  WriteScope scope_;
  bool savepoints_;
};

}  // namespace omni
