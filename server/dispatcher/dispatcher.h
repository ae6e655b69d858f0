// Dispatcher: the data calls of the SOAP API (create, retrieve, update, upsert, delete,
// undelete) over the catalog and the store, free of any wire format.
//
// It enforces what the guide says about each object (its supported calls) and each field (Create,
// Update, Nillable, Defaulted on create, Restricted picklist, Unique, idLookup, Autonumber),
// answers with Salesforce's status codes and messages, runs each call as ONE transaction, writes
// every record change to the change log (storage/change_log.h) in it, and publishes every change
// on the ChangeBus before commit. Each call lives in its own file (create.cpp, update.cpp,
// upsert.cpp, delete.cpp, retrieve.cpp) over call_support.h and record_checks.h.
//
// No call can crash the process: any unexpected exception becomes the UNKNOWN_EXCEPTION fault
// with an opaque logged ErrorId (server/core/unexpected.h), and the transaction rolls back; a
// change listener's exception fails only its record (UNKNOWN_EXCEPTION status).
//
// Thread-safety: thread-safe; each call uses its own transaction.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/clock/org_clock.h"
#include "server/core/fault_injection.h"
#include "server/core/outcome.h"
#include "server/core/record.h"
#include "server/core/status.h"
#include "server/events/change_bus.h"
#include "storage/store.h"

namespace omni {

// Who is calling, resolved from the session.
struct CallContext {
  std::string org_id;
  std::string user_id;
};

struct CallOptions {
  bool all_or_none = false;  // AllOrNoneHeader
};

// One record's outcome, for create/update/upsert/delete/undelete. id is unset when unknown.
struct RecordResult {
  std::optional<std::string> id;
  bool success = false;
  bool created = false;  // upsert only
  std::vector<Error> errors;
};

constexpr int kMaxRecordsPerCall = 200;
constexpr int kMaxRetrieveIds = 2000;

class Dispatcher {
 public:
  // Every timestamp a call writes comes from `clock` (its org's). faults (may be null: none)
  // enables call-throw fault injection. None is owned; all outlive the dispatcher.
  Dispatcher(std::shared_ptr<const Catalog> catalog, storage::Store* store, const ChangeBus* bus,
             OrgClock* clock, const FaultInjection* faults = nullptr);

  // Inserts records. Fault: more than 200 records (EXCEEDED_ID_LIMIT), a record without type or
  // of an unknown type (INVALID_TYPE), an unknown field (INVALID_FIELD). Otherwise one result per
  // record, in order; with all_or_none any failure rolls the whole call back.
  Outcome<std::vector<RecordResult>> Create(const CallContext& ctx, std::vector<Record> records,
                                            const CallOptions& opts);
  // Updates records by their Id; faults as Create.
  Outcome<std::vector<RecordResult>> Update(const CallContext& ctx, std::vector<Record> records,
                                            const CallOptions& opts);
  // Inserts or updates, matching on external_id_field (Id or an idLookup field). Fault as Create,
  // and INVALID_FIELD when the matching field is not Id nor idLookup.
  Outcome<std::vector<RecordResult>> Upsert(const CallContext& ctx,
                                            const std::string& external_id_field,
                                            std::vector<Record> records, const CallOptions& opts);
  // Moves records to the recycle bin / brings them back. Fault: more than 200 Ids.
  Outcome<std::vector<RecordResult>> Delete(const CallContext& ctx,
                                            const std::vector<std::string>& ids,
                                            const CallOptions& opts);
  Outcome<std::vector<RecordResult>> Undelete(const CallContext& ctx,
                                              const std::vector<std::string>& ids,
                                              const CallOptions& opts);
  // Reads records by Id; one entry per Id, nullopt where no visible record has it. Fault: unknown
  // type or field, a type without retrieve(), a malformed Id, more than 2000 Ids.
  Outcome<std::vector<std::optional<Record>>> Retrieve(const CallContext& ctx,
                                                       const std::string& field_list,
                                                       const std::string& type,
                                                       const std::vector<std::string>& ids);

  const Catalog& catalog() const { return *catalog_; }

 private:
  Outcome<std::vector<RecordResult>> Bin(const CallContext& ctx, bool undelete,
                                         const std::vector<std::string>& ids,
                                         const CallOptions& opts);
  struct CallEnv Env() const;  // call_support.h
  // Resolves every record (whole-call faults), or the fault.
  std::optional<Fault> ResolveAll(std::vector<Record>* records,
                                  std::vector<const ObjectDef*>* objs) const;

  std::shared_ptr<const Catalog> catalog_;
  storage::Store* store_;
  const ChangeBus* bus_;
  OrgClock* clock_;
  const FaultInjection* faults_;
};

}  // namespace omni
