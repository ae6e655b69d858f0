#include "server/dispatcher/dispatcher.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <iostream>

#include "server/core/sf_id.h"
#include "server/dispatcher/record_checks.h"
#include "server/dispatcher/usage_rules.h"

namespace omni {

// A database failure must not leak SQL to the client: log it, answer with an opaque error id.
Fault StorageFault(const std::exception& e) {
  static std::atomic<long> counter{0};
  long n = ++counter;
  std::cerr << "omni-emulator: storage error #" << n << ": " << e.what() << std::endl;
  return UnknownExceptionFault(
      "An unexpected error occurred. Please include this ErrorId if you contact support: " +
      std::to_string(n) + "-omni");
}

namespace {

// Resolves type and field names against the catalog, in place (catalog spelling afterwards).
// A record without type, of an unknown type, or with an unknown field fails the whole call.
std::optional<Fault> Resolve(const Catalog& catalog, Record* rec, const ObjectDef** obj) {
  if (rec->type.empty()) return MissingTypeFault();
  *obj = catalog.FindObject(rec->type);
  if (!*obj) return InvalidTypeFault(rec->type);
  rec->type = (*obj)->name;
  for (auto& [name, v] : rec->fields) {
    const FieldDef* f = (*obj)->FindField(name);
    if (!f) return NoSuchColumnFault(name, (*obj)->name);
    name = f->name;
  }
  for (auto& name : rec->fields_to_null) {
    const FieldDef* f = (*obj)->FindField(name);
    if (!f) return NoSuchColumnFault(name, (*obj)->name);
    name = f->name;
  }
  return std::nullopt;
}

// With AllOrNoneHeader, one failure turns every other result into a rollback.
void ApplyAllOrNone(std::vector<RecordResult>* results, bool* commit) {
  bool failed = false;
  for (const auto& r : *results) failed = failed || !r.success;
  if (!failed) return;
  *commit = false;
  for (auto& r : *results) {
    if (!r.success) continue;
    r.success = false;
    // A rolled-back insert names no record: Salesforce answers it without an Id.
    if (r.created) r.id.reset();
    r.created = false;
    r.errors.push_back(Error{StatusCode::kAllOrNoneOperationRolledBack,
                             "Record rolled back because not all records were valid and the "
                             "request was using AllOrNone header",
                             {}});
  }
}

// Runs fn for one record inside a savepoint, so that a failed record leaves nothing behind.
template <typename Fn>
RecordResult InSavepoint(storage::Tx& tx, Fn fn) {
  tx.Savepoint();
  RecordResult r = fn();
  if (r.success)
    tx.ReleaseSavepoint();
  else
    tx.RollbackToSavepoint();
  return r;
}

RecordResult Failed(Error e, std::optional<std::string> id = std::nullopt) {
  RecordResult r;
  r.id = std::move(id);
  r.errors.push_back(std::move(e));
  return r;
}

}  // namespace

Dispatcher::Dispatcher(std::shared_ptr<const Catalog> catalog, storage::Store* store,
                       const ChangeBus* bus)
    : catalog_(std::move(catalog)), store_(store), bus_(bus) {}

Outcome<std::vector<RecordResult>> Dispatcher::Create(const CallContext& ctx,
                                                      std::vector<Record> records,
                                                      const CallOptions& opts) {
  return Save(ctx, Write::kCreate, "", std::move(records), opts);
}
Outcome<std::vector<RecordResult>> Dispatcher::Update(const CallContext& ctx,
                                                      std::vector<Record> records,
                                                      const CallOptions& opts) {
  return Save(ctx, Write::kUpdate, "", std::move(records), opts);
}
Outcome<std::vector<RecordResult>> Dispatcher::Upsert(const CallContext& ctx,
                                                      const std::string& external_id_field,
                                                      std::vector<Record> records,
                                                      const CallOptions& opts) {
  return Save(ctx, Write::kUpsert, external_id_field, std::move(records), opts);
}

Outcome<std::vector<RecordResult>> Dispatcher::Save(const CallContext& ctx, Write mode,
                                                    const std::string& external_id_field,
                                                    std::vector<Record> records,
                                                    const CallOptions& opts) {
  using Result = Outcome<std::vector<RecordResult>>;
  if (records.size() > static_cast<size_t>(kMaxRecordsPerCall)) {
    return Result::Fail(ExceededIdLimitFault(kMaxRecordsPerCall));
  }
  std::vector<const ObjectDef*> objs(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    if (auto fault = Resolve(*catalog_, &records[i], &objs[i])) return Result::Fail(*fault);
  }
  std::vector<const FieldDef*> match_fields(records.size(), nullptr);
  if (mode == Write::kUpsert) {
    for (size_t i = 0; i < records.size(); ++i) {
      const FieldDef* f = objs[i]->FindField(external_id_field);
      if (!f || !(f->id_lookup || f->name == "Id")) {
        return Result::Fail(Fault{ExceptionCode::kInvalidField, FaultKind::kInvalidFieldFault,
                                  "Field name provided, " + external_id_field +
                                      " is not an External ID or indexed field for " +
                                      objs[i]->name});
      }
      match_fields[i] = f;
    }
  }
  try {
    auto tx = store_->Begin();
    WriteScope scope{*catalog_, *tx, *bus_, ctx.org_id, ctx.user_id};
    Result out;
    for (size_t i = 0; i < records.size(); ++i) {
      const ObjectDef& obj = *objs[i];
      Record& rec = records[i];
      out.value.push_back(InSavepoint(*tx, [&]() -> RecordResult {
        Error err;
        auto update_by_id = [&](const std::string& raw_id, Record changes) -> RecordResult {
          auto id = NormalizeId(raw_id);
          if (!id || KeyPrefixOf(*id) != obj.key_prefix) {
            return Failed({StatusCode::kMalformedId,
                           obj.label + " ID: id value of incorrect type: " + raw_id,
                           {"Id"}});
          }
          if (!LoadForWrite(scope, obj, *id, {}, false, &err)) return Failed(err);
          if (!UpdateRecord(scope, obj, *id, changes, &err)) return Failed(err);
          RecordResult r;
          r.id = *id;
          r.success = true;
          return r;
        };
        auto insert = [&](const Record& r) -> RecordResult {
          auto id = InsertRecord(scope, obj, r, &err);
          if (!id) return Failed(err);
          RecordResult ok;
          ok.id = *id;
          ok.success = true;
          ok.created = true;
          return ok;
        };
        if (mode == Write::kCreate) return insert(rec);
        if (mode == Write::kUpdate) {
          if (!obj.Supports(Call::kUpdate)) {
            return Failed({StatusCode::kCannotInsertUpdateActivateEntity,
                           "entity type cannot be updated: " + obj.label,
                           {}});
          }
          const Value* id = rec.Find("Id");
          if (!id || !*id) {
            return Failed({StatusCode::kMissingArgument, "Id not specified in an update call", {}});
          }
          return update_by_id(**id, rec);
        }
        // Upsert: match on Id or the idLookup field, then update or insert.
        if (!obj.Supports(Call::kUpsert)) {
          return Failed({StatusCode::kCannotInsertUpdateActivateEntity,
                         "entity type cannot be upserted: " + obj.label,
                         {}});
        }
        const FieldDef& match = *match_fields[i];
        const Value* key = rec.Find(match.name);
        if (match.name == "Id") {
          if (!key || !*key) {
            Record without_id = rec;
            without_id.fields.erase(
                std::remove_if(without_id.fields.begin(), without_id.fields.end(),
                               [](const auto& f) { return f.first == "Id"; }),
                without_id.fields.end());
            return insert(without_id);
          }
          return update_by_id(**key, rec);
        }
        if (!key || !*key) {
          return Failed({StatusCode::kMissingArgument, match.name + " not specified", {}});
        }
        auto ids = tx->FindIdsByValue(ctx.org_id, obj, match, **key, false);
        if (ids.size() > 1) {
          std::string list;
          for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
          return Failed(
              {StatusCode::kDuplicateExternalId,
               match.label + ": more than one record found for external id field: [" + list + "]",
               {match.name}});
        }
        if (ids.empty()) return insert(rec);
        Record changes = rec;
        // The matching value is already on the record: leave it out when it cannot be updated.
        if (!match.updateable) {
          changes.fields.erase(std::remove_if(changes.fields.begin(), changes.fields.end(),
                                              [&](const auto& f) { return f.first == match.name; }),
                               changes.fields.end());
        }
        return update_by_id(ids[0], changes);
      }));
    }
    bool commit = true;
    if (opts.all_or_none) ApplyAllOrNone(&out.value, &commit);
    if (commit) tx->Commit();
    return out;
  } catch (const storage::StorageError& e) {
    return Result::Fail(StorageFault(e));
  }
}

Outcome<std::vector<RecordResult>> Dispatcher::Delete(const CallContext& ctx,
                                                      const std::vector<std::string>& ids,
                                                      const CallOptions& opts) {
  return Bin(ctx, false, ids, opts);
}
Outcome<std::vector<RecordResult>> Dispatcher::Undelete(const CallContext& ctx,
                                                        const std::vector<std::string>& ids,
                                                        const CallOptions& opts) {
  return Bin(ctx, true, ids, opts);
}

Outcome<std::vector<RecordResult>> Dispatcher::Bin(const CallContext& ctx, bool undelete,
                                                   const std::vector<std::string>& ids,
                                                   const CallOptions& opts) {
  using Result = Outcome<std::vector<RecordResult>>;
  if (ids.size() > static_cast<size_t>(kMaxRecordsPerCall)) {
    return Result::Fail(ExceededIdLimitFault(kMaxRecordsPerCall));
  }
  try {
    auto tx = store_->Begin();
    WriteScope scope{*catalog_, *tx, *bus_, ctx.org_id, ctx.user_id};
    Result out;
    for (const auto& raw : ids) {
      out.value.push_back(InSavepoint(*tx, [&]() -> RecordResult {
        auto id = NormalizeId(raw);
        if (!id) return Failed({StatusCode::kMalformedId, "bad id " + raw, {}});
        const ObjectDef* obj = catalog_->FindByKeyPrefix(KeyPrefixOf(*id));
        if (!obj) {
          return Failed({StatusCode::kInvalidCrossReferenceKey, "invalid cross reference id", {}},
                        *id);
        }
        Call call = undelete ? Call::kUndelete : Call::kDelete;
        if (!obj->Supports(call)) {
          // LIMITATIONS: no capture of the real org's answer exists; see CATALOG-DECISIONS.md.
          return Failed({StatusCode::kInvalidTypeForOperation,
                         std::string("entity type cannot be ") +
                             (undelete ? "undeleted: " : "deleted: ") + obj->label,
                         {}},
                        *id);
        }
        Error err;
        auto current = LoadForWrite(scope, *obj, *id, FieldsNeededForDelete(*obj), true, &err);
        if (!current) return Failed(err, *id);
        bool in_bin = *current->Find("IsDeleted") == std::optional<std::string>("true");
        if (undelete && !in_bin) {
          return Failed({StatusCode::kUndeleteFailed, "Entity is not in the recycle bin", {}}, *id);
        }
        if (!undelete && in_bin) {
          return Failed({StatusCode::kEntityIsDeleted, "entity is deleted", {}}, *id);
        }
        if (!undelete) {
          if (auto refused = CheckDeletable(*obj, *current)) return Failed(*refused, *id);
        }
        tx->SetDeleted(ctx.org_id, *obj, *id, !undelete, ctx.user_id, tx->Now());
        Record values;
        values.type = obj->name;
        values.Set("IsDeleted", undelete ? "false" : "true");
        bus_->Publish(
            ChangeEvent{undelete ? ChangeEvent::Kind::kUndeleted : ChangeEvent::Kind::kDeleted,
                        ctx.org_id, ctx.user_id, obj, *id, values},
            *tx);
        RecordResult r;
        r.id = *id;
        r.success = true;
        return r;
      }));
    }
    bool commit = true;
    if (opts.all_or_none) ApplyAllOrNone(&out.value, &commit);
    if (commit) tx->Commit();
    return out;
  } catch (const storage::StorageError& e) {
    return Result::Fail(StorageFault(e));
  }
}

Outcome<std::vector<std::optional<Record>>> Dispatcher::Retrieve(
    const CallContext& ctx, const std::string& field_list, const std::string& type,
    const std::vector<std::string>& ids) {
  using Result = Outcome<std::vector<std::optional<Record>>>;
  const ObjectDef* obj = catalog_->FindObject(type);
  if (!obj) return Result::Fail(InvalidTypeFault(type));
  if (!obj->Supports(Call::kRetrieve)) {
    return Result::Fail(Fault{ExceptionCode::kInvalidTypeForOperation, FaultKind::kApiFault,
                              "entity type " + obj->name + " does not support retrieve"});
  }
  if (ids.size() > static_cast<size_t>(kMaxRetrieveIds)) {
    return Result::Fail(ExceededIdLimitFault(kMaxRetrieveIds));
  }
  // retrieve() is reported as an internal SELECT: unknown fields get the SOQL-style position.
  std::string soql = "SELECT " + field_list + " FROM " + obj->name;
  std::vector<const FieldDef*> fields;
  size_t pos = 0;
  while (pos <= field_list.size()) {
    size_t comma = field_list.find(',', pos);
    if (comma == std::string::npos) comma = field_list.size();
    size_t b = pos, e = comma;
    while (b < e && std::isspace(static_cast<unsigned char>(field_list[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(field_list[e - 1]))) --e;
    std::string name = field_list.substr(b, e - b);
    if (!name.empty()) {
      const FieldDef* f = obj->FindField(name);
      if (!f) {
        Fault fault = NoSuchColumnFault(name, obj->name);
        int column = static_cast<int>(7 + b + 1);
        fault.message = "\n" + soql + "\n" + std::string(column - 1, ' ') +
                        "^\nERROR at Row:1:Column:" + std::to_string(column) + "\n" + fault.message;
        fault.row = 1;
        fault.column = column;
        return Result::Fail(fault);
      }
      if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
    }
    pos = comma + 1;
  }
  std::vector<std::string> normalized;
  for (const auto& raw : ids) {
    auto id = NormalizeId(raw);
    if (!id) {
      return Result::Fail(
          Fault{ExceptionCode::kMalformedId, FaultKind::kApiFault, "malformed id " + raw});
    }
    normalized.push_back(*id);
  }
  try {
    auto tx = store_->Begin();
    std::vector<std::string> mine;
    for (const auto& id : normalized) {
      if (KeyPrefixOf(id) == obj->key_prefix) mine.push_back(id);
    }
    auto rows = tx->SelectByIds(ctx.org_id, *obj, mine, fields, false);
    Result out;
    for (const auto& id : normalized) {
      std::optional<Record> found;
      for (const auto& r : rows) {
        if (*r.Find("Id") == std::optional<std::string>(id)) found = r;
      }
      out.value.push_back(found);
    }
    return out;
  } catch (const storage::StorageError& e) {
    return Result::Fail(StorageFault(e));
  }
}

}  // namespace omni
