// PushTopic events derived from the change log against a real PostgreSQL: a topic sees exactly
// the changes committed while it existed, as it was then, whichever position a reader starts
// from (server/streaming/topic_set.h, store_event_source.h).
#include <doctest/doctest.h>

#include "server/dispatcher/dispatcher.h"
#include "server/streaming/store_event_source.h"
#include "tests/unit/test_db.h"

namespace omni {
namespace {

struct Org {
  Org() : store(testing::OpenTestStore(4)), clock(testing::TestClock(store.get())) {
    auto org = testing::FreshOrg();
    ctx = CallContext{org.first, org.second};
    d = std::make_unique<Dispatcher>(testing::SoqlCatalog(), store.get(), &bus, clock.get(),
                                     nullptr);
  }
  std::string Create(Record r) {
    auto out = d->Create(ctx, {std::move(r)}, {});
    REQUIRE(out.value.size() == 1);
    REQUIRE(out.value[0].success);
    return *out.value[0].id;
  }
  std::string Topic(const std::string& name, const std::string& query) {
    Record r;
    r.type = "PushTopic";
    r.fields = {{"Name", name}, {"ApiVersion", "44.0"}, {"Query", query}};
    return Create(r);
  }
  std::string Case(const std::string& subject) {
    Record r;
    r.type = "Case";
    r.fields = {{"Subject", subject}};
    return Create(r);
  }
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<OrgClock> clock;
  ChangeBus bus;
  CallContext ctx;
  std::unique_ptr<Dispatcher> d;
};

std::vector<std::string> Subjects(const std::vector<streaming::StreamEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    auto at = e.sobject_json.find("\"Subject\":\"");
    out.push_back(
        at == std::string::npos
            ? "?"
            : e.sobject_json.substr(at + 11, e.sobject_json.find('"', at + 11) - at - 11));
  }
  return out;
}

TEST_CASE("events: a topic's history (created, changed, deleted) decides every event") {
  Org o;
  o.Case("before the topic");
  const std::int64_t before_topic = o.store->LastChangePosition(o.ctx.org_id);
  std::string topic_id = o.Topic("Cases", "SELECT Id, Subject FROM Case");
  o.Case("all 1");
  const std::int64_t after_first = o.store->LastChangePosition(o.ctx.org_id);
  Record narrowed;
  narrowed.type = "PushTopic";
  narrowed.fields = {{"Id", topic_id},
                     {"Query", "SELECT Id, Subject FROM Case WHERE Subject = 'x'"}};
  REQUIRE(o.d->Update(o.ctx, {narrowed}, {}).value[0].success);
  o.Case("y");
  o.Case("x");
  REQUIRE(o.d->Delete(o.ctx, {topic_id}, {}).value[0].success);
  o.Case("x");  // after the topic's delete: no event

  streaming::StoreEventSource source(o.store.get(), o.clock.get());
  auto all = source.After(o.ctx.org_id, 0, 1000);
  CHECK(Subjects(all.events) == std::vector<std::string>{"all 1", "x"});
  CHECK(all.through == o.store->LastChangePosition(o.ctx.org_id));
  for (const auto& e : all.events) {
    CHECK(e.channel == "/topic/Cases");
    CHECK(e.type == "created");
    CHECK(e.created_date.size() == 24);
  }
  // Read from the middle of its history, the topic is as it was there.
  CHECK(Subjects(source.After(o.ctx.org_id, after_first, 1000).events) ==
        std::vector<std::string>{"x"});
  CHECK(Subjects(source.After(o.ctx.org_id, before_topic, 1000).events) ==
        std::vector<std::string>{"all 1", "x"});
  // Replay ids are the changes' positions, the same from every starting point.
  CHECK(source.After(o.ctx.org_id, after_first, 1000).events[0].replay_id ==
        all.events[1].replay_id);
  // At most max_changes changes are examined per page.
  auto page = source.After(o.ctx.org_id, before_topic, 2);
  CHECK(page.through == before_topic + 2);
  CHECK(Subjects(page.events) == std::vector<std::string>{"all 1"});

  CHECK_FALSE(source.TopicExists(o.ctx.org_id, "Cases"));  // deleted
  auto bounds = source.Bounds(o.ctx.org_id);
  CHECK(bounds.tip == o.store->LastChangePosition(o.ctx.org_id));
  CHECK(bounds.floor == 0);  // everything is younger than 24 hours
}

TEST_CASE("events: retention follows the org's clock") {
  Org o;
  o.Topic("Kept", "SELECT Id, Subject FROM Case");
  o.Case("old");
  const std::int64_t old_position = o.store->LastChangePosition(o.ctx.org_id);
  o.clock->Advance(o.ctx.org_id, 23LL * 3600 * 1000);
  o.Case("recent");
  streaming::StoreEventSource source(o.store.get(), o.clock.get());
  CHECK(source.Bounds(o.ctx.org_id).floor == 0);
  CHECK(source.TopicExists(o.ctx.org_id, "Kept"));
  CHECK_FALSE(source.TopicExists(o.ctx.org_id, "kept"));  // channel names are case-sensitive
  o.clock->Advance(o.ctx.org_id, 3600LL * 1000 + 60000);
  auto bounds = source.Bounds(o.ctx.org_id);
  CHECK(bounds.floor == old_position);
  CHECK(Subjects(source.After(o.ctx.org_id, bounds.floor, 1000).events) ==
        std::vector<std::string>{"recent"});
}

}  // namespace
}  // namespace omni
