// Describe derivation (server/dispatcher/describe.h) and the replication date rules
// (server/dispatcher/replication.h). The describe checks read wsdl/catalog.xml a second time,
// independently of the catalog loader (pugixml straight from the file), so that describe is
// checked against the catalog's text, not against itself: every object, every field.
#include "server/dispatcher/describe.h"

#include <doctest/doctest.h>

#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "server/dispatcher/replication.h"
#include "tests/unit/test_paths.h"

namespace omni {
namespace {

using testing::SourcePath;

std::shared_ptr<const Catalog> LoadCatalog() {
  std::string error;
  auto catalog = Catalog::Load(SourcePath("wsdl/catalog.xml"), &error);
  INFO(error);
  REQUIRE(catalog);
  return catalog;
}

std::set<std::string> Tokens(const char* text) {
  std::istringstream in(text ? text : "");
  std::set<std::string> out;
  std::string w;
  while (in >> w) out.insert(w);
  return out;
}

// The catalog's text: object name -> (field name -> XML node), system fields merged in as the
// loader's contract says (an object's own declaration wins).
struct RawCatalog {
  pugi::xml_document doc;
  std::map<std::string, pugi::xml_node> objects;
  std::map<std::string, std::map<std::string, pugi::xml_node>> fields;
};

void LoadRaw(RawCatalog* raw) {
  REQUIRE(raw->doc.load_file(SourcePath("wsdl/catalog.xml").c_str()));
  pugi::xml_node root = raw->doc.child("catalog");
  for (pugi::xml_node o : root.children("object")) {
    std::string name = o.attribute("name").as_string();
    raw->objects[name] = o;
    for (pugi::xml_node f : root.child("systemFields").children("field")) {
      raw->fields[name][f.attribute("name").as_string()] = f;
    }
    for (pugi::xml_node f : o.children("field")) {
      raw->fields[name][f.attribute("name").as_string()] = f;
    }
  }
}

TEST_CASE("describeGlobal lists every catalog object with flags equal to its calls") {
  auto catalog = LoadCatalog();
  RawCatalog raw;
  LoadRaw(&raw);
  DescribeGlobalValue g = DescribeCatalog(*catalog);
  CHECK(g.encoding == "UTF-8");
  CHECK(g.max_batch_size == 200);
  REQUIRE(g.sobjects.size() == raw.objects.size());
  for (const auto& d : g.sobjects) {
    CAPTURE(d.name);
    REQUIRE(raw.objects.count(d.name) == 1);
    pugi::xml_node o = raw.objects[d.name];
    auto calls = Tokens(o.attribute("calls").as_string());
    CHECK(d.label == o.attribute("label").as_string());
    CHECK(d.label_plural == o.attribute("labelPlural").as_string());
    CHECK(d.key_prefix == o.attribute("keyPrefix").as_string());
    CHECK(d.createable == (calls.count("create") == 1));
    CHECK(d.updateable == (calls.count("update") == 1));
    CHECK(d.deletable == (calls.count("delete") == 1));
    CHECK(d.undeletable == (calls.count("undelete") == 1));
    CHECK(d.queryable == (calls.count("query") == 1));
    CHECK(d.retrieveable == (calls.count("retrieve") == 1));
    CHECK(d.replicateable == (calls.count("getUpdated") + calls.count("getDeleted") > 0));
    CHECK(d.searchable == (calls.count("search") == 1));
    CHECK(d.layoutable == (calls.count("describeLayout") == 1));
    CHECK(d.triggerable == (d.createable || d.updateable || d.deletable || d.undeletable));
    CHECK_FALSE(d.custom);
    CHECK_FALSE(d.custom_setting);
    CHECK_FALSE(d.mergeable);
    CHECK_FALSE(d.activateable);
    CHECK_FALSE(d.deprecated_and_hidden);
    CHECK_FALSE(d.feed_enabled);
    CHECK(d.id_enabled);
  }
}

TEST_CASE("describeSObject: every field of every object equals the catalog's properties") {
  auto catalog = LoadCatalog();
  RawCatalog raw;
  LoadRaw(&raw);
  int checked = 0;
  for (const auto& obj : catalog->objects()) {
    DescribeSObjectValue d = DescribeObject(*catalog, obj);
    CAPTURE(obj.name);
    CHECK(d.flags.name == obj.name);
    // Every catalog field, once, in catalog order (and nothing else).
    REQUIRE(d.fields.size() == raw.fields[obj.name].size());
    for (size_t i = 0; i < d.fields.size(); ++i) {
      const DescribeField& f = d.fields[i];
      CAPTURE(f.name);
      CHECK(f.name == obj.fields[i].name);
      REQUIRE(raw.fields[obj.name].count(f.name) == 1);
      pugi::xml_node n = raw.fields[obj.name][f.name];
      auto props = Tokens(n.attribute("properties").as_string());
      std::string type = n.attribute("type").as_string();
      CHECK(f.label == n.attribute("label").as_string());
      CHECK(std::string(f.type) == type);
      CHECK(f.createable == (props.count("Create") == 1));
      CHECK(f.updateable == (props.count("Update") == 1));
      CHECK(f.nillable == (props.count("Nillable") == 1));
      CHECK(f.defaulted_on_create == (props.count("DefaultedOnCreate") == 1));
      CHECK(f.filterable == (props.count("Filter") == 1));
      CHECK(f.groupable == (props.count("Group") == 1));
      CHECK(f.sortable == (props.count("Sort") == 1));
      CHECK(f.restricted_picklist == (props.count("RestrictedPicklist") == 1));
      CHECK(f.unique == (props.count("Unique") == 1));
      CHECK(f.id_lookup == (props.count("IdLookup") == 1));
      CHECK(f.auto_number == (props.count("Autonumber") == 1));
      CHECK(f.name_field == (std::string(n.attribute("nameField").as_string()) == "true"));
      // Lengths: text counts characters (3 bytes each), ids are 18, numbers have none.
      int length = n.attribute("length").as_int(0);
      if (type == "id" || type == "reference") {
        CHECK(f.length == 18);
        CHECK(f.byte_length == 18);
      } else if (type == "boolean" || type == "int" || type == "double" || type == "percent" ||
                 type == "datetime" || type == "date") {
        CHECK(f.length == 0);
        CHECK(f.byte_length == 0);
      } else {
        CHECK(f.length == length);
        CHECK(f.byte_length == 3 * length);
      }
      CHECK(f.digits == (type == "int" ? 9 : 0));
      bool real = type == "double" || type == "percent";
      CHECK(f.precision == (real ? n.attribute("precision").as_int() : 0));
      CHECK(f.scale == (real ? n.attribute("scale").as_int() : 0));
      // Soap types follow the field type (§1.9 of the wire notes).
      static const std::map<std::string, std::string> kSoap = {{"id", "tns:ID"},
                                                               {"reference", "tns:ID"},
                                                               {"boolean", "xsd:boolean"},
                                                               {"int", "xsd:int"},
                                                               {"double", "xsd:double"},
                                                               {"percent", "xsd:double"},
                                                               {"datetime", "xsd:dateTime"},
                                                               {"date", "xsd:date"}};
      auto soap = kSoap.find(type);
      CHECK(std::string(f.soap_type) == (soap == kSoap.end() ? "xsd:string" : soap->second));
      // References and picklists.
      auto refs = n.attribute("referenceTo").as_string();
      std::vector<std::string> ref_list;
      std::istringstream refs_in(refs);
      for (std::string r; refs_in >> r;) ref_list.push_back(r);
      CHECK(f.reference_to == ref_list);
      CHECK(f.polymorphic_foreign_key == (ref_list.size() > 1));
      CHECK(f.name_pointing == (ref_list.size() > 1));
      std::string rel = n.attribute("relationshipName").as_string();
      CHECK(f.relationship_name.value_or("") == rel);
      std::vector<std::string> values;
      for (pugi::xml_node v : n.children("value")) values.push_back(v.text().as_string());
      REQUIRE(f.picklist_values.size() == values.size());
      pugi::xml_attribute def = n.attribute("default");
      for (size_t k = 0; k < values.size(); ++k) {
        CHECK(f.picklist_values[k].value == values[k]);
        CHECK(f.picklist_values[k].label == values[k]);
        CHECK(f.picklist_values[k].active);
        CHECK(f.picklist_values[k].default_value == (def && values[k] == def.as_string()));
      }
      CHECK(f.default_value.has_value() == static_cast<bool>(def));
      if (def) {
        CHECK(*f.default_value == def.as_string());
        CHECK(std::string(f.default_value_type) ==
              (type == "boolean" ? "xsd:boolean" : "xsd:string"));
      }
      // Constant attributes and the documented derivations.
      CHECK_FALSE(f.calculated);
      CHECK_FALSE(f.custom);
      CHECK_FALSE(f.case_sensitive);
      CHECK_FALSE(f.external_id);
      CHECK_FALSE(f.html_formatted);
      CHECK_FALSE(f.dependent_picklist);
      CHECK_FALSE(f.deprecated_and_hidden);
      CHECK_FALSE(f.cascade_delete);
      CHECK_FALSE(f.restricted_delete);
      CHECK(f.aggregatable == (type != "boolean" && type != "textarea"));
      bool system = !raw.objects[obj.name].find_child_by_attribute("field", "name", f.name.c_str());
      CHECK(f.permissionable == (!system && (props.count("Nillable") == 1 || type == "boolean")));
      ++checked;
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("describe follows §4.2's real examples for the system fields") {
  auto catalog = LoadCatalog();
  DescribeSObjectValue d = DescribeObject(*catalog, *catalog->FindObject("AgentWork"));
  std::map<std::string, DescribeField> by_name;
  for (const auto& f : d.fields) by_name[f.name] = f;
  const DescribeField& id = by_name.at("Id");
  CHECK(std::string(id.type) == "id");
  CHECK(id.id_lookup);
  CHECK(id.length == 18);
  CHECK(id.byte_length == 18);
  CHECK(id.label == "Record ID");
  CHECK_FALSE(by_name.at("IsDeleted").aggregatable);
  CHECK(std::string(by_name.at("CreatedDate").type) == "datetime");
  CHECK(std::string(by_name.at("CreatedDate").soap_type) == "xsd:dateTime");
  CHECK_FALSE(by_name.at("SystemModstamp").groupable);
  CHECK(by_name.at("CreatedById").reference_to == std::vector<std::string>{"User"});
  CHECK(by_name.at("Name").auto_number);
  CHECK(by_name.at("Name").name_field);
  // Case.OwnerId points at User or Group: polymorphic and name-pointing.
  DescribeSObjectValue c = DescribeObject(*catalog, *catalog->FindObject("Case"));
  for (const auto& f : c.fields) {
    if (f.name != "OwnerId") continue;
    CHECK(f.polymorphic_foreign_key);
    CHECK(f.name_pointing);
  }
}

TEST_CASE("child relationships mirror every reference that names the object") {
  auto catalog = LoadCatalog();
  DescribeSObjectValue sc = DescribeObject(*catalog, *catalog->FindObject("ServiceChannel"));
  std::set<std::pair<std::string, std::string>> children;
  for (const auto& c : sc.child_relationships) children.insert({c.child_sobject, c.field});
  CHECK(children.count({"AgentWork", "ServiceChannelId"}) == 1);
  size_t expected = 0;
  for (const auto& o : catalog->objects()) {
    for (const auto& f : o.fields) {
      for (const auto& t : f.reference_to) expected += t == "ServiceChannel";
    }
  }
  CHECK(sc.child_relationships.size() == expected);
}

TEST_CASE("DescribeService: every object is describable; unknown types and limits fault") {
  auto catalog = LoadCatalog();
  DescribeService service(*catalog);
  for (const auto& obj : catalog->objects()) {
    auto out = service.SObject(ToLower(obj.name));  // names resolve case-insensitively
    CAPTURE(obj.name);
    REQUIRE_FALSE(out.fault);
    CHECK(out.value.flags.name == obj.name);
  }
  auto unknown = service.SObject("Nope__c");
  REQUIRE(unknown.fault);
  CHECK(unknown.fault->code == ExceptionCode::kInvalidType);
  CHECK(unknown.fault->kind == FaultKind::kInvalidSObjectFault);
  CHECK(unknown.fault->message == "sObject type 'Nope__c' is not supported.");
  auto several = service.SObjects({"AgentWork", "Case", "User"});
  REQUIRE_FALSE(several.fault);
  REQUIRE(several.value.size() == 3);
  CHECK(several.value[1].flags.name == "Case");
  auto one_bad = service.SObjects({"AgentWork", "Nope"});
  REQUIRE(one_bad.fault);
  CHECK(one_bad.fault->message == "sObject type 'Nope' is not supported.");
  std::vector<std::string> too_many(101, "Case");
  auto limit = service.SObjects(too_many);
  REQUIRE(limit.fault);
  CHECK(limit.fault->code == ExceptionCode::kExceededIdLimit);
  CHECK_FALSE(service.SObjects(std::vector<std::string>(100, "Case")).fault);
  CHECK(service.Global().sobjects.size() == catalog->objects().size());
}

// --- replication date rules -------------------------------------------------------------------

constexpr std::time_t kNow = 1764072645;  // 2025-11-25T12:10:45Z: 45 seconds into a minute
constexpr std::time_t kMinute = 60, kDay = 86400;

TEST_CASE("replication dates: seconds are cut, the window never reaches the open minute") {
  std::time_t created = kNow - 100 * kDay;
  auto w = ReplicationDates(ReplicationKind::kUpdated, kNow - 3600 + 5, kNow + 3600, kNow, created);
  REQUIRE_FALSE(w.fault);
  CHECK(w.value.start == TruncateToMinute(kNow - 3600));
  CHECK(w.value.start % 60 == 0);
  CHECK(w.value.end == TruncateToMinute(kNow));  // clamped to now, whole minute
  auto past =
      ReplicationDates(ReplicationKind::kDeleted, kNow - 7200, kNow - 3600 + 10, kNow, created);
  REQUIRE_FALSE(past.fault);
  CHECK(past.value.end == TruncateToMinute(kNow - 3600));
  CHECK(past.value.earliest == TruncateToMinute(kNow) - 15 * kDay);
  CHECK(TruncateToMinute(kNow) == kNow - 45);
}

TEST_CASE("replication dates: the range must span a minute") {
  std::time_t created = kNow - kDay;
  for (auto kind : {ReplicationKind::kUpdated, ReplicationKind::kDeleted}) {
    auto same = ReplicationDates(kind, kNow - 600, kNow - 600, kNow, created);
    REQUIRE(same.fault);
    CHECK(same.fault->code == ExceptionCode::kInvalidReplicationDate);
    CHECK(same.fault->message == "startDate must be at least one minute greater than endDate");
    // 12:00:10 .. 12:00:50 is the same minute once the seconds are cut.
    std::time_t m = TruncateToMinute(kNow - 600);
    CHECK(ReplicationDates(kind, m + 10, m + 50, kNow, created).fault);
    CHECK(ReplicationDates(kind, kNow - 60, kNow - 600, kNow, created).fault);  // reversed
    CHECK_FALSE(ReplicationDates(kind, m, m + kMinute, kNow, created).fault);
  }
}

TEST_CASE("replication dates: 30 days back for getUpdated, 15 for getDeleted, org creation") {
  std::time_t old_org = kNow - 400 * kDay;
  std::time_t n = TruncateToMinute(kNow);
  CHECK_FALSE(ReplicationDates(ReplicationKind::kUpdated, n - 30 * kDay, n, kNow, old_org).fault);
  auto u = ReplicationDates(ReplicationKind::kUpdated, n - 30 * kDay - kMinute, n, kNow, old_org);
  REQUIRE(u.fault);
  CHECK(u.fault->code == ExceptionCode::kInvalidReplicationDate);
  CHECK(u.fault->message == "startDate cannot be more than 30 days ago");
  CHECK_FALSE(ReplicationDates(ReplicationKind::kDeleted, n - 15 * kDay, n, kNow, old_org).fault);
  auto d = ReplicationDates(ReplicationKind::kDeleted, n - 16 * kDay, n, kNow, old_org);
  REQUIRE(d.fault);
  CHECK(d.fault->message == "startDate cannot be more than 15 days ago");
  // A young org: nothing before its creation (minute of creation included).
  std::time_t young = kNow - 3600 + 20;
  auto before = ReplicationDates(ReplicationKind::kUpdated, young - kMinute, n, kNow, young);
  REQUIRE(before.fault);
  CHECK(before.fault->message == "startDate before org replication enabled date");
  auto at = ReplicationDates(ReplicationKind::kDeleted, young, n, kNow, young);
  REQUIRE_FALSE(at.fault);
  CHECK(at.value.earliest == TruncateToMinute(young));
  // More ids than Salesforce answers fail the whole call.
  CHECK(TooManyReplicationIds().code == ExceptionCode::kExceededIdLimit);
  CHECK(kMaxReplicationIds == 600000);
}

TEST_CASE("replication dates: a start in the future answers nothing, without a fault") {
  std::time_t n = TruncateToMinute(kNow);
  auto w = ReplicationDates(ReplicationKind::kUpdated, n + 10 * kMinute, n + 20 * kMinute, kNow,
                            kNow - kDay);
  REQUIRE_FALSE(w.fault);
  CHECK(w.value.end == n);
  CHECK(w.value.end < w.value.start);  // the store's [start, end) is empty
}

}  // namespace
}  // namespace omni
