// DeveloperName (server/dispatcher/developer_names.h): the rules and the generation from a label,
// and, against a real PostgreSQL (tests/unit/test_db.h), what each costs: a create that names a
// valid DeveloperName costs no more round trips than one of an object without one (the unique
// index is the only check), a generated one costs exactly one lookup more.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <random>

#include "server/core/sf_id.h"
#include "server/dispatcher/developer_names.h"
#include "server/dispatcher/dispatcher.h"
#include "tests/unit/soql_test_util.h"
#include "tests/unit/test_db.h"

namespace omni {
namespace {

const FieldDef& DevField() {
  return *testing::SoqlCatalog()->FindObject("ServicePresenceStatus")->DeveloperNameField();
}

TEST_CASE("the catalog flags DeveloperName on every object that has one") {
  int with = 0;
  for (const auto& obj : testing::SoqlCatalog()->objects()) {
    const FieldDef* f = obj.FindField("DeveloperName");
    CHECK(obj.DeveloperNameField() == f);
    if (f) {
      ++with;
      CHECK(obj.NameField() != nullptr);
    }
  }
  CHECK(with == 7);
}

TEST_CASE("DeveloperName rules: letters, digits, single underscores, a letter first") {
  for (const char* good : {"a", "Abc", "a_b", "A1_b2_C3", "x9"}) {
    INFO(good);
    CHECK_FALSE(CheckDeveloperName(DevField(), good));
  }
  for (const char* bad : {"", "1a", "_a", "a_", "a__b", "a b", "a-b", "a.b", "caf\xc3\xa9"}) {
    INFO(bad);
    auto e = CheckDeveloperName(DevField(), bad);
    REQUIRE(e);
    CHECK(e->code == StatusCode::kFieldIntegrityException);
    CHECK(e->fields == std::vector<std::string>{"DeveloperName"});
    CHECK(e->message.rfind("The Developer Name field can only contain underscores", 0) == 0);
  }
}

TEST_CASE("generated names: from the label, numbered on a clash, cut to the length") {
  CHECK(DeveloperNameFromLabel("My Label", 80) == "My_Label");
  CHECK(DeveloperNameFromLabel("  Chat -- Sales: (EMEA)! ", 80) == "Chat_Sales_EMEA");
  CHECK(DeveloperNameFromLabel("3rd line", 80) == "X3rd_line");
  CHECK(DeveloperNameFromLabel("!!!", 80) == "X");
  CHECK(DeveloperNameFromLabel("", 80) == "X");
  CHECK(DeveloperNameFromLabel("abc def", 4) == "abc");  // cut, no trailing underscore
  CHECK(FirstFreeDeveloperName("My_Label", {}, 80) == "My_Label");
  CHECK(FirstFreeDeveloperName("My_Label", {"my_label"}, 80) == "My_Label1");
  CHECK(FirstFreeDeveloperName("My_Label", {"My_Label", "MY_LABEL1", "My_Label3"}, 80) ==
        "My_Label2");
  CHECK(FirstFreeDeveloperName("abcd", {"abcd"}, 4) == "abc1");
  CHECK(FirstFreeDeveloperName("ab_d", {"ab_d"}, 4) == "ab1");
  for (const auto& name : {DeveloperNameFromLabel("\xc3\x9c"
                                                  "ber 2 -",
                                                  80),
                           FirstFreeDeveloperName("a_b", {"a_b"}, 3)}) {
    INFO(name);
    CHECK_FALSE(CheckDeveloperName(DevField(), name));
  }
}

struct Db {
  std::unique_ptr<storage::Store> store;
  CallContext ctx;
  ChangeBus bus;
};

std::unique_ptr<Db> OpenDb() {
  auto db = std::make_unique<Db>();
  db->store = testing::OpenTestStore(2);
  auto org = testing::FreshOrg();
  db->ctx.org_id = org.first;
  db->ctx.user_id = org.second;
  return db;
}

Record Status(const std::string& label, const std::optional<std::string>& dev) {
  Record r;
  r.type = "ServicePresenceStatus";
  r.fields = {{"MasterLabel", label}};
  if (dev) r.fields.emplace_back("DeveloperName", *dev);
  return r;
}

TEST_CASE("round trips: a named DeveloperName costs no lookup, a generated one costs one") {
  auto db = OpenDb();
  auto clock = testing::TestClock(db->store.get());
  Dispatcher d(testing::SoqlCatalog(), db->store.get(), &db->bus, clock.get());
  // Warm up: statements prepared, an Id block taken.
  REQUIRE(d.Create(db->ctx, {Status("Warm", std::string("Warm"))}, {}).value[0].success);
  REQUIRE(d.Create(db->ctx, {Status("Warm", std::nullopt)}, {}).value[0].success);
  Record group;
  group.type = "Group";
  group.fields = {{"Type", std::string("Regular")}};  // no name: nothing to generate
  REQUIRE(d.Create(db->ctx, {group}, {}).value[0].success);

  long before = storage::Store::StatementsSent();
  REQUIRE(d.Create(db->ctx, {group}, {}).value[0].success);
  const long plain = storage::Store::StatementsSent() - before;

  before = storage::Store::StatementsSent();
  REQUIRE(d.Create(db->ctx, {Status("Named", std::string("Named"))}, {}).value[0].success);
  CHECK(storage::Store::StatementsSent() - before == plain);

  // A clash is found by the index, still without a lookup, and answered per record.
  before = storage::Store::StatementsSent();
  auto dup = d.Create(db->ctx, {Status("Again", std::string("NAMED"))}, {});
  REQUIRE_FALSE(dup.fault);
  REQUIRE_FALSE(dup.value[0].success);
  CHECK(dup.value[0].errors[0].code == StatusCode::kDuplicateDeveloperName);
  CHECK(storage::Store::StatementsSent() - before <= plain);

  before = storage::Store::StatementsSent();
  auto gen = d.Create(db->ctx, {Status("Named", std::nullopt)}, {});
  REQUIRE(gen.value[0].success);
  CHECK(storage::Store::StatementsSent() - before == plain + 1);
  auto read = d.Retrieve(db->ctx, "DeveloperName", "ServicePresenceStatus", {*gen.value[0].id});
  REQUIRE(read.value[0]);
  CHECK(*read.value[0]->Find("DeveloperName") == std::optional<std::string>("Named1"));
}

}  // namespace
}  // namespace omni
