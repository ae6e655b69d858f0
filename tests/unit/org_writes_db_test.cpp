// A listener's org writes (RecordWriter::*AsOrg, server/events/change_bus.h) against a real
// PostgreSQL: they write what the API may not (PendingServiceRouting), and nothing more; the
// writes their events cause are API writes again; PendingServiceRouting.Serial counts every
// write; and the routing listener's requests commit and roll back with the call.
#include <doctest/doctest.h>

#include "server/dispatcher/dispatcher.h"
#include "server/routing/routing_listener.h"
#include "tests/unit/soql_test_util.h"
#include "tests/unit/test_db.h"

namespace omni {
namespace {

struct Fixture {
  Fixture() {
    store = testing::OpenTestStore();
    auto org = testing::FreshOrg();
    ctx = CallContext{org.first, org.second};
  }
  Dispatcher& dispatcher() {
    if (!clock) clock = testing::TestClock(store.get());
    if (!d)
      d = std::make_unique<Dispatcher>(testing::SoqlCatalog(), store.get(), &bus, clock.get());
    return *d;
  }
  std::string CreateOk(Record rec) {
    auto out = dispatcher().Create(ctx, {std::move(rec)}, {});
    REQUIRE_FALSE(out.fault);
    INFO((out.value[0].errors.empty() ? "" : out.value[0].errors[0].message));
    REQUIRE(out.value[0].success);
    return *out.value[0].id;
  }
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<OrgClock> clock;
  ChangeBus bus;
  CallContext ctx;
  std::unique_ptr<Dispatcher> d;
};

Record Rec(const std::string& type, std::vector<std::pair<std::string, Value>> fields) {
  Record r;
  r.type = type;
  r.fields = std::move(fields);
  return r;
}

std::string Field(const std::optional<Record>& rec, const std::string& name) {
  REQUIRE(rec);
  const Value* v = rec->Find(name);
  return v && *v ? **v : std::string("<null>");
}

// On each Case created: tries the API's and the org's writes of a PendingServiceRouting and
// records what each answered.
class PsrWriter : public ChangeListener {
 public:
  PsrWriter(std::string channel, std::string queue)
      : channel_(std::move(channel)), queue_(std::move(queue)) {}
  bool Wants(const ObjectDef& o) const override { return o.name == "Case"; }
  void OnChange(const ChangeEvent& e, RecordWriter& w) override {
    if (e.object->name != "Case" || e.kind != ChangeEvent::Kind::kCreated) return;
    const ObjectDef& psr = *testing::SoqlCatalog()->FindObject("PendingServiceRouting");
    Record valid = Rec("PendingServiceRouting", {{"WorkItemId", e.record_id},
                                                 {"ServiceChannelId", channel_},
                                                 {"OwnerId", queue_},
                                                 {"CapacityWeight", std::string("2")}});
    api_create = w.Create(valid, &api_create_error).has_value();
    Record with_system = valid;
    with_system.Set("CreatedDate", std::string("2001-01-01T00:00:00.000Z"));
    org_system = w.CreateAsOrg(with_system, &org_system_error).has_value();
    Record missing = Rec("PendingServiceRouting", {{"ServiceChannelId", channel_}});
    org_missing = w.CreateAsOrg(missing, &org_missing_error).has_value();
    auto id = w.CreateAsOrg(valid, &org_create_error);
    REQUIRE(id);
    psr_id = *id;
    serials.push_back(Field(w.Read(psr, *id), "Serial"));
    api_update =
        w.Update(psr, *id, Rec("", {{"IsPushed", std::string("true")}}), &api_update_error);
    REQUIRE(
        w.UpdateAsOrg(psr, *id, Rec("", {{"IsPushed", std::string("true")}}), &org_create_error));
    serials.push_back(Field(w.Read(psr, *id), "Serial"));
    REQUIRE(w.UpdateAsOrg(psr, *id, Rec("", {{"CapacityWeight", std::string("3")}}),
                          &org_create_error));
    auto peeked = w.Peek(psr, *id);
    serials.push_back(Field(peeked, "Serial"));
    pushed = Field(peeked, "IsPushed");
    found = w.FindIds(psr, *psr.FindField("WorkItemId"), e.record_id);
    if (e.after->Find("Subject") &&
        *e.after->Find("Subject") == std::optional<std::string>("delete it")) {
      REQUIRE(w.DeleteAsOrg(psr, *id, &org_create_error));
      after_delete = w.Read(psr, *id).has_value();
    }
  }
  std::string channel_, queue_;
  bool api_create = true, org_system = true, org_missing = true, api_update = true;
  bool after_delete = true;
  Error api_create_error, org_system_error, org_missing_error, org_create_error, api_update_error;
  std::string psr_id, pushed;
  std::vector<std::string> serials, found;
};

// Reacts to a PendingServiceRouting being created by trying an API-rule create of another one:
// the org write's own event must not inherit its rights.
class PsrEcho : public ChangeListener {
 public:
  void OnChange(const ChangeEvent& e, RecordWriter& w) override {
    if (e.object->name != "PendingServiceRouting" || e.kind != ChangeEvent::Kind::kCreated) return;
    Record copy = Rec("PendingServiceRouting", {{"WorkItemId", *e.after->Find("WorkItemId")}});
    echoed = w.Create(copy, &error).has_value();
    heard = true;
  }
  bool heard = false, echoed = true;
  Error error;
};

TEST_CASE("org writes: PendingServiceRouting is the org's to write, within every other rule") {
  Fixture f;
  std::string channel = f.CreateOk(Rec("ServiceChannel", {{"MasterLabel", std::string("Cases")},
                                                          {"RelatedEntity", std::string("Case")}}));
  std::string queue =
      f.CreateOk(Rec("Group", {{"Name", std::string("Queue")}, {"Type", std::string("Queue")}}));
  auto writer = std::make_shared<PsrWriter>(channel, queue);
  auto echo = std::make_shared<PsrEcho>();
  f.bus.Subscribe(writer);
  f.bus.Subscribe(echo);
  std::string case_id = f.CreateOk(Rec("Case", {{"Subject", std::string("keep it")}}));

  // The API's rules: the object cannot be created, its fields cannot be updated.
  CHECK_FALSE(writer->api_create);
  CHECK(writer->api_create_error.code == StatusCode::kCannotInsertUpdateActivateEntity);
  CHECK_FALSE(writer->api_update);
  CHECK(writer->api_update_error.code == StatusCode::kInvalidFieldForInsertUpdate);
  // The org's: past those two, never past a system field or a required one.
  CHECK_FALSE(writer->org_system);
  CHECK(writer->org_system_error.code == StatusCode::kInvalidFieldForInsertUpdate);
  CHECK(writer->org_system_error.fields == std::vector<std::string>{"CreatedDate"});
  CHECK_FALSE(writer->org_missing);
  CHECK(writer->org_missing_error.code == StatusCode::kRequiredFieldMissing);
  // Serial: 1 on create, one more per write.
  CHECK(writer->serials == std::vector<std::string>{"1", "2", "3"});
  CHECK(writer->pushed == "true");
  CHECK(writer->found == std::vector<std::string>{writer->psr_id});
  // The org write's event reacted with API rules.
  CHECK(echo->heard);
  CHECK_FALSE(echo->echoed);
  CHECK(echo->error.code == StatusCode::kCannotInsertUpdateActivateEntity);

  // Committed with the call: the API reads it, and cannot write it.
  auto& d = f.dispatcher();
  auto read = d.Retrieve(f.ctx, "Id, Serial, WorkItemId, CapacityWeight", "PendingServiceRouting",
                         {writer->psr_id});
  REQUIRE_FALSE(read.fault);
  REQUIRE(read.value[0]);
  CHECK(Field(read.value[0], "Serial") == "3");
  CHECK(Field(read.value[0], "WorkItemId") == case_id);
  auto upd = d.Update(f.ctx,
                      {Rec("PendingServiceRouting",
                           {{"Id", writer->psr_id}, {"CapacityWeight", std::string("9")}})},
                      {});
  REQUIRE_FALSE(upd.fault);
  CHECK_FALSE(upd.value[0].success);
  auto del = d.Delete(f.ctx, {writer->psr_id}, {});
  CHECK_FALSE(del.value[0].success);

  // DeleteAsOrg: to the recycle bin.
  f.CreateOk(Rec("Case", {{"Subject", std::string("delete it")}}));
  CHECK_FALSE(writer->after_delete);
  auto gone = d.Retrieve(f.ctx, "Id", "PendingServiceRouting", {writer->psr_id});
  CHECK_FALSE(gone.value[0]);
}

// Creates, as the org, an AgentWork that leaves Status out, for each Case created.
class WorkWriter : public ChangeListener {
 public:
  WorkWriter(std::string channel, std::string user) : channel_(channel), user_(user) {}
  void OnChange(const ChangeEvent& e, RecordWriter& w) override {
    if (e.object->name != "Case" || e.kind != ChangeEvent::Kind::kCreated) return;
    Record work =
        Rec("AgentWork",
            {{"WorkItemId", e.record_id}, {"ServiceChannelId", channel_}, {"UserId", user_}});
    auto id = w.CreateAsOrg(work, &error);
    if (id) status = Field(w.Read(*testing::SoqlCatalog()->FindObject("AgentWork"), *id), "Status");
  }
  std::string channel_, user_, status;
  Error error;
};

TEST_CASE("org writes: a field the API cannot set keeps its default") {
  Fixture f;
  std::string channel = f.CreateOk(Rec("ServiceChannel", {{"MasterLabel", std::string("Cases")},
                                                          {"RelatedEntity", std::string("Case")}}));
  std::string profile = f.CreateOk(Rec("Profile", {{"Name", std::string("Agents")}}));
  std::string user = f.CreateOk(Rec("User", {{"Username", std::string("a@x.local")},
                                             {"LastName", std::string("A")},
                                             {"Email", std::string("a@x.local")},
                                             {"Alias", std::string("a")},
                                             {"ProfileId", profile},
                                             {"TimeZoneSidKey", std::string("GMT")},
                                             {"LocaleSidKey", std::string("en_US")},
                                             {"LanguageLocaleKey", std::string("en_US")},
                                             {"EmailEncodingKey", std::string("UTF-8")}}));
  auto writer = std::make_shared<WorkWriter>(channel, user);
  f.bus.Subscribe(writer);
  f.CreateOk(Rec("Case", {{"Subject", std::string("work")}}));
  INFO(writer->error.message);
  CHECK(writer->status == "Assigned");
}

TEST_CASE("routing intake: the request commits and rolls back with the call") {
  Fixture f;
  std::string error;
  auto routing = routing::RoutingListener::Make(testing::SoqlCatalog(), &error);
  INFO(error);
  REQUIRE(routing);
  f.bus.Subscribe(routing);
  f.CreateOk(Rec("ServiceChannel",
                 {{"MasterLabel", std::string("Cases")}, {"RelatedEntity", std::string("Case")}}));
  std::string config =
      f.CreateOk(Rec("QueueRoutingConfig", {{"MasterLabel", std::string("Config")},
                                            {"RoutingModel", std::string("LeastActive")},
                                            {"RoutingPriority", std::string("4")}}));
  std::string queue = f.CreateOk(Rec("Group", {{"Name", std::string("Routed")},
                                               {"Type", std::string("Queue")},
                                               {"QueueRoutingConfigId", config}}));
  auto& d = f.dispatcher();
  auto count = [&]() {
    auto q = testing::SoqlCatalog();
    auto ids = f.store->BeginReadOnly()->records().FindIdsByValue(
        f.ctx.org_id, *q->FindObject("PendingServiceRouting"),
        *q->FindObject("PendingServiceRouting")->FindField("QueueId"), queue, true);
    return ids.size();
  };
  CallOptions all;
  all.all_or_none = true;
  auto rolled = d.Create(
      f.ctx, {Rec("Case", {{"OwnerId", queue}}), Rec("Case", {{"OwnerId", std::string("bad")}})},
      all);
  REQUIRE_FALSE(rolled.fault);
  CHECK_FALSE(rolled.value[0].success);
  CHECK(count() == 0);
  std::string case_id = f.CreateOk(Rec("Case", {{"OwnerId", queue}}));
  CHECK(count() == 1);
  // With no configured capacity (and none on the channel) an item weighs 1.
  const ObjectDef& psr = *testing::SoqlCatalog()->FindObject("PendingServiceRouting");
  auto ids = f.store->BeginReadOnly()->records().FindIdsByValue(
      f.ctx.org_id, psr, *psr.FindField("WorkItemId"), case_id, false);
  REQUIRE(ids.size() == 1);
  auto read = d.Retrieve(f.ctx, "CapacityWeight, RoutingPriority, RoutingModel",
                         "PendingServiceRouting", ids);
  REQUIRE(read.value[0]);
  CHECK(std::stod(Field(read.value[0], "CapacityWeight")) == 1.0);
  CHECK(Field(read.value[0], "RoutingPriority") == "4");
  CHECK(Field(read.value[0], "RoutingModel") == "LeastActive");
}

}  // namespace
}  // namespace omni
