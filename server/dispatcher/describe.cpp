#include "server/dispatcher/describe.h"

#include "server/core/unexpected.h"

namespace omni {

DescribeObjectFlags DescribeFlags(const ObjectDef& obj) {
  DescribeObjectFlags d;
  d.name = obj.name;
  d.label = obj.label;
  d.label_plural = obj.label_plural;
  d.key_prefix = obj.key_prefix;
  d.createable = obj.Supports(Call::kCreate);
  d.updateable = obj.Supports(Call::kUpdate);
  d.deletable = obj.Supports(Call::kDelete);
  d.undeletable = obj.Supports(Call::kUndelete);
  d.queryable = obj.Supports(Call::kQuery);
  d.retrieveable = obj.Supports(Call::kRetrieve);
  // Replication is getUpdated/getDeleted: an object is replicateable when either is served.
  d.replicateable = obj.Supports(Call::kGetUpdated) || obj.Supports(Call::kGetDeleted);
  d.searchable = obj.Supports(Call::kSearch);
  d.layoutable = obj.Supports(Call::kDescribeLayout);
  // Apex triggers fire on DML: an object the API can write to is one a trigger can watch.
  d.triggerable = d.createable || d.updateable || d.deletable || d.undeletable;
  // Every catalog object is a standard, non-setting object with an Id field; nothing the catalog
  // describes merges, activates, feeds or has subtypes.
  d.id_enabled = true;
  return d;
}

DescribeField DescribeFieldOf(const FieldDef& f) {
  DescribeField d;
  d.name = f.name;
  d.label = f.label;
  d.type = FieldTypeName(f.type);
  d.soap_type = SoapTypeName(f.type);
  // Text types have a describe length that is a character count (byteLength = 3 x length:
  // UTF-8, as §4.2's Text(50) -> byteLength 150 shows).
  if (IsTextType(f.type)) {
    d.length = f.length;
    d.byte_length = 3 * f.length;
  } else if (f.type == FieldType::kId || f.type == FieldType::kReference) {
    d.length = f.length;  // 18 (the loader's default)
    d.byte_length = 18;
  }
  if (f.type == FieldType::kInt) d.digits = 9;
  if (f.type == FieldType::kDouble || f.type == FieldType::kPercent) {
    d.precision = f.precision;
    d.scale = f.scale;
  }
  d.createable = f.createable;
  d.updateable = f.updateable;
  d.nillable = f.nillable;
  d.defaulted_on_create = f.defaulted_on_create;
  d.filterable = f.filterable;
  d.groupable = f.groupable;
  d.sortable = f.sortable;
  d.unique = f.unique;
  d.id_lookup = f.id_lookup;
  d.auto_number = f.auto_number;
  d.name_field = f.name_field;
  d.restricted_picklist = f.restricted_picklist;
  // §4.2: IsDeleted (a checkbox) is not aggregatable; long text cannot be aggregated either.
  d.aggregatable = f.type != FieldType::kBoolean && f.type != FieldType::kTextarea;
  // Field-level security applies only to fields a profile may hide: not the system fields, and
  // not required ones (a real org never lets FLS hide a required field). Checkboxes are never
  // required (CATALOG-DECISIONS D18), so they are permissionable like optional fields.
  d.permissionable = !f.system && (f.nillable || f.type == FieldType::kBoolean);
  d.reference_to = f.reference_to;
  if (!f.relationship_name.empty()) d.relationship_name = f.relationship_name;
  d.polymorphic_foreign_key = f.reference_to.size() > 1;
  d.name_pointing = d.polymorphic_foreign_key;
  if (f.default_value) {
    d.default_value = *f.default_value;
    d.default_value_type = f.type == FieldType::kBoolean ? "xsd:boolean" : "xsd:string";
  }
  for (const auto& v : f.picklist_values) {
    DescribePicklistEntry e;
    e.active = true;
    e.default_value = f.default_value && *f.default_value == v;
    e.label = v;  // the catalog has API names only; a real org shows the same for these lists
    e.value = v;
    d.picklist_values.push_back(std::move(e));
  }
  return d;
}

DescribeSObjectValue DescribeObject(const Catalog& catalog, const ObjectDef& obj) {
  DescribeSObjectValue d;
  d.flags = DescribeFlags(obj);
  d.compact_layoutable = d.flags.layoutable;
  d.search_layoutable = d.flags.searchable;
  for (const auto& f : obj.fields) d.fields.push_back(DescribeFieldOf(f));
  // Child relationships are the other side of every reference that names this object.
  for (const auto& child : catalog.objects()) {
    for (const auto& f : child.fields) {
      for (const auto& target : f.reference_to) {
        if (target != obj.name) continue;
        DescribeChildRelationship r;
        r.child_sobject = child.name;
        r.field = f.name;
        d.child_relationships.push_back(std::move(r));
      }
    }
  }
  return d;
}

DescribeGlobalValue DescribeCatalog(const Catalog& catalog) {
  DescribeGlobalValue g;
  for (const auto& obj : catalog.objects()) g.sobjects.push_back(DescribeFlags(obj));
  return g;
}

DescribeService::DescribeService(const Catalog& catalog)
    : catalog_(&catalog), global_(DescribeCatalog(catalog)) {
  for (const auto& obj : catalog_->objects()) objects_.push_back(DescribeObject(*catalog_, obj));
}

DescribeGlobalValue DescribeService::Global() const { return global_; }

Outcome<DescribeSObjectValue> DescribeService::SObject(const std::string& type) const {
  return Guarded<DescribeSObjectValue>("describeSObject", [&]() {
    const ObjectDef* obj = catalog_->FindObject(type);
    if (!obj) return Outcome<DescribeSObjectValue>::Fail(InvalidTypeFault(type));
    Outcome<DescribeSObjectValue> out;
    out.value = objects_.at(static_cast<size_t>(obj - catalog_->objects().data()));
    return out;
  });
}

Outcome<std::vector<DescribeSObjectValue>> DescribeService::SObjects(
    const std::vector<std::string>& types) const {
  using Result = Outcome<std::vector<DescribeSObjectValue>>;
  if (types.size() > static_cast<size_t>(kMaxDescribeSObjects)) {
    return Result::Fail(Fault{ExceptionCode::kExceededIdLimit, FaultKind::kApiFault,
                              "describeSObjects cannot describe more than " +
                                  std::to_string(kMaxDescribeSObjects) + " types per call"});
  }
  Result out;
  for (const auto& t : types) {
    auto one = SObject(t);
    if (one.fault) return Result::Fail(*one.fault);
    out.value.push_back(std::move(one.value));
  }
  return out;
}

}  // namespace omni
