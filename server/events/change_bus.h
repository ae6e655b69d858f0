// ChangeBus: the one place every record change passes, inside the transaction that makes it.
//
// The dispatcher publishes an event after each insert, update, delete and undelete, on the same
// storage::Tx, so that a listener (the routing engine, PushTopic events, the request journal) can
// read and write in that transaction: its work commits or rolls back together with the change.
// A listener that throws fails the record that caused the event.
//
// Thread-safety: Subscribe() only during start-up; Publish() from any number of threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "storage/store.h"

namespace omni {

struct ChangeEvent {
  enum class Kind { kCreated, kUpdated, kDeleted, kUndeleted };
  Kind kind;
  std::string org_id;
  std::string user_id;
  const ObjectDef* object;
  std::string record_id;
  Record values;  // the fields written by the call (all fields for kCreated)
};

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  virtual void OnChange(const ChangeEvent& event, storage::Tx& tx) = 0;
};

class ChangeBus {
 public:
  void Subscribe(std::shared_ptr<ChangeListener> listener) {
    listeners_.push_back(std::move(listener));
  }
  void Publish(const ChangeEvent& event, storage::Tx& tx) const {
    for (const auto& l : listeners_) l->OnChange(event, tx);
  }

 private:
  std::vector<std::shared_ptr<ChangeListener>> listeners_;
};

}  // namespace omni
