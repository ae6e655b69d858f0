// The PushTopic event rules (server/streaming/topic_match.h): the query check, and every rule of
// "Event Notification Rules", including the Omni-Channel guide's own PendingServiceRouting topic.
#include "server/streaming/topic_match.h"

#include <doctest/doctest.h>

#include "tests/unit/soql_test_util.h"

namespace omni {
namespace {

using storage::ChangeKind;
using streaming::Change;
using streaming::MatchChange;
using streaming::NotifyForFields;
using streaming::Topic;

// The guide's Step 2 PushTopic, exactly as written.
const char* kGuideQuery =
    "Select Id, Serial, QueueId, WorkItemId, IsPushed, ServiceChannelId, "
    "LastDeclinedAgentSession, CreatedDate from PendingServiceRouting where RoutingModel = "
    "'ExternalRouting'";

Topic MakeTopic(const std::string& query, NotifyForFields fields = NotifyForFields::kReferenced) {
  Topic t;
  t.name = "PendingRoutings";
  t.notify_for_fields = fields;
  auto error =
      streaming::CompileTopicQuery(*testing::SoqlCatalog(), query, testing::kTestNow, &t.query);
  INFO(query << ": " << (error ? error->message : ""));
  REQUIRE_FALSE(error);
  return t;
}

Record Psr(bool pushed, const Value& declined, const std::string& model = "ExternalRouting") {
  Record r;
  r.type = "PendingServiceRouting";
  r.fields = {{"Id", "0JRxx0000000001AAA"},
              {"Serial", "1"},
              {"QueueId", "00Gxx0000000001AAA"},
              {"WorkItemId", "570xx0000000001AAA"},
              {"IsPushed", pushed ? "true" : "false"},
              {"ServiceChannelId", "0N9xx0000000001AAA"},
              {"LastDeclinedAgentSession", declined},
              {"RoutingModel", model},
              {"CapacityWeight", "1.5"},
              {"IsDeleted", "false"},
              {"CreatedDate", "2026-11-25T10:00:00.000Z"},
              {"SystemModstamp", "2026-11-25T10:00:00.000Z"}};
  return r;
}

std::optional<std::string> Match(const Topic& t, ChangeKind kind, const Record* before,
                                 const Record& after) {
  return MatchChange(t, Change{kind, "PendingServiceRouting", before, &after});
}

TEST_CASE("the guide's Step 2 topic: the create event with IsPushed=false") {
  Topic t = MakeTopic(kGuideQuery);
  Record created = Psr(false, std::nullopt);
  auto event = Match(t, ChangeKind::kCreated, nullptr, created);
  REQUIRE(event);
  CHECK(*event ==
        "{\"Id\":\"0JRxx0000000001AAA\",\"Serial\":1,\"QueueId\":\"00Gxx0000000001AAA\","
        "\"WorkItemId\":\"570xx0000000001AAA\",\"IsPushed\":false,\"ServiceChannelId\":"
        "\"0N9xx0000000001AAA\",\"LastDeclinedAgentSession\":null,\"CreatedDate\":"
        "\"2026-11-25T10:00:00.000Z\"}");
  // The WHERE: a queue-based request is no event of this topic.
  Record queue_based = Psr(false, std::nullopt, "LeastActive");
  CHECK_FALSE(Match(t, ChangeKind::kCreated, nullptr, queue_based));
}

TEST_CASE("the guide's Step 2 topic: a decline updates LastDeclinedAgentSession") {
  Topic t = MakeTopic(kGuideQuery);
  Record before = Psr(true, std::nullopt);
  Record after = Psr(false, "0Xyxx0000000001");
  after.Set("Serial", "2");
  auto event = Match(t, ChangeKind::kUpdated, &before, after);
  REQUIRE(event);
  CHECK(event->find("\"LastDeclinedAgentSession\":\"0Xyxx0000000001\"") != std::string::npos);
  CHECK(event->find("\"IsPushed\":false") != std::string::npos);
  CHECK(event->find("\"Serial\":2") != std::string::npos);
  CHECK(event->find("RoutingModel") == std::string::npos);  // only the SELECT's fields
}

TEST_CASE("NotifyForFields decides which updates are events") {
  const std::string q =
      "SELECT Id, IsPushed FROM PendingServiceRouting WHERE RoutingModel = 'ExternalRouting'";
  Record base = Psr(false, std::nullopt);
  // Only a field named nowhere in the query changes (and SystemModstamp, as on every update).
  Record other = base;
  other.Set("CapacityWeight", "2.5");
  other.Set("SystemModstamp", "2026-11-25T10:05:00.000Z");
  // A SELECT field changes.
  Record selected = base;
  selected.Set("IsPushed", "true");
  // A WHERE field changes (and still matches: 'externalrouting' is the same text).
  Record where = base;
  where.Set("RoutingModel", "externalrouting");

  Topic all = MakeTopic(q, NotifyForFields::kAll);
  CHECK(Match(all, ChangeKind::kUpdated, &base, other));
  CHECK(Match(all, ChangeKind::kUpdated, &base, selected));
  CHECK(Match(all, ChangeKind::kUpdated, &base, where));

  Topic referenced = MakeTopic(q, NotifyForFields::kReferenced);
  CHECK_FALSE(Match(referenced, ChangeKind::kUpdated, &base, other));
  CHECK(Match(referenced, ChangeKind::kUpdated, &base, selected));
  CHECK(Match(referenced, ChangeKind::kUpdated, &base, where));

  Topic select = MakeTopic(q, NotifyForFields::kSelect);
  CHECK_FALSE(Match(select, ChangeKind::kUpdated, &base, other));
  CHECK(Match(select, ChangeKind::kUpdated, &base, selected));
  CHECK_FALSE(Match(select, ChangeKind::kUpdated, &base, where));

  Topic where_only = MakeTopic(q, NotifyForFields::kWhere);
  CHECK_FALSE(Match(where_only, ChangeKind::kUpdated, &base, other));
  CHECK_FALSE(Match(where_only, ChangeKind::kUpdated, &base, selected));
  CHECK(Match(where_only, ChangeKind::kUpdated, &base, where));

  // An update after which the WHERE no longer matches is no event, whatever changed.
  Record left = base;
  left.Set("RoutingModel", "LeastActive");
  left.Set("IsPushed", "true");
  CHECK_FALSE(Match(all, ChangeKind::kUpdated, &base, left));
  CHECK_FALSE(Match(referenced, ChangeKind::kUpdated, &base, left));
  CHECK(streaming::WatchedFields(referenced) ==
        std::vector<std::string>{"Id", "IsPushed", "RoutingModel"});
  CHECK(streaming::WatchedFields(where_only) == std::vector<std::string>{"RoutingModel"});
}

TEST_CASE("creates, deletes and undeletes don't look at changed fields") {
  Topic t = MakeTopic(kGuideQuery, NotifyForFields::kWhere);
  Record live = Psr(false, std::nullopt);
  Record binned = live;
  binned.Set("IsDeleted", "true");
  CHECK(Match(t, ChangeKind::kCreated, nullptr, live));
  CHECK(Match(t, ChangeKind::kDeleted, &live, binned));
  CHECK(Match(t, ChangeKind::kUndeleted, &binned, live));
}

TEST_CASE("a delete is matched on the record as it was") {
  Topic t = MakeTopic("SELECT Id FROM PendingServiceRouting WHERE IsDeleted = false");
  Record live = Psr(false, std::nullopt);
  Record binned = live;
  binned.Set("IsDeleted", "true");
  auto event = Match(t, ChangeKind::kDeleted, &live, binned);
  REQUIRE(event);
  CHECK(*event == "{\"Id\":\"0JRxx0000000001AAA\"}");
}

TEST_CASE("NotifyForOperation* choose the kinds, IsActive false silences the topic") {
  Topic t = MakeTopic(kGuideQuery);
  Record r = Psr(false, std::nullopt);
  Record r2 = Psr(true, std::nullopt);
  Record binned = r;
  binned.Set("IsDeleted", "true");
  t.notify_create = false;
  CHECK_FALSE(Match(t, ChangeKind::kCreated, nullptr, r));
  CHECK(Match(t, ChangeKind::kUpdated, &r, r2));
  t.notify_update = false;
  CHECK_FALSE(Match(t, ChangeKind::kUpdated, &r, r2));
  CHECK(Match(t, ChangeKind::kDeleted, &r, binned));
  t.notify_delete = false;
  CHECK_FALSE(Match(t, ChangeKind::kDeleted, &r, binned));
  CHECK(Match(t, ChangeKind::kUndeleted, &binned, r));
  t.notify_undelete = false;
  CHECK_FALSE(Match(t, ChangeKind::kUndeleted, &binned, r));

  Topic inactive = MakeTopic(kGuideQuery);
  inactive.is_active = false;
  CHECK_FALSE(Match(inactive, ChangeKind::kCreated, nullptr, r));
  // Another object's change is never an event of this topic.
  CHECK_FALSE(
      MatchChange(MakeTopic(kGuideQuery), Change{ChangeKind::kCreated, "AgentWork", nullptr, &r}));
}

TEST_CASE("event values are typed as Salesforce's JSON has them") {
  Topic t = MakeTopic(
      "SELECT Id, CapacityWeight, IsPushed, Serial, LastDeclinedAgentSession, CreatedDate FROM "
      "PendingServiceRouting");
  Record r = Psr(true, "quote \" and \\ back");
  r.Set("Serial", std::nullopt);
  auto event = Match(t, ChangeKind::kCreated, nullptr, r);
  REQUIRE(event);
  CHECK(*event ==
        "{\"Id\":\"0JRxx0000000001AAA\",\"CapacityWeight\":1.5,\"IsPushed\":true,\"Serial\":"
        "null,\"LastDeclinedAgentSession\":\"quote \\\" and \\\\ back\",\"CreatedDate\":"
        "\"2026-11-25T10:00:00.000Z\"}");
}

TEST_CASE("a topic from its stored record, and a change-log image") {
  Record row;
  row.type = "PushTopic";
  row.fields = {{"Id", "0IFxx0000000001AAA"},
                {"Name", "PendingRoutings"},
                {"Query", kGuideQuery},
                {"ApiVersion", "39.0"},
                {"IsActive", "true"},
                {"NotifyForFields", "Select"},
                {"NotifyForOperationCreate", "true"},
                {"NotifyForOperationUpdate", "false"},
                {"NotifyForOperationDelete", "true"},
                {"NotifyForOperationUndelete", "false"}};
  Topic t;
  REQUIRE_FALSE(streaming::TopicFromRecord(*testing::SoqlCatalog(), row, testing::kTestNow, &t));
  CHECK(t.name == "PendingRoutings");
  CHECK(t.notify_for_fields == NotifyForFields::kSelect);
  CHECK(t.notify_create);
  CHECK_FALSE(t.notify_update);
  CHECK(t.notify_delete);
  CHECK_FALSE(t.notify_undelete);
  CHECK(t.query.object->name == "PendingServiceRouting");

  auto image = streaming::ImageFromJson(
      "PendingServiceRouting",
      R"({"Id": "0JRxx0000000001AAA", "RoutingModel": "ExternalRouting", "IsPushed": "false",)"
      R"( "Serial": "1", "LastDeclinedAgentSession": null})");
  REQUIRE(image);
  auto event = Match(t, ChangeKind::kCreated, nullptr, *image);
  REQUIRE(event);
  CHECK(event->find("\"IsPushed\":false") != std::string::npos);
  CHECK(event->find("\"QueueId\":null") != std::string::npos);
}

TEST_CASE("queries a PushTopic refuses, with the Streaming API's code and message") {
  auto refused = [](const std::string& q) {
    soql::QueryPlan plan;
    auto e = streaming::CompileTopicQuery(*testing::SoqlCatalog(), q, testing::kTestNow, &plan);
    REQUIRE(e);
    CHECK(e->fields == std::vector<std::string>{"Query"});
    return *e;
  };
  CHECK(refused("SELECT Id, COUNT(Name) FROM Case").message ==
        "Aggregate queries are not supported");
  CHECK(refused("SELECT Id, MAX(Serial) FROM PendingServiceRouting").message ==
        "Aggregate queries are not supported");
  CHECK(refused("SELECT Status FROM Case GROUP BY Status").message ==
        "Aggregate queries are not supported");
  CHECK(refused("SELECT Id FROM Case LIMIT 10").message == "'LIMIT' is not allowed");
  CHECK(refused("SELECT Id FROM Case ORDER BY Subject").message ==
        "'ORDER BY' clause is not allowed");
  CHECK(refused("SELECT Id FROM Case OFFSET 5").message == "'OFFSET' is not allowed");
  CHECK(refused("SELECT Id FROM Case WHERE NOT Subject = 'x'").message == "'NOT' is not supported");
  CHECK(
      refused("SELECT Id FROM Case WHERE Id IN (SELECT CaseId FROM LiveChatTranscript)").message ==
      "semi/anti join sub-selects are not supported");
  CHECK(refused("SELECT Id, Owner.Name FROM Case").message == "relationships are not supported");
  CHECK(refused("SELECT Id FROM AgentWork WHERE ServiceChannel.DeveloperName = 'x'").message ==
        "relationships are not supported");
  CHECK(refused("SELECT Subject FROM Case").message ==
        "The SELECT clause of a PushTopic query must include Id");
  Error unknown_field = refused("SELECT Id, Nope FROM Case");
  CHECK(unknown_field.code == StatusCode::kInvalidFieldFault);
  CHECK(unknown_field.message.find("No such column 'Nope' on entity 'Case'") == 0);
  CHECK(refused("SELECT Id FROM Nope").code == StatusCode::kInvalidType);
  CHECK(refused("SELECT Id FROM").code == StatusCode::kInvalidFieldFault);
  // A textarea cannot be filtered at all in this catalog (Body has no Filter).
  CHECK(refused("SELECT Id FROM LiveChatTranscript WHERE Body = 'x'").code ==
        StatusCode::kInvalidFieldFault);
  // What a PushTopic accepts: NOT IN, !=, the guide's query.
  soql::QueryPlan plan;
  CHECK_FALSE(streaming::CompileTopicQuery(*testing::SoqlCatalog(),
                                           "SELECT Id FROM Case WHERE Status NOT IN ('Closed')",
                                           testing::kTestNow, &plan));
  CHECK_FALSE(
      streaming::CompileTopicQuery(*testing::SoqlCatalog(), kGuideQuery, testing::kTestNow, &plan));
  CHECK_FALSE(streaming::UsesDateLiterals(plan));
  CHECK_FALSE(streaming::CompileTopicQuery(*testing::SoqlCatalog(),
                                           "SELECT Id FROM Case WHERE CreatedDate = TODAY",
                                           testing::kTestNow, &plan));
  CHECK(streaming::UsesDateLiterals(plan));
}

}  // namespace
}  // namespace omni

namespace omni {
namespace {

TEST_CASE("each NotifyForFields rule needs a field other than Id where it looks") {
  auto plan_of = [](const std::string& q) {
    soql::QueryPlan plan;
    REQUIRE_FALSE(
        streaming::CompileTopicQuery(*testing::SoqlCatalog(), q, testing::kTestNow, &plan));
    return plan;
  };
  soql::QueryPlan only_id = plan_of("SELECT Id FROM Case");
  soql::QueryPlan select = plan_of("SELECT Id, Subject FROM Case");
  soql::QueryPlan where = plan_of("SELECT Id FROM Case WHERE Status = 'New'");
  soql::QueryPlan where_id = plan_of("SELECT Id FROM Case WHERE Id = '500xx0000000001AAA'");
  using streaming::CheckNotifyForFields;
  CHECK_FALSE(CheckNotifyForFields(only_id, NotifyForFields::kAll));
  CHECK(CheckNotifyForFields(only_id, NotifyForFields::kReferenced));
  CHECK(CheckNotifyForFields(where_id, NotifyForFields::kReferenced));
  CHECK_FALSE(CheckNotifyForFields(select, NotifyForFields::kReferenced));
  CHECK_FALSE(CheckNotifyForFields(where, NotifyForFields::kReferenced));
  CHECK_FALSE(CheckNotifyForFields(select, NotifyForFields::kSelect));
  CHECK(CheckNotifyForFields(where, NotifyForFields::kSelect));
  CHECK_FALSE(CheckNotifyForFields(where, NotifyForFields::kWhere));
  CHECK(CheckNotifyForFields(select, NotifyForFields::kWhere));
  CHECK(CheckNotifyForFields(where_id, NotifyForFields::kWhere));
  auto e = CheckNotifyForFields(only_id, NotifyForFields::kReferenced);
  REQUIRE(e);
  CHECK(e->code == StatusCode::kInvalidFieldFault);
  CHECK(e->fields == std::vector<std::string>{"Query"});
  CHECK(streaming::NotifyForFieldsOf("Where") == NotifyForFields::kWhere);
  CHECK(streaming::NotifyForFieldsOf("") == NotifyForFields::kReferenced);
}

}  // namespace
}  // namespace omni
