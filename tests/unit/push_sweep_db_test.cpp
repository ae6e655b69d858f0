// The push time-out sweep's one statement (Store::OrgsWithDuePushes) against a real PostgreSQL:
// it finds exactly the orgs whose clock runs in real time (their offset counted) and that hold
// Assigned AgentWork past its PushTimeout; frozen orgs, answered work and work not yet due are
// not found, and an org without a clock row follows the clock new orgs get.
#include <doctest/doctest.h>

#include <algorithm>

#include "server/core/clock.h"
#include "server/core/sf_id.h"
#include "tests/unit/soql_test_util.h"
#include "tests/unit/test_db.h"

namespace omni {
namespace {

TEST_CASE("push sweep: the orgs with due pushes, on their clocks") {
  auto store = testing::OpenTestStore(2);
  const ObjectDef& work = *testing::SoqlCatalog()->FindObject("AgentWork");
  const std::int64_t now = Clock::NowMillis();
  // org -> (clock: 'r'eal time with offset, 'f'rozen, '-' none; status; assigned; timeout)
  struct Case {
    std::string org;
    char clock;
    std::int64_t offset_ms;
    std::string status;
    std::int64_t assigned_ms;
    std::string push_timeout;
  };
  auto org = [] { return testing::FreshOrg().first; };
  std::vector<Case> cases = {
      {org(), 'r', 0, "Assigned", now - 5000, "2"},      // 0: due
      {org(), 'r', 0, "Assigned", now - 1000, "2"},      // 1: due in a second
      {org(), 'f', 0, "Assigned", now - 5000, "2"},      // 2: frozen
      {org(), '-', 0, "Assigned", now - 5000, "2"},      // 3: no clock row
      {org(), 'r', 0, "Opened", now - 5000, "2"},        // 4: answered
      {org(), 'r', 0, "Assigned", now - 5000, "0"},      // 5: no time-out
      {org(), 'r', 10000, "Assigned", now - 1000, "5"},  // 6: due on its clock, 10 s ahead
  };
  {
    auto tx = store->Begin();
    for (const auto& c : cases) {
      Record rec;
      rec.type = "AgentWork";
      rec.fields = {{"Id", MakeId("0Bz", tx->records().NextId())},
                    {"Status", c.status},
                    {"PushTimeout", c.push_timeout},
                    {"AssignedDateTime", Clock::Format(c.assigned_ms)},
                    {"IsDeleted", std::string("false")}};
      tx->records().Insert(c.org, work, rec);
    }
    tx->Commit();
  }
  for (const auto& c : cases) {
    if (c.clock == '-') continue;
    storage::ClockRow initial;
    initial.frozen = c.clock == 'f';
    initial.at_millis = now;
    initial.offset_millis = c.offset_ms;
    store->LoadClock(c.org, initial);
  }
  auto found = [&](std::int64_t at, bool new_orgs_frozen) {
    std::vector<int> out;
    auto orgs = store->OrgsWithDuePushes(at, new_orgs_frozen);
    for (size_t i = 0; i < cases.size(); ++i) {
      if (std::count(orgs.begin(), orgs.end(), cases[i].org)) out.push_back(static_cast<int>(i));
    }
    return out;
  };
  CHECK(found(now, false) == std::vector<int>{0, 3, 6});
  CHECK(found(now, true) == std::vector<int>{0, 6});
  CHECK(found(now + 1500, true) == std::vector<int>{0, 1, 6});
  CHECK(found(now - 10000, false) == std::vector<int>{});
}

}  // namespace
}  // namespace omni
