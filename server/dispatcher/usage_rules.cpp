#include "server/dispatcher/usage_rules.h"

namespace omni {

std::vector<const FieldDef*> FieldsNeededForDelete(const ObjectDef& obj) {
  if (obj.name == "AgentWork") {
    if (const FieldDef* f = obj.FindField("Status")) return {f};
  }
  return {};
}

std::optional<Error> CheckDeletable(const ObjectDef& obj, const Record& current) {
  if (obj.name != "AgentWork") return std::nullopt;
  const Value* status = current.Find("Status");
  if (!status || !*status) return std::nullopt;
  if (**status == "Closed" || **status == "Declined" || **status == "Unavailable") {
    return std::nullopt;
  }
  // LIMITATIONS: the real org's exact text is not public; the code is the one the real org uses
  // for deletes that a business rule refuses.
  return Error{StatusCode::kDeleteFailed,
               "AgentWork records can only be deleted if they have the status Closed, Declined, "
               "or Unavailable; this one is " +
                   **status + ".",
               {}};
}

}  // namespace omni
