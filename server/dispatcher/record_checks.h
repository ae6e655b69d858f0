// Per-record checks and writes shared by create, update and upsert. Internal to the dispatcher.
// Thread-safety: stateless functions; each call works on the caller's transaction.
#pragma once

#include <optional>
#include <string>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "server/core/status.h"
#include "server/events/change_bus.h"
#include "storage/store.h"

namespace omni {

struct WriteScope {
  const Catalog& catalog;
  storage::Tx& tx;
  const ChangeBus& bus;
  const std::string& org_id;
  const std::string& user_id;
};

// Inserts one resolved record (field names in catalog spelling). On success returns the new Id;
// on failure returns the error and writes nothing. forced_id, when given, is used as the new
// record's Id (only for bootstrapping an org, whose first user must exist before it creates).
std::optional<std::string> InsertRecord(const WriteScope& s, const ObjectDef& obj,
                                        const Record& rec, Error* error,
                                        const std::string* forced_id = nullptr);

// Updates the record whose Id the record carries (already normalised to 18 characters, of this
// object, existing and not deleted). On failure returns false with the error.
bool UpdateRecord(const WriteScope& s, const ObjectDef& obj, const std::string& id,
                  const Record& rec, Error* error);

// Looks up a record by Id for a write: INVALID_CROSS_REFERENCE_KEY when absent, ENTITY_IS_DELETED
// when in the recycle bin (unless allow_deleted). On success returns the current record with the
// requested fields and IsDeleted.
std::optional<Record> LoadForWrite(const WriteScope& s, const ObjectDef& obj, const std::string& id,
                                   std::vector<const FieldDef*> fields, bool allow_deleted,
                                   Error* error);

}  // namespace omni
