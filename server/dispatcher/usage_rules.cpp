#include "server/dispatcher/usage_rules.h"

#include <string>

namespace omni {

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

namespace {

// PushTopic.NotifyForOperations, read-only from API 29.0, says what the API 28.0 field said:
// All for creates and updates, Create or Update for one of them, Extended for neither
// (CATALOG-DECISIONS.md Q3).
bool IsPushTopic(const ObjectDef& obj) {
  return obj.name == "PushTopic" && obj.FindField("NotifyForOperations") &&
         obj.FindField("NotifyForOperationCreate") && obj.FindField("NotifyForOperationUpdate");
}

void FillNotifyForOperations(Record* row) {
  auto on = [&](const char* name) {
    const Value* v = row->Find(name);
    return !v || !*v || **v == "true";  // the fields default to true
  };
  bool create = on("NotifyForOperationCreate"), update = on("NotifyForOperationUpdate");
  row->Set("NotifyForOperations", std::string(create && update ? "All"
                                              : create         ? "Create"
                                              : update         ? "Update"
                                                               : "Extended"));
}

}  // namespace

std::vector<const FieldDef*> FieldsNeededForComputed(const ObjectDef& obj) {
  if (IsPushTopic(obj)) {
    return {obj.FindField("NotifyForOperationCreate"), obj.FindField("NotifyForOperationUpdate")};
  }
  if (obj.name != "User") return {};
  const FieldDef* first = obj.FindField("FirstName");
  const FieldDef* last = obj.FindField("LastName");
  if (!first || !last || !obj.FindField("Name")) return {};
  return {first, last};
}

void FillComputedFields(const ObjectDef& obj, Record* row) {
  if (IsPushTopic(obj)) {
    FillNotifyForOperations(row);
    return;
  }
  if (FieldsNeededForComputed(obj).empty()) return;
  const Value* first = row->Find("FirstName");
  const Value* last = row->Find("LastName");
  std::string name = last && *last ? **last : "";
  if (first && *first && !(*first)->empty()) name = **first + (name.empty() ? "" : " ") + name;
  row->Set("Name", name.empty() ? Value() : Value(name));
}

void CopyComputedFields(const ObjectDef& obj, const Record& from, Record* to) {
  if (IsPushTopic(obj)) {
    if (const Value* ops = from.Find("NotifyForOperations")) to->Set("NotifyForOperations", *ops);
    return;
  }
  if (FieldsNeededForComputed(obj).empty()) return;
  if (const Value* name = from.Find("Name")) to->Set("Name", *name);
}

void CountChange(const ObjectDef& obj, const Record* before, Record* values) {
  if (obj.name != "PendingServiceRouting" || !obj.FindField("Serial")) return;
  long long serial = 0;
  if (before) {
    const Value* old = before->Find("Serial");
    if (old && *old) serial = std::stoll(**old);
  }
  values->Set("Serial", std::to_string(serial + 1));
}

}  // namespace omni
