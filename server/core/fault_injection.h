// FaultInjection: failures that tests switch on, to prove that no request can crash the server
// and that a failed record leaves nothing behind. Off unless --fault-inject / OMNI_FAULT_INJECT
// names some; never meant for production use.
//
//   listener-throw:<Object>  a built-in change listener throws std::runtime_error on every change
//                            of that object: the record fails with UNKNOWN_EXCEPTION (under
//                            AllOrNoneHeader the whole call rolls back)
//   call-throw:<Object>      the dispatcher throws std::logic_error while saving a record of that
//                            object, after its row was written and outside any listener: the call
//                            answers the UNKNOWN_EXCEPTION fault and rolls back
//
// Several rules are separated by commas ("listener-throw:Skill,call-throw:Group"). Object names
// are matched case-insensitively.
//
// Thread-safety: immutable after Parse(); shared by every thread.
#pragma once

#include <optional>
#include <set>
#include <string>

namespace omni {

class FaultInjection {
 public:
  // nullopt with *error for a rule that is not one of the above. An empty spec injects nothing.
  static std::optional<FaultInjection> Parse(const std::string& spec, std::string* error);

  bool ListenerThrows(const std::string& object) const { return Has(listener_throw_, object); }
  bool CallThrows(const std::string& object) const { return Has(call_throw_, object); }
  bool empty() const { return listener_throw_.empty() && call_throw_.empty(); }

 private:
  static bool Has(const std::set<std::string>& set, const std::string& object);
  std::set<std::string> listener_throw_, call_throw_;  // lower-cased object names
};

}  // namespace omni
