// The catalog (server/catalog/catalog.h) as loaded from wsdl/catalog.xml, and Load's refusals.
#include "server/catalog/catalog.h"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "tests/unit/test_paths.h"

namespace omni {
namespace {

using testing::SourcePath;
using testing::TempFile;

std::shared_ptr<const Catalog> LoadReal() {
  std::string error;
  auto catalog = Catalog::Load(SourcePath("wsdl/catalog.xml"), &error);
  INFO(error);
  REQUIRE(catalog);
  return catalog;
}

// The sixteen Omni-Channel objects and their key prefixes (CATALOG-DECISIONS.md, section C).
const std::map<std::string, std::string> kOmniPrefixes = {
    {"AgentWork", "0Bz"},
    {"OmniSupervisorConfig", "0hu"},
    {"OmniSupervisorConfigGroup", "0hv"},
    {"OmniSupervisorConfigProfile", "0hw"},
    {"OmniSupervisorConfigUser", "0hx"},
    {"PendingServiceRouting", "0JR"},
    {"PresenceConfigDeclineReason", "0KP"},
    {"PresenceDeclineReason", "0KR"},
    {"PresenceUserConfig", "0Nd"},
    {"PresenceUserConfigProfile", "0Nf"},
    {"PresenceUserConfigUser", "0Ne"},
    {"QueueRoutingConfig", "0K9"},
    {"ServiceChannel", "0N9"},
    {"ServiceChannelStatus", "0NC"},
    {"ServicePresenceStatus", "0N5"},
    {"UserServicePresence", "0R1"},
};

const char* const kSystemFields[] = {"Id",
                                     "IsDeleted",
                                     "CreatedById",
                                     "CreatedDate",
                                     "LastModifiedById",
                                     "LastModifiedDate",
                                     "SystemModstamp"};

TEST_CASE("the catalog holds the 16 Omni-Channel objects with their key prefixes") {
  auto catalog = LoadReal();
  CHECK(catalog->api_version() == "44.0");
  int omni = 0;
  for (const auto& obj : catalog->objects()) {
    if (!obj.supporting) ++omni;
  }
  CHECK(omni == 16);
  for (const auto& [name, prefix] : kOmniPrefixes) {
    CAPTURE(name);
    const ObjectDef* obj = catalog->FindObject(name);
    REQUIRE(obj);
    CHECK(obj->name == name);
    CHECK_FALSE(obj->supporting);
    CHECK(obj->key_prefix == prefix);
    CHECK(catalog->FindByKeyPrefix(prefix) == obj);
  }
  // The supporting objects keep Salesforce's real prefixes.
  for (const auto& [name, prefix] :
       std::map<std::string, std::string>{{"User", "005"},
                                          {"Profile", "00e"},
                                          {"Group", "00G"},
                                          {"Case", "500"},
                                          {"LiveChatTranscript", "570"},
                                          {"GroupMember", "011"},
                                          {"PushTopic", "0IF"}}) {
    CAPTURE(name);
    const ObjectDef* obj = catalog->FindObject(name);
    REQUIRE(obj);
    CHECK(obj->supporting);
    CHECK(obj->key_prefix == prefix);
  }
  CHECK(catalog->objects().size() == 23);
}

TEST_CASE("key prefixes are unique and case-sensitive") {
  auto catalog = LoadReal();
  std::set<std::string> prefixes;
  for (const auto& obj : catalog->objects()) CHECK(prefixes.insert(obj.key_prefix).second);
  CHECK(catalog->FindByKeyPrefix("0hu") != nullptr);
  CHECK(catalog->FindByKeyPrefix("0HU") == nullptr);
  CHECK(catalog->FindByKeyPrefix("zzz") == nullptr);
  CHECK(catalog->FindByKeyPrefix("") == nullptr);
}

TEST_CASE("every object has the seven system fields") {
  auto catalog = LoadReal();
  for (const auto& obj : catalog->objects()) {
    CAPTURE(obj.name);
    for (const char* name : kSystemFields) {
      CAPTURE(name);
      const FieldDef* f = obj.FindField(name);
      REQUIRE(f);
      CHECK(f->system);
      CHECK(f->name == name);
      CHECK_FALSE(f->createable);
      CHECK_FALSE(f->updateable);
      CHECK(f->defaulted_on_create);
    }
    // System fields come first, and each field name occurs once.
    REQUIRE(obj.fields.size() >= 7);
    for (size_t i = 0; i < 7; ++i) CHECK(obj.fields[i].system);
    std::set<std::string> names;
    for (const auto& f : obj.fields) CHECK(names.insert(ToLower(f.name)).second);
  }
  const FieldDef* id = catalog->FindObject("ServiceChannel")->FindField("Id");
  CHECK(id->type == FieldType::kId);
  CHECK(id->id_lookup);
  CHECK(id->length == 18);
  const FieldDef* created_by = catalog->FindObject("ServiceChannel")->FindField("CreatedById");
  CHECK(created_by->type == FieldType::kReference);
  CHECK(created_by->reference_to == std::vector<std::string>{"User"});
  CHECK(created_by->relationship_name == "CreatedBy");
  const FieldDef* created = catalog->FindObject("ServiceChannel")->FindField("CreatedDate");
  CHECK(created->type == FieldType::kDatetime);
  CHECK_FALSE(created->groupable);
}

TEST_CASE("object and field lookup is case-insensitive") {
  auto catalog = LoadReal();
  const ObjectDef* obj = catalog->FindObject("ServiceChannel");
  REQUIRE(obj);
  CHECK(catalog->FindObject("servicechannel") == obj);
  CHECK(catalog->FindObject("SERVICECHANNEL") == obj);
  CHECK(catalog->FindObject("sErViCeChAnNeL") == obj);
  CHECK(catalog->FindObject("ServiceChannels") == nullptr);
  CHECK(catalog->FindObject("") == nullptr);

  const FieldDef* f = obj->FindField("RelatedEntity");
  REQUIRE(f);
  CHECK(obj->FindField("relatedentity") == f);
  CHECK(obj->FindField("RELATEDENTITY") == f);
  CHECK(obj->FindField("id") == obj->FindField("Id"));
  CHECK(obj->FindField("RelatedEntityId") == nullptr);
  // The guide's spelling finds the real field (CATALOG-DECISIONS.md D4).
  const ObjectDef* work = catalog->FindObject("agentwork");
  REQUIRE(work);
  REQUIRE(work->FindField("AcceptDatetime"));
  CHECK(work->FindField("AcceptDatetime")->name == "AcceptDateTime");
}

TEST_CASE("every reference target is an object of the catalog") {
  auto catalog = LoadReal();
  int references = 0;
  for (const auto& obj : catalog->objects()) {
    for (const auto& f : obj.fields) {
      if (f.type != FieldType::kReference) {
        CHECK(f.reference_to.empty());
        continue;
      }
      ++references;
      CAPTURE(obj.name + "." + f.name);
      CHECK_FALSE(f.reference_to.empty());
      CHECK_FALSE(f.relationship_name.empty());
      for (const auto& target : f.reference_to) {
        CAPTURE(target);
        const ObjectDef* t = catalog->FindObject(target);
        REQUIRE(t);
        CHECK(t->name == target);  // spelled as the catalog spells the object
      }
    }
  }
  CHECK(references > 40);
}

TEST_CASE("field properties, picklists and calls are read as the guide gives them") {
  auto catalog = LoadReal();
  const ObjectDef* channel = catalog->FindObject("ServiceChannel");
  const FieldDef* related = channel->FindField("RelatedEntity");
  CHECK(related->type == FieldType::kPicklist);
  CHECK(related->restricted_picklist);
  CHECK(related->unique);
  CHECK(related->createable);
  CHECK(related->updateable);
  CHECK_FALSE(related->nillable);
  CHECK(related->IsPicklistValue("Case"));
  CHECK_FALSE(related->IsPicklistValue("Account"));
  CHECK(channel->Supports(Call::kCreate));
  CHECK(channel->Supports(Call::kUpsert));
  CHECK_FALSE(channel->Supports(Call::kDelete));

  const ObjectDef* work = catalog->FindObject("AgentWork");
  const FieldDef* name = work->FindField("Name");
  CHECK(name->auto_number);
  CHECK(name->auto_number_format == "{00000000}");
  CHECK(name->name_field);
  CHECK(name->id_lookup);
  const FieldDef* status = work->FindField("Status");
  CHECK(status->default_value == std::optional<std::string>("Assigned"));
  CHECK(status->picklist_values.size() == 8);
  CHECK(status->picklist_values.front() == "Assigned");
  CHECK_FALSE(work->Supports(Call::kUpdate));
  CHECK(work->Supports(Call::kUndelete));
  const FieldDef* weight = work->FindField("CapacityWeight");
  CHECK(weight->type == FieldType::kDouble);
  CHECK(weight->precision == 18);
  CHECK(weight->scale == 2);

  const ObjectDef* psr = catalog->FindObject("PendingServiceRouting");
  CHECK_FALSE(psr->Supports(Call::kCreate));
  CHECK_FALSE(psr->Supports(Call::kUpdate));
  CHECK(psr->Supports(Call::kRetrieve));
  const ObjectDef* presence = catalog->FindObject("UserServicePresence");
  CHECK_FALSE(presence->Supports(Call::kCreate));
  CHECK(presence->Supports(Call::kDelete));

  CHECK(std::string(CallName(Call::kDescribeSObjects)) == "describeSObjects");
  CHECK(std::string(FieldTypeName(FieldType::kDatetime)) == "datetime");
  CHECK(std::string(SoapTypeName(FieldType::kReference)) == "tns:ID");
  CHECK(std::string(SoapTypeName(FieldType::kPercent)) == "xsd:double");
  CHECK(channel->TableName() == "sobj_servicechannel");
  CHECK(ObjectDef::ColumnName(*related) == "relatedentity");
}

// A minimal catalog with one object, into which a test splices a field or an attribute.
std::string MiniCatalog(const std::string& object_attrs, const std::string& fields) {
  return "<?xml version=\"1.0\"?>\n<catalog apiVersion=\"44.0\">\n"
         "  <systemFields>\n"
         "    <field name=\"Id\" type=\"id\" properties=\"DefaultedOnCreate Filter\"/>\n"
         "  </systemFields>\n"
         "  <object name=\"Thing\" " +
         object_attrs + ">\n" + fields + "  </object>\n</catalog>\n";
}

const char kGoodObject[] = "keyPrefix=\"0zz\" calls=\"create retrieve\"";

TEST_CASE("Load accepts a minimal well-formed catalog") {
  TempFile file(MiniCatalog(
      kGoodObject,
      "    <field name=\"Title\" type=\"string\" length=\"20\" properties=\"Create\"/>\n"));
  std::string error;
  auto catalog = Catalog::Load(file.path(), &error);
  INFO(error);
  REQUIRE(catalog);
  const ObjectDef* obj = catalog->FindObject("thing");
  REQUIRE(obj);
  REQUIRE(obj->fields.size() == 2);
  CHECK(obj->fields[0].name == "Id");
  CHECK(obj->fields[1].name == "Title");
  CHECK(obj->fields[1].length == 20);
}

TEST_CASE("Load rejects bad catalogs with a reason") {
  struct Case {
    const char* what;
    std::string text;
    const char* reason;  // a piece of the error text
  };
  const Case cases[] = {
      {"malformed XML", "<catalog><object name=\"Thing\" keyPrefix=\"0zz\"></catalog>", ""},
      {"not XML at all", "this is not a catalog", ""},
      {"unknown property",
       MiniCatalog(kGoodObject,
                   "    <field name=\"Title\" type=\"string\" properties=\"Create Shiny\"/>\n"),
       "Shiny"},
      {"unknown type",
       MiniCatalog(kGoodObject, "    <field name=\"Title\" type=\"varchar\" properties=\"\"/>\n"),
       "varchar"},
      {"field without a name",
       MiniCatalog(kGoodObject, "    <field type=\"string\" properties=\"Create\"/>\n"), ""},
      {"unknown call", MiniCatalog("keyPrefix=\"0zz\" calls=\"create frobnicate\"", ""),
       "frobnicate"},
      {"key prefix of the wrong length", MiniCatalog("keyPrefix=\"0z\" calls=\"create\"", ""),
       "keyPrefix"},
      {"reference to an unknown object",
       MiniCatalog(kGoodObject,
                   "    <field name=\"OtherId\" type=\"reference\" referenceTo=\"Nowhere\" "
                   "properties=\"Create\"/>\n"),
       "Nowhere"},
      {"unknown property on a system field",
       "<catalog><systemFields><field name=\"Id\" type=\"id\" properties=\"Bogus\"/>"
       "</systemFields></catalog>",
       "Bogus"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    TempFile file(c.text);
    std::string error;
    CHECK(Catalog::Load(file.path(), &error) == nullptr);
    CHECK_FALSE(error.empty());
    CHECK(error.find(c.reason) != std::string::npos);
  }
}

TEST_CASE("Load rejects duplicate objects and prefixes") {
  std::string two =
      "<catalog><systemFields/>"
      "<object name=\"A\" keyPrefix=\"0zz\" calls=\"create\"/>"
      "<object name=\"B\" keyPrefix=\"0zz\" calls=\"create\"/></catalog>";
  TempFile dup_prefix(two);
  std::string error;
  CHECK(Catalog::Load(dup_prefix.path(), &error) == nullptr);
  CHECK(error.find("duplicate") != std::string::npos);

  TempFile dup_name(
      "<catalog><systemFields/>"
      "<object name=\"A\" keyPrefix=\"0zy\" calls=\"create\"/>"
      "<object name=\"a\" keyPrefix=\"0zz\" calls=\"create\"/></catalog>");
  error.clear();
  CHECK(Catalog::Load(dup_name.path(), &error) == nullptr);
  CHECK(error.find("duplicate") != std::string::npos);
}

TEST_CASE("Load reports a file that cannot be read") {
  std::string error;
  CHECK(Catalog::Load("/nonexistent/omni/catalog.xml", &error) == nullptr);
  CHECK(error.find("/nonexistent/omni/catalog.xml") != std::string::npos);
}

}  // namespace
}  // namespace omni
