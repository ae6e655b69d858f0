#include "server/dispatcher/record_checks.h"

#include <algorithm>

#include "server/core/sf_id.h"
#include "server/dispatcher/field_values.h"
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

Error RequiredMissing(const std::vector<std::string>& fields) {
  return Error{StatusCode::kRequiredFieldMissing,
               "Required fields are missing: [" + JoinNames(fields) + "]", fields};
}

// Normalises every value, checks references and unique fields. Fills *out with canonical values.
bool CheckValues(const WriteScope& s, const ObjectDef& obj, const Record& rec,
                 const std::string& own_id, Record* out, Error* error) {
  for (const auto& [name, raw] : rec.fields) {
    const FieldDef* f = obj.FindField(name);
    Value v;
    if (raw) {
      auto norm = NormalizeValue(*f, *raw, error);
      if (!norm) return false;
      v = *norm;
    }
    if (v && f->type == FieldType::kReference) {
      const ObjectDef* target = s.catalog.FindByKeyPrefix(KeyPrefixOf(*v));
      bool allowed = target && std::find(f->reference_to.begin(), f->reference_to.end(),
                                         target->name) != f->reference_to.end();
      if (!allowed) {
        *error = Error{StatusCode::kInvalidCrossReferenceKey,
                       f->label + ": id value of incorrect type: " + *v,
                       {f->name}};
        return false;
      }
      if (s.tx.SelectByIds(s.org_id, *target, {*v}, {}, false).empty()) {
        *error = Error{StatusCode::kInvalidCrossReferenceKey, "invalid cross reference id", {}};
        return false;
      }
    }
    if (v && f->unique) {
      for (const auto& other : s.tx.FindIdsByValue(s.org_id, obj, *f, *v, true)) {
        if (other == own_id) continue;
        *error = Error{
            StatusCode::kDuplicateValue,
            "duplicate value found: " + f->name + " duplicates value on record with id: " + other,
            {f->name}};
        return false;
      }
    }
    out->Set(f->name, v);
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

Error DuplicateFromIndex(const ObjectDef& obj, const Record& values) {
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

}  // namespace

std::optional<std::string> InsertRecord(const WriteScope& s, const ObjectDef& obj,
                                        const Record& rec, Error* error,
                                        const std::string* forced_id) {
  if (!obj.Supports(Call::kCreate)) {
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
    if (!obj.FindField(name)->createable) bad.push_back(name);
  }
  std::vector<std::string> required;
  for (const auto& name : rec.fields_to_null) {
    const FieldDef* f = obj.FindField(name);
    if (!f->createable)
      bad.push_back(f->name);
    else if (!f->nillable)
      required.push_back(f->name);
  }
  if (!bad.empty()) {
    *error = NotWritable(bad);
    return std::nullopt;
  }
  Record values;
  if (!CheckValues(s, obj, rec, "", &values, error)) return std::nullopt;
  for (const auto& f : obj.fields) {
    if (!f.createable || f.nillable || f.defaulted_on_create || f.type == FieldType::kBoolean) {
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
  std::string id = forced_id ? *forced_id : MakeId(obj.key_prefix, s.tx.NextIdSequence());
  std::string now = s.tx.Now();
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
      v = FormatAutoNumber(f.auto_number_format, s.tx.NextAutoNumber(s.org_id, obj, f));
    else if (f.default_value)
      v = *f.default_value;
    else if (f.type == FieldType::kBoolean)
      v = "false";
    row.fields.emplace_back(f.name, v);
  }
  FillComputedFields(obj, &row);
  try {
    s.tx.Insert(s.org_id, obj, row);
  } catch (const storage::UniqueViolation&) {
    *error = DuplicateFromIndex(obj, row);
    return std::nullopt;
  }
  s.bus.Publish(ChangeEvent{ChangeEvent::Kind::kCreated, s.org_id, s.user_id, &obj, id, row}, s.tx);
  return id;
}

std::optional<Record> LoadForWrite(const WriteScope& s, const ObjectDef& obj, const std::string& id,
                                   std::vector<const FieldDef*> fields, bool allow_deleted,
                                   Error* error) {
  fields.push_back(obj.FindField("IsDeleted"));
  auto rows = s.tx.SelectByIds(s.org_id, obj, {id}, fields, true);
  if (rows.empty()) {
    *error = Error{StatusCode::kInvalidCrossReferenceKey, "invalid cross reference id", {}};
    return std::nullopt;
  }
  const Value* deleted = rows[0].Find("IsDeleted");
  if (!allow_deleted && deleted && *deleted == std::optional<std::string>("true")) {
    *error = Error{StatusCode::kEntityIsDeleted, "entity is deleted", {}};
    return std::nullopt;
  }
  return rows[0];
}

bool UpdateRecord(const WriteScope& s, const ObjectDef& obj, const std::string& id,
                  const Record& rec, Error* error) {
  std::vector<std::string> bad, required;
  Record changes_in;
  for (const auto& [name, v] : rec.fields) {
    if (name == "Id") continue;
    if (!obj.FindField(name)->updateable) bad.push_back(name);
    changes_in.fields.emplace_back(name, v);
  }
  for (const auto& name : rec.fields_to_null) {
    const FieldDef* f = obj.FindField(name);
    if (!f->updateable)
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
  // A change to an input of a computed field recomputes it from the inputs after the update.
  std::vector<const FieldDef*> inputs = FieldsNeededForComputed(obj);
  bool inputs_changed = std::any_of(inputs.begin(), inputs.end(), [&](const FieldDef* f) {
    return changes.Find(f->name) != nullptr;
  });
  if (inputs_changed) {
    auto rows = s.tx.SelectByIds(s.org_id, obj, {id}, inputs, true);
    Record merged = rows.empty() ? Record{} : rows[0];
    for (const auto& [name, v] : changes.fields) merged.Set(name, v);
    FillComputedFields(obj, &merged);
    changes.Set("Name", *merged.Find("Name"));
  }
  std::string now = s.tx.Now();
  changes.Set("LastModifiedById", s.user_id);
  changes.Set("LastModifiedDate", now);
  changes.Set("SystemModstamp", now);
  try {
    s.tx.Update(s.org_id, obj, id, changes);
  } catch (const storage::UniqueViolation&) {
    *error = DuplicateFromIndex(obj, changes);
    return false;
  }
  s.bus.Publish(ChangeEvent{ChangeEvent::Kind::kUpdated, s.org_id, s.user_id, &obj, id, changes},
                s.tx);
  return true;
}

}  // namespace omni
