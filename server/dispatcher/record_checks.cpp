#include "server/dispatcher/record_checks.h"

#include <algorithm>
#include <stdexcept>

#include "server/core/sf_id.h"
#include "server/core/unexpected.h"
#include "server/dispatcher/developer_names.h"
#include "server/dispatcher/field_values.h"
#include "server/dispatcher/push_topic_rules.h"
#include "server/dispatcher/record_writer.h"
#include "server/dispatcher/usage_rules.h"

namespace omni {

namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Error NotWritable(const std::vector<std::string>& fields) {
  return Error{StatusCode::kInvalidFieldForInsertUpdate,
               "Unable to create/update fields: " + JoinNames(fields) +
                   ". Please check the security settings of this field and verify that it is "
                   "read/write for your profile or permission set.",
               fields};
}

// What an org write (WriteScope::as_org) may set beyond the API: any field but a system field
// or an auto-number.
bool Createable(const WriteScope& s, const FieldDef& f) {
  return f.createable || (s.as_org && !f.system && !f.auto_number);
}
bool Updateable(const WriteScope& s, const FieldDef& f) {
  return f.updateable || (s.as_org && !f.system && !f.auto_number);
}

Error RequiredMissing(const std::vector<std::string>& fields) {
  return Error{StatusCode::kRequiredFieldMissing,
               "Required fields are missing: [" + JoinNames(fields) + "]", fields};
}

// Normalises every value, checks references and unique fields (all checks in one round trip).
// Fills *out with canonical values. Reports the first problem in field order.
bool CheckValues(const WriteScope& s, const ObjectDef& obj, const Record& rec,
                 const std::string& own_id, Record* out, Error* error) {
  std::vector<Value> values;
  std::optional<size_t> bad_at;
  Error bad;
  for (size_t i = 0; i < rec.fields.size() && !bad_at; ++i) {
    const auto& [name, raw] = rec.fields[i];
    const FieldDef* f = obj.FindField(name);
    Value v;
    // Salesforce keeps no empty text: an empty value is null (a required field then is missing,
    // and the record answers xsi:nil), as in an org.
    const bool empty_text = raw && raw->empty() && IsTextType(f->type);
    if (raw && !empty_text) {
      auto norm = NormalizeValue(*f, *raw, &bad);
      if (!norm) {
        bad_at = i;
        break;
      }
      v = *norm;
      if (f->developer_name) {
        if (auto e = CheckDeveloperName(*f, *v)) {
          bad = *e;
          bad_at = i;
          break;
        }
      }
    }
    if (v && f->type == FieldType::kReference) {
      const ObjectDef* target = s.catalog.FindByKeyPrefix(KeyPrefixOf(*v));
      bool allowed = target && std::find(f->reference_to.begin(), f->reference_to.end(),
                                         target->name) != f->reference_to.end();
      if (!allowed) {
        bad = Error{StatusCode::kInvalidCrossReferenceKey,
                    f->label + ": id value of incorrect type: " + *v,
                    {f->name}};
        bad_at = i;
        break;
      }
    }
    values.push_back(v);
  }
  // The database checks of the fields before the first local problem, batched.
  std::vector<storage::ValueCheck> checks;
  std::vector<size_t> check_field;
  for (size_t i = 0; i < values.size(); ++i) {
    const FieldDef* f = obj.FindField(rec.fields[i].first);
    const Value& v = values[i];
    if (!v) continue;
    if (f->type == FieldType::kReference) {
      checks.push_back({storage::ValueCheck::Kind::kReferenceExists,
                        s.catalog.FindByKeyPrefix(KeyPrefixOf(*v)), nullptr, *v, ""});
      check_field.push_back(i);
    }
    if (f->unique) {
      checks.push_back({storage::ValueCheck::Kind::kUniqueHolders, &obj, f, *v, own_id});
      check_field.push_back(i);
    }
  }
  auto answers = s.tx.records().RunChecks(s.org_id, checks);
  for (size_t k = 0; k < checks.size(); ++k) {
    const FieldDef* f = obj.FindField(rec.fields[check_field[k]].first);
    if (checks[k].kind == storage::ValueCheck::Kind::kReferenceExists) {
      if (answers[k].empty()) {
        *error = Error{StatusCode::kInvalidCrossReferenceKey, "invalid cross reference id", {}};
        return false;
      }
    } else if (!answers[k].empty()) {
      *error = Error{StatusCode::kDuplicateValue,
                     "duplicate value found: " + f->name +
                         " duplicates value on record with id: " + answers[k][0],
                     {f->name}};
      return false;
    }
  }
  if (bad_at) {
    *error = bad;
    return false;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    out->Set(obj.FindField(rec.fields[i].first)->name, values[i]);
  }
  for (const auto& name : rec.fields_to_null) out->Set(obj.FindField(name)->name, std::nullopt);
  return true;
}

std::string FormatAutoNumber(const std::string& format, std::uint64_t n) {
  auto open = format.find('{'), close = format.find('}');
  std::string digits = std::to_string(n);
  if (open == std::string::npos || close == std::string::npos || close < open) return digits;
  size_t width = close - open - 1;
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return format.substr(0, open) + digits + format.substr(close + 1);
}

Error DuplicateFromIndex(const ObjectDef& obj, const Record& values,
                         const storage::UniqueViolation& violation) {
  const FieldDef* dev = obj.DeveloperNameField();
  if (dev && violation.IsOnField(obj, *dev)) return DuplicateDeveloperName(obj, *dev);
  for (const auto& f : obj.fields) {
    const Value* v = values.Find(f.name);
    if (f.unique && v && *v) {
      return Error{StatusCode::kDuplicateValue,
                   "duplicate value found: " + f.name + " duplicates value on another record",
                   {f.name}};
    }
  }
  return Error{StatusCode::kDuplicateValue, "duplicate value found", {}};
}

storage::ChangeKind LogKind(ChangeEvent::Kind kind) {
  switch (kind) {
    case ChangeEvent::Kind::kCreated:
      return storage::ChangeKind::kCreated;
    case ChangeEvent::Kind::kUpdated:
      return storage::ChangeKind::kUpdated;
    case ChangeEvent::Kind::kDeleted:
      return storage::ChangeKind::kDeleted;
    case ChangeEvent::Kind::kUndeleted:
      return storage::ChangeKind::kUndeleted;
  }
  return storage::ChangeKind::kUpdated;
}

// Queues the change-log row, applies call-throw fault injection, and publishes the change. A
// listener's lost lock fight fails the record with UNABLE_TO_LOCK_ROW, any other exception of a
// listener with UNKNOWN_EXCEPTION; an exception of our own escapes to the call's catch-all.
bool Changed(const WriteScope& s, const ObjectDef& obj, ChangeEvent::Kind kind,
             const std::string& id, const Record* before, const Record& after, Error* error) {
  storage::ChangeRow row{LogKind(kind), s.org_id,
                         obj.name,      id,
                         s.user_id,     before ? std::optional<Record>(*before) : std::nullopt,
                         after};
  s.tx.changes().Append(std::move(row));
  if (s.faults && s.faults->CallThrows(obj.name)) {
    throw std::logic_error("fault injection: call-throw:" + obj.name + " on " + id);
  }
  ChangeEvent event{kind, s.org_id, s.user_id, &obj, id, before, &after};
  ScopedRecordWriter writer(s);
  try {
    s.bus.Publish(event, writer);
  } catch (const ChangeRefused& refused) {
    *error = refused.error;
    return false;
  } catch (const storage::LockConflict&) {
    // A listener's write lost a lock fight (its own savepoint is undone): the record fails as a
    // write of its own would (CATALOG-DECISIONS P1).
    *error = UnableToLockRowError();
    return false;
  } catch (...) {
    *error = UnexpectedError("change listener on " + obj.name + " " + id, CurrentExceptionText());
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> InsertRecord(const WriteScope& s, const ObjectDef& obj,
                                        const Record& rec, Error* error,
                                        const std::string* forced_id) {
  if (!obj.Supports(Call::kCreate) && !s.as_org) {
    *error = Error{StatusCode::kCannotInsertUpdateActivateEntity,
                   "entity type cannot be inserted: " + obj.label,
                   {}};
    return std::nullopt;
  }
  if (rec.Find("Id")) {
    *error = Error{
        StatusCode::kInvalidFieldForInsertUpdate, "cannot specify Id in an insert call", {"Id"}};
    return std::nullopt;
  }
  std::vector<std::string> bad;
  for (const auto& [name, v] : rec.fields) {
    if (!Createable(s, *obj.FindField(name))) bad.push_back(name);
  }
  std::vector<std::string> required;
  for (const auto& name : rec.fields_to_null) {
    const FieldDef* f = obj.FindField(name);
    if (!Createable(s, *f))
      bad.push_back(f->name);
    else if (!f->nillable)
      required.push_back(f->name);
  }
  if (!bad.empty()) {
    *error = NotWritable(bad);
    return std::nullopt;
  }
  Record values;
  // From here on InsertRecord only reads (checks, name lookups) until its insert, and after it
  // only Changed() runs: with no listener and no injected fault there, the call's one statement
  // can be its insert, change-log row and commit together.
  if (s.lone_record && s.depth == 0 && !s.bus.Wants(obj) &&
      !(s.faults && s.faults->CallThrows(obj.name))) {
    s.tx.ExpectLoneInsert(s.user_id);
  }
  if (!CheckValues(s, obj, rec, "", &values, error)) return std::nullopt;
  // A DeveloperName left out (or sent as nil) is generated from the name field, as Salesforce
  // does; one named in fieldsToNull stays a missing required value.
  const FieldDef* dev = obj.DeveloperNameField();
  const FieldDef* label = obj.NameField();
  const Value* given_dev = dev ? values.Find(dev->name) : nullptr;
  const Value* given_label = label ? values.Find(label->name) : nullptr;
  if (dev && label && (!given_dev || !*given_dev) && given_label && *given_label &&
      !(*given_label)->empty() &&
      std::find(required.begin(), required.end(), dev->name) == required.end()) {
    values.Set(dev->name, GenerateDeveloperName(s, obj, *dev, **given_label));
  }
  for (const auto& f : obj.fields) {
    // An org write may leave out a field the API cannot set that has a default (AgentWork's
    // Status: Assigned); the API's required fields stay as they were.
    if (!Createable(s, f) || f.nillable || f.defaulted_on_create || f.type == FieldType::kBoolean ||
        (s.as_org && !f.createable && f.default_value)) {
      continue;
    }
    const Value* v = values.Find(f.name);
    if ((!v || !*v) && std::find(required.begin(), required.end(), f.name) == required.end()) {
      required.push_back(f.name);
    }
  }
  if (!required.empty()) {
    *error = RequiredMissing(required);
    return std::nullopt;
  }
  if (auto refused = CheckPushTopic(s.catalog, obj, values, nullptr, s.now)) {
    *error = *refused;
    return std::nullopt;
  }
  LockScopeFor(s, obj);  // before the auto-number's counter row
  std::string id = forced_id ? *forced_id : MakeId(obj.key_prefix, s.tx.records().NextId());
  const std::string& now = s.now;
  Record row;
  row.type = obj.name;
  for (const auto& f : obj.fields) {
    const Value* given = values.Find(f.name);
    Value v;
    if (f.name == "Id")
      v = id;
    else if (f.name == "IsDeleted")
      v = "false";
    else if (f.name == "CreatedById" || f.name == "LastModifiedById")
      v = s.user_id;
    else if (f.name == "CreatedDate" || f.name == "LastModifiedDate" || f.name == "SystemModstamp")
      v = now;
    else if (given)
      v = *given;
    // An owner that is defaulted on create is the caller, as in a real org (catalog: Case).
    else if (f.name == "OwnerId" && f.defaulted_on_create && !f.default_value)
      v = s.user_id;
    else if (f.auto_number)
      v = FormatAutoNumber(f.auto_number_format, s.tx.records().NextAutoNumber(s.org_id, obj, f));
    else if (f.default_value)
      v = *f.default_value;
    else if (f.type == FieldType::kBoolean)
      v = "false";
    row.fields.emplace_back(f.name, v);
  }
  FillComputedFields(obj, &row);
  CountChange(obj, nullptr, &row);
  Record stored;
  try {
    stored = s.tx.records().Insert(s.org_id, obj, row);
  } catch (const storage::UniqueViolation& violation) {
    *error = DuplicateFromIndex(obj, row, violation);
    return std::nullopt;
  }
  if (!Changed(s, obj, ChangeEvent::Kind::kCreated, id, nullptr, stored, error)) {
    return std::nullopt;
  }
  return id;
}

std::optional<Record> LoadForWrite(const WriteScope& s, const ObjectDef& obj, const std::string& id,
                                   bool allow_deleted, Error* error) {
  LockScopeFor(s, obj);
  auto row = s.tx.records().LockRow(s.org_id, obj, id);
  if (!row) {
    *error = Error{StatusCode::kInvalidCrossReferenceKey, "invalid cross reference id", {}};
    return std::nullopt;
  }
  const Value* deleted = row->Find("IsDeleted");
  if (!allow_deleted && deleted && *deleted == std::optional<std::string>("true")) {
    *error = Error{StatusCode::kEntityIsDeleted, "entity is deleted", {}};
    return std::nullopt;
  }
  return row;
}

bool UpdateRecord(const WriteScope& s, const ObjectDef& obj, const Record& before,
                  const Record& rec, Error* error) {
  const std::string id = **before.Find("Id");
  std::vector<std::string> bad, required;
  Record changes_in;
  for (const auto& [name, v] : rec.fields) {
    if (name == "Id") continue;
    if (!Updateable(s, *obj.FindField(name))) bad.push_back(name);
    changes_in.fields.emplace_back(name, v);
  }
  for (const auto& name : rec.fields_to_null) {
    const FieldDef* f = obj.FindField(name);
    if (!Updateable(s, *f))
      bad.push_back(f->name);
    else if (!f->nillable)
      required.push_back(f->name);
    else
      changes_in.fields_to_null.push_back(f->name);
  }
  if (!bad.empty()) {
    *error = NotWritable(bad);
    return false;
  }
  Record changes;
  if (!CheckValues(s, obj, changes_in, id, &changes, error)) return false;
  for (const auto& [name, v] : changes.fields) {
    if (!v && !obj.FindField(name)->nillable &&
        std::find(required.begin(), required.end(), name) == required.end()) {
      required.push_back(name);
    }
  }
  if (!required.empty()) {
    *error = RequiredMissing(required);
    return false;
  }
  if (auto refused = CheckPushTopic(s.catalog, obj, changes, &before, s.now)) {
    *error = *refused;
    return false;
  }
  // A change to an input of a computed field recomputes it from the inputs after the update.
  std::vector<const FieldDef*> inputs = FieldsNeededForComputed(obj);
  bool inputs_changed = std::any_of(inputs.begin(), inputs.end(), [&](const FieldDef* f) {
    return changes.Find(f->name) != nullptr;
  });
  if (inputs_changed) {
    Record merged = before;
    for (const auto& [name, v] : changes.fields) merged.Set(name, v);
    FillComputedFields(obj, &merged);
    CopyComputedFields(obj, merged, &changes);
  }
  CountChange(obj, &before, &changes);
  changes.Set("LastModifiedById", s.user_id);
  changes.Set("LastModifiedDate", s.now);
  changes.Set("SystemModstamp", s.now);
  std::optional<Record> stored;
  try {
    stored = s.tx.records().Update(s.org_id, obj, id, changes);
  } catch (const storage::UniqueViolation& violation) {
    *error = DuplicateFromIndex(obj, changes, violation);
    return false;
  }
  if (!stored) {
    *error = Error{StatusCode::kInvalidCrossReferenceKey, "invalid cross reference id", {}};
    return false;
  }
  return Changed(s, obj, ChangeEvent::Kind::kUpdated, id, &before, *stored, error);
}

bool BinRecord(const WriteScope& s, const ObjectDef& obj, const Record& before, bool undelete,
               Error* error) {
  const std::string id = **before.Find("Id");
  auto stored = s.tx.records().SetDeleted(s.org_id, obj, id, !undelete, s.user_id, s.now);
  if (!stored) {
    *error = Error{StatusCode::kInvalidCrossReferenceKey, "invalid cross reference id", {}};
    return false;
  }
  return Changed(s, obj, undelete ? ChangeEvent::Kind::kUndeleted : ChangeEvent::Kind::kDeleted, id,
                 &before, *stored, error);
}

}  // namespace omni
