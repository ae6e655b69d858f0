#include "server/events/fault_listener.h"

#include <stdexcept>

namespace omni {

void FaultListener::OnChange(const ChangeEvent& event, RecordWriter&) {
  if (faults_.ListenerThrows(event.object->name)) {
    throw std::runtime_error("fault injection: listener-throw:" + event.object->name + " on " +
                             event.record_id);
  }
}

}  // namespace omni
