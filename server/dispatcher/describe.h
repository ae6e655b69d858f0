// Describe: describeGlobal, describeSObject and describeSObjects as plain values, free of any wire
// format. Every value is derived from the catalog (object calls and field properties): nothing
// here names an object or a field, so describe can never disagree with what the dispatcher
// enforces. The SOAP adapters (server/soap/describe_ops.cpp) copy these structs into the partner
// and enterprise result types.
//
// Thread-safety: DescribeService is immutable after construction and safe to share; the free
// functions are pure.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/dispatcher/dispatcher.h"

namespace omni {

// PicklistEntry.
struct DescribePicklistEntry {
  bool active = true;
  bool default_value = false;
  std::string label;
  std::string value;
};

// Field, with every element of the WSDL's Field type the emulator emits (the optional ones it
// leaves out — calculatedFormula, inlineHelpText, mask, ... — have no catalog source).
struct DescribeField {
  std::string name, label;
  const char* type = "string";           // fieldType ("datetime", "reference")
  const char* soap_type = "xsd:string";  // soapType ("xsd:dateTime", "tns:ID")
  int length = 0, byte_length = 0, digits = 0, precision = 0, scale = 0;
  bool aggregatable = false, ai_prediction_field = false, auto_number = false;
  bool calculated = false, cascade_delete = false, case_sensitive = false;
  bool createable = false, custom = false, defaulted_on_create = false;
  bool dependent_picklist = false, deprecated_and_hidden = false;
  bool display_location_in_decimal = false, encrypted = false, external_id = false;
  bool filterable = false, formula_treat_null_number_as_zero = false, groupable = false;
  bool high_scale_number = false, html_formatted = false, id_lookup = false;
  bool name_field = false, name_pointing = false, nillable = false, permissionable = false;
  bool polymorphic_foreign_key = false, query_by_distance = false, restricted_delete = false;
  bool restricted_picklist = false, search_prefilterable = false, sortable = false;
  bool unique = false, updateable = false, write_requires_master_read = false;
  // Field.defaultValue (xsd:anyType): the catalog default, typed as default_value_type says
  // ("xsd:boolean" for checkboxes, "xsd:string" otherwise). Unset when the field has none.
  std::optional<std::string> default_value;
  const char* default_value_type = "xsd:string";
  std::vector<DescribePicklistEntry> picklist_values;
  std::vector<std::string> reference_to;
  std::optional<std::string> relationship_name;
};

// ChildRelationship: a reference field of some catalog object that points at this object.
struct DescribeChildRelationship {
  std::string child_sobject, field;
  bool cascade_delete = false, deprecated_and_hidden = false, restricted_delete = false;
};

// The object-level flags shared by DescribeGlobalSObjectResult and DescribeSObjectResult.
struct DescribeObjectFlags {
  std::string name, label, label_plural, key_prefix;
  bool activateable = false, createable = false, custom = false, custom_setting = false;
  bool deletable = false, deprecated_and_hidden = false, feed_enabled = false;
  bool has_subtypes = false, id_enabled = true, is_subtype = false, layoutable = false;
  bool mergeable = false, mru_enabled = false, queryable = false, replicateable = false;
  bool retrieveable = false, searchable = false, triggerable = false, undeletable = false;
  bool updateable = false;
};

struct DescribeSObjectValue {
  DescribeObjectFlags flags;
  bool compact_layoutable = false;
  bool search_layoutable = false;
  std::vector<DescribeChildRelationship> child_relationships;
  std::vector<DescribeField> fields;  // catalog order: system fields first
};

struct DescribeGlobalValue {
  std::string encoding = "UTF-8";
  int max_batch_size = kMaxRecordsPerCall;
  std::vector<DescribeObjectFlags> sobjects;  // catalog order
};

// describeSObjects accepts at most this many types per call (Salesforce's documented limit).
constexpr int kMaxDescribeSObjects = 100;

DescribeObjectFlags DescribeFlags(const ObjectDef& obj);
DescribeField DescribeFieldOf(const FieldDef& f);
DescribeSObjectValue DescribeObject(const Catalog& catalog, const ObjectDef& obj);
DescribeGlobalValue DescribeCatalog(const Catalog& catalog);

class DescribeService {
 public:
  // The catalog must outlive the service (it is the process's one catalog).
  explicit DescribeService(const Catalog& catalog);

  DescribeGlobalValue Global() const;
  // Fault INVALID_TYPE "sObject type 'X' is not supported." for a name the catalog lacks
  // (case-insensitive, as every call resolves names). Every catalog object can be described,
  // whatever its calls list says (CATALOG-DECISIONS B1).
  Outcome<DescribeSObjectValue> SObject(const std::string& type) const;
  // One result per type, in order (none for none). Faults: more than 100 types
  // (EXCEEDED_ID_LIMIT), or the first unknown type (INVALID_TYPE): the whole call fails, as
  // Salesforce fails it.
  Outcome<std::vector<DescribeSObjectValue>> SObjects(const std::vector<std::string>& types) const;

 private:
  const Catalog* catalog_;
  // Derived once: the catalog is immutable, and describe is called often by clients.
  DescribeGlobalValue global_;
  std::vector<DescribeSObjectValue> objects_;  // parallel to catalog_->objects()
};

}  // namespace omni
