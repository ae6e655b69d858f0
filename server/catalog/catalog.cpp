#include "server/catalog/catalog.h"

#include <algorithm>
#include <cctype>
#include <pugixml.hpp>
#include <sstream>

namespace omni {

std::string ToLower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

namespace {

struct TypeInfo {
  const char* catalog_name;
  FieldType type;
  const char* describe_name;
  const char* soap_type;
  const char* sql_type;
};

// One row per field type: the catalog spelling, describe's fieldType and soapType, and storage.
constexpr TypeInfo kTypes[] = {
    {"id", FieldType::kId, "id", "tns:ID", "text"},
    {"reference", FieldType::kReference, "reference", "tns:ID", "text"},
    {"string", FieldType::kString, "string", "xsd:string", "text"},
    {"textarea", FieldType::kTextarea, "textarea", "xsd:string", "text"},
    {"picklist", FieldType::kPicklist, "picklist", "xsd:string", "text"},
    {"boolean", FieldType::kBoolean, "boolean", "xsd:boolean", "boolean"},
    {"int", FieldType::kInt, "int", "xsd:int", "integer"},
    {"double", FieldType::kDouble, "double", "xsd:double", "double precision"},
    {"percent", FieldType::kPercent, "percent", "xsd:double", "double precision"},
    {"datetime", FieldType::kDatetime, "datetime", "xsd:dateTime", "timestamptz"},
    {"date", FieldType::kDate, "date", "xsd:date", "date"},
    {"email", FieldType::kEmail, "email", "xsd:string", "text"},
    {"phone", FieldType::kPhone, "phone", "xsd:string", "text"},
    {"url", FieldType::kUrl, "url", "xsd:string", "text"},
};

const TypeInfo& InfoOf(FieldType t) {
  for (const auto& i : kTypes) {
    if (i.type == t) return i;
  }
  return kTypes[2];
}

constexpr std::pair<const char*, Call> kCalls[] = {
    {"create", Call::kCreate},
    {"delete", Call::kDelete},
    {"query", Call::kQuery},
    {"getDeleted", Call::kGetDeleted},
    {"getUpdated", Call::kGetUpdated},
    {"retrieve", Call::kRetrieve},
    {"undelete", Call::kUndelete},
    {"update", Call::kUpdate},
    {"upsert", Call::kUpsert},
    {"describeSObjects", Call::kDescribeSObjects},
    {"describeLayout", Call::kDescribeLayout},
    {"search", Call::kSearch},
};

std::vector<std::string> Split(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

bool ParseField(const pugi::xml_node& n, bool system, FieldDef* f, std::string* error) {
  f->name = n.attribute("name").as_string();
  f->label = n.attribute("label").as_string(f->name.c_str());
  f->system = system;
  std::string type = n.attribute("type").as_string();
  bool found = false;
  for (const auto& i : kTypes) {
    if (type == i.catalog_name) {
      f->type = i.type;
      found = true;
    }
  }
  if (f->name.empty() || !found) {
    *error = "field '" + f->name + "' has unknown type '" + type + "'";
    return false;
  }
  for (const auto& p : Split(n.attribute("properties").as_string())) {
    if (p == "Create")
      f->createable = true;
    else if (p == "Update")
      f->updateable = true;
    else if (p == "Nillable")
      f->nillable = true;
    else if (p == "DefaultedOnCreate")
      f->defaulted_on_create = true;
    else if (p == "Filter")
      f->filterable = true;
    else if (p == "Group")
      f->groupable = true;
    else if (p == "Sort")
      f->sortable = true;
    else if (p == "RestrictedPicklist")
      f->restricted_picklist = true;
    else if (p == "Unique")
      f->unique = true;
    else if (p == "IdLookup")
      f->id_lookup = true;
    else if (p == "Autonumber")
      f->auto_number = true;
    else {
      *error = "field '" + f->name + "' has unknown property '" + p + "'";
      return false;
    }
  }
  f->length = n.attribute("length").as_int(0);
  if (f->length == 0 && (f->type == FieldType::kId || f->type == FieldType::kReference)) {
    f->length = 18;
  }
  f->precision =
      n.attribute("precision")
          .as_int(f->type == FieldType::kDouble || f->type == FieldType::kPercent ? 18 : 0);
  f->scale = n.attribute("scale").as_int(0);
  if (auto d = n.attribute("default")) f->default_value = d.as_string();
  f->auto_number_format = n.attribute("autoNumberFormat").as_string();
  f->name_field = n.attribute("nameField").as_bool(false);
  // Salesforce's rules for a DeveloperName hold wherever an object has one (CATALOG-DECISIONS D20).
  f->developer_name = f->name == "DeveloperName" && f->type == FieldType::kString;
  f->reference_to = Split(n.attribute("referenceTo").as_string());
  f->relationship_name = n.attribute("relationshipName").as_string();
  for (auto v : n.children("value")) f->picklist_values.push_back(v.text().as_string());
  return true;
}

}  // namespace

const char* CallName(Call call) {
  for (const auto& c : kCalls) {
    if (c.second == call) return c.first;
  }
  return "";
}
const char* FieldTypeName(FieldType type) { return InfoOf(type).describe_name; }
const char* SoapTypeName(FieldType type) { return InfoOf(type).soap_type; }
const char* SqlTypeName(FieldType type) { return InfoOf(type).sql_type; }

bool FieldDef::IsPicklistValue(const std::string& v) const {
  return std::find(picklist_values.begin(), picklist_values.end(), v) != picklist_values.end();
}

const FieldDef* ObjectDef::FindField(const std::string& name) const {
  std::string lower = ToLower(name);
  for (const auto& f : fields) {
    if (ToLower(f.name) == lower) return &f;
  }
  return nullptr;
}

std::string ObjectDef::TableName() const { return "sobj_" + ToLower(name); }
std::string ObjectDef::ColumnName(const FieldDef& f) { return ToLower(f.name); }

const FieldDef* ObjectDef::DeveloperNameField() const {
  for (const auto& f : fields) {
    if (f.developer_name) return &f;
  }
  return nullptr;
}

const FieldDef* ObjectDef::NameField() const {
  for (const auto& f : fields) {
    if (f.name_field) return &f;
  }
  return nullptr;
}

std::shared_ptr<const Catalog> Catalog::Load(const std::string& path, std::string* error) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_file(path.c_str());
  if (!parsed) {
    *error = "cannot read catalog " + path + ": " + parsed.description();
    return nullptr;
  }
  auto root = doc.child("catalog");
  auto catalog = std::make_shared<Catalog>();
  catalog->api_version_ = root.attribute("apiVersion").as_string("44.0");
  std::vector<FieldDef> system_fields;
  for (auto n : root.child("systemFields").children("field")) {
    FieldDef f;
    if (!ParseField(n, true, &f, error)) return nullptr;
    system_fields.push_back(f);
  }
  for (auto o : root.children("object")) {
    ObjectDef obj;
    obj.name = o.attribute("name").as_string();
    obj.label = o.attribute("label").as_string(obj.name.c_str());
    obj.label_plural = o.attribute("labelPlural").as_string(obj.label.c_str());
    obj.key_prefix = o.attribute("keyPrefix").as_string();
    obj.supporting = o.attribute("supporting").as_bool(false);
    if (obj.key_prefix.size() != 3) {
      *error = "object '" + obj.name + "' needs a 3-character keyPrefix";
      return nullptr;
    }
    for (const auto& c : Split(o.attribute("calls").as_string())) {
      bool known = false;
      for (const auto& k : kCalls) {
        if (c == k.first) {
          obj.calls.insert(k.second);
          known = true;
        }
      }
      if (!known) {
        *error = "object '" + obj.name + "' lists unknown call '" + c + "'";
        return nullptr;
      }
    }
    std::vector<FieldDef> own;
    for (auto n : o.children("field")) {
      FieldDef f;
      if (!ParseField(n, false, &f, error)) {
        *error = obj.name + ": " + *error;
        return nullptr;
      }
      own.push_back(f);
    }
    for (const auto& s : system_fields) {
      bool declared =
          std::any_of(own.begin(), own.end(), [&](const FieldDef& f) { return f.name == s.name; });
      if (!declared) obj.fields.push_back(s);
    }
    obj.fields.insert(obj.fields.end(), own.begin(), own.end());
    if (catalog->by_lower_name_.count(ToLower(obj.name)) ||
        catalog->by_prefix_.count(obj.key_prefix)) {
      *error = "duplicate object name or key prefix: " + obj.name;
      return nullptr;
    }
    catalog->by_lower_name_[ToLower(obj.name)] = catalog->objects_.size();
    catalog->by_prefix_[obj.key_prefix] = catalog->objects_.size();
    catalog->objects_.push_back(std::move(obj));
  }
  for (const auto& obj : catalog->objects_) {
    for (const auto& f : obj.fields) {
      for (const auto& target : f.reference_to) {
        if (!catalog->FindObject(target)) {
          *error = obj.name + "." + f.name + " references unknown object " + target;
          return nullptr;
        }
      }
    }
  }
  return catalog;
}

const ObjectDef* Catalog::FindObject(const std::string& name) const {
  auto it = by_lower_name_.find(ToLower(name));
  return it == by_lower_name_.end() ? nullptr : &objects_[it->second];
}

const ObjectDef* Catalog::FindByKeyPrefix(const std::string& prefix) const {
  auto it = by_prefix_.find(prefix);
  return it == by_prefix_.end() ? nullptr : &objects_[it->second];
}

}  // namespace omni
