// FaultListener: the built-in listener behind --fault-inject listener-throw:<Object>
// (server/core/fault_injection.h): it throws on every change of a named object, so that tests
// can prove that a failing listener fails only its record and never the process.
// Thread-safety: immutable; shared by every thread.
#pragma once

#include "server/core/fault_injection.h"
#include "server/events/change_bus.h"

namespace omni {

class FaultListener : public ChangeListener {
 public:
  explicit FaultListener(FaultInjection faults) : faults_(std::move(faults)) {}
  void OnChange(const ChangeEvent& event, RecordWriter& writer) override;
  bool Wants(const ObjectDef& object) const override {
    return faults_.ListenerThrows(object.name);
  }

 private:
  FaultInjection faults_;
};

}  // namespace omni
