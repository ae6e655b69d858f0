// The guide's usage rules that go beyond field properties: the few places where behaviour
// needs one named field of one object. Pure; thread-safe.
#pragma once

#include <optional>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "server/core/status.h"

namespace omni {

// Whether a record may go to the recycle bin. nullopt when it may; otherwise the error.
// AgentWork: "records can only be deleted if they have the status Closed, Declined, or
// Unavailable" (guide, AgentWork Usage).
std::optional<Error> CheckDeletable(const ObjectDef& obj, const Record& current);

// The fields the server computes from others, as the real org does: PushTopic.NotifyForOperations
// from NotifyForOperationCreate/Update (All, Create, Update or Extended); User.Name is FirstName
// and LastName joined by a space, or LastName alone (catalog.xml). FieldsNeededForComputed names
// the inputs, so that an update can read those it does not change; FillComputedFields sets the
// computed fields of *row from the inputs *row holds. Both do nothing for other objects.
std::vector<const FieldDef*> FieldsNeededForComputed(const ObjectDef& obj);
void FillComputedFields(const ObjectDef& obj, Record* row);
// Copies the computed fields of `from` (filled by FillComputedFields) into *to.
void CopyComputedFields(const ObjectDef& obj, const Record& from, Record* to);

// Counters the server keeps on a record's writes: PendingServiceRouting.Serial is 1 when the
// record is created and one more with every update ("automatically incremented each time the
// PendingServiceRouting is modified", guide). before is null for an insert; *values is the row
// being inserted or the changes of an update. Does nothing for other objects.
void CountChange(const ObjectDef& obj, const Record* before, Record* values);

}  // namespace omni
