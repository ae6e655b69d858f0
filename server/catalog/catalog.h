// Catalog: the objects, fields, properties and supported calls of the emulated org, loaded once
// from wsdl/catalog.xml. It is the single source of truth: validation, describe, the database
// schema and the enterprise WSDL are all derived from it. Immutable after Load(); thread-safe for
// concurrent readers.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace omni {

enum class FieldType {
  kId,
  kReference,
  kString,
  kTextarea,
  kPicklist,
  kBoolean,
  kInt,
  kDouble,
  kPercent,
  kDatetime,
  kDate,
  kEmail,
  kPhone,
  kUrl,
};

// Whether a field of this type holds text (string, textarea, picklist, email, phone, url).
inline bool IsTextType(FieldType t) {
  return t == FieldType::kString || t == FieldType::kTextarea || t == FieldType::kPicklist ||
         t == FieldType::kEmail || t == FieldType::kPhone || t == FieldType::kUrl;
}

// The calls a guide's "Supported Calls" line can list.
enum class Call {
  kCreate,
  kDelete,
  kQuery,
  kGetDeleted,
  kGetUpdated,
  kRetrieve,
  kUndelete,
  kUpdate,
  kUpsert,
  kDescribeSObjects,
  kDescribeLayout,
  kSearch,
};

const char* CallName(Call call);
const char* FieldTypeName(FieldType type);  // describe's fieldType ("datetime", "reference")
const char* SoapTypeName(FieldType type);   // describe's soapType ("xsd:dateTime", "tns:ID")
const char* SqlTypeName(FieldType type);    // the PostgreSQL column type

struct FieldDef {
  std::string name;
  std::string label;
  FieldType type = FieldType::kString;
  int length = 0;     // strings and picklists; 0 otherwise
  int precision = 0;  // double and percent
  int scale = 0;
  bool createable = false, updateable = false, nillable = false, defaulted_on_create = false;
  bool filterable = false, groupable = false, sortable = false, restricted_picklist = false;
  bool unique = false, id_lookup = false, auto_number = false, name_field = false;
  bool system = false;  // one of the system fields every sObject has
  // The object's DeveloperName: letters, digits and single underscores, unique per object in the
  // org whatever the case, generated from the name field when a create leaves it out.
  bool developer_name = false;
  std::optional<std::string> default_value;
  std::string auto_number_format;
  std::vector<std::string> picklist_values;
  std::vector<std::string> reference_to;
  std::string relationship_name;

  bool IsPicklistValue(const std::string& v) const;
};

struct ObjectDef {
  std::string name, label, label_plural, key_prefix;
  bool supporting = false;  // User, Profile, Group, Case: present so references resolve
  std::set<Call> calls;
  std::vector<FieldDef> fields;  // system fields first, then the object's own, in catalog order

  bool Supports(Call c) const { return calls.count(c) > 0; }
  // Case-insensitive lookup, as Salesforce resolves field names. nullptr when unknown.
  const FieldDef* FindField(const std::string& name) const;
  // The name of the object's table in storage (lowercase object name).
  std::string TableName() const;
  // The column that stores a field (lowercase field name; PostgreSQL folds identifiers).
  static std::string ColumnName(const FieldDef& f);
  // The field flagged developer_name, or nullptr.
  const FieldDef* DeveloperNameField() const;
  // The name field (nameField="true": MasterLabel, Name, ...), or nullptr.
  const FieldDef* NameField() const;
};

class Catalog {
 public:
  // Loads the catalog from an XML file. On success returns it; on failure returns nullptr and
  // sets *error to the reason (file unreadable, malformed XML, unknown type or property, a
  // reference to an object that is not in the catalog, a duplicate key prefix).
  static std::shared_ptr<const Catalog> Load(const std::string& path, std::string* error);

  // Case-insensitive lookup by API name. nullptr when the catalog has no such object.
  const ObjectDef* FindObject(const std::string& name) const;
  // The object whose Ids carry this 3-character key prefix, or nullptr.
  const ObjectDef* FindByKeyPrefix(const std::string& prefix) const;
  const std::vector<ObjectDef>& objects() const { return objects_; }
  const std::string& api_version() const { return api_version_; }

 private:
  std::vector<ObjectDef> objects_;
  std::map<std::string, size_t> by_lower_name_;
  std::map<std::string, size_t> by_prefix_;
  std::string api_version_;
};

std::string ToLower(std::string s);

}  // namespace omni
