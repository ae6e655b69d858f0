#include "server/dispatcher/query_service.h"

#include <algorithm>
#include <ctime>

#include "server/core/clock.h"
#include "server/core/sf_id.h"
#include "server/core/unexpected.h"
#include "server/soql/binder.h"

namespace omni {

namespace {

constexpr int kMinBatchSize = 200;
constexpr int kMaxBatchSize = 2000;
constexpr int kLocatorIdleSeconds = 15 * 60;
// Query locators look like Salesforce's: an Id of key prefix 01g, then "-" and the next offset.
constexpr const char* kLocatorPrefix = "01g";

int BoundBatch(int batch_size) {
  if (batch_size <= 0) return kDefaultBatchSize;
  return std::min(std::max(batch_size, kMinBatchSize), kMaxBatchSize);
}

Fault InvalidLocatorFault() {
  return Fault{ExceptionCode::kInvalidQueryLocator, FaultKind::kInvalidQueryLocatorFault,
               "invalid query locator"};
}

int ClampInt(std::int64_t n) { return static_cast<int>(std::min<std::int64_t>(n, 2147483647)); }

// Turns result rows into QueryRecords as the plan shapes them.
class Shaper {
 public:
  Shaper(const Catalog& catalog, const soql::QueryPlan& plan) : catalog_(catalog), plan_(plan) {}

  QueryRecord Row(const std::vector<Value>& row) const {
    QueryRecord rec;
    if (plan_.aggregate) {
      rec.type = "AggregateResult";
      for (const auto& item : plan_.select)
        rec.fields.emplace_back(item.name, Cell(row, item.column));
      return rec;
    }
    rec.type = plan_.object->name;
    // Id first when selected, then the rest in SELECT order.
    for (const auto& item : plan_.select) {
      if (item.expr.ref.hops.empty() && item.expr.ref.field->name == "Id") {
        Place(&rec, item, 0, "", row);
      }
    }
    for (const auto& item : plan_.select) {
      if (item.expr.ref.hops.empty() && item.expr.ref.field->name == "Id") continue;
      Place(&rec, item, 0, "", row);
    }
    return rec;
  }

 private:
  static Value Cell(const std::vector<Value>& row, int column) {
    return column >= 0 && static_cast<size_t>(column) < row.size() ? row[column] : std::nullopt;
  }

  int ParentIdColumn(const std::string& key) const {
    for (const auto& p : plan_.parent_id_columns) {
      if (p.first == key) return p.second;
    }
    return -1;
  }

  void Place(QueryRecord* rec, const soql::SelectItem& item, size_t depth,
             const std::string& prefix, const std::vector<Value>& row) const {
    const soql::FieldRef& ref = item.expr.ref;
    if (depth == ref.hops.size()) {
      rec->fields.emplace_back(ref.field->name, Cell(row, item.column));
      return;
    }
    const soql::Hop& hop = ref.hops[depth];
    const std::string& rel = hop.ref->relationship_name;
    std::string key = prefix.empty() ? rel : prefix + "." + rel;
    for (auto& [name, value] : rec->fields) {
      if (name != rel) continue;
      auto* nested = std::get_if<std::shared_ptr<QueryRecord>>(&value);
      if (nested && *nested) Place(nested->get(), item, depth + 1, key, row);
      return;  // a null relationship stays null
    }
    Value parent_id = Cell(row, ParentIdColumn(key));
    if (!parent_id) {
      rec->fields.emplace_back(rel, Value());
      return;
    }
    auto nested = std::make_shared<QueryRecord>();
    nested->type = hop.target->name;
    if (hop.polymorphic) {
      const ObjectDef* actual = catalog_.FindByKeyPrefix(KeyPrefixOf(*parent_id));
      if (actual) nested->type = actual->name;
    }
    rec->fields.emplace_back(rel, nested);
    Place(nested.get(), item, depth + 1, key, row);
  }

  const Catalog& catalog_;
  const soql::QueryPlan& plan_;
};

}  // namespace

QueryService::QueryService(std::shared_ptr<const Catalog> catalog, storage::Store* store,
                           OrgClock* clock)
    : catalog_(std::move(catalog)), store_(store), clock_(clock) {}

Outcome<QueryPage> QueryService::Query(const CallContext& ctx, const std::string& soql,
                                       bool include_deleted, int batch_size) {
  using Result = Outcome<QueryPage>;
  soql::QueryPlan plan;
  if (auto fault = soql::Compile(*catalog_, soql,
                                 static_cast<std::time_t>(clock_->Now(ctx.org_id) / 1000), &plan)) {
    return Result::Fail(*fault);
  }
  int batch = BoundBatch(batch_size);
  return Guarded<QueryPage>("query", [&]() -> Result {
    auto tx = store_->Begin();
    Result out;
    if (plan.count_only) {
      out.value.size = ClampInt(tx->records().CountQuery(ctx.org_id, plan, include_deleted));
      tx->Commit();
      return out;
    }
    auto rows = tx->records().RunQuery(ctx.org_id, plan, include_deleted, 0, batch);
    // A first page shorter than the batch is the whole result: its length is the size, and the
    // COUNT statement (a second scan) is only needed when there are more pages.
    std::int64_t total = static_cast<std::int64_t>(rows.size()) < batch
                             ? static_cast<std::int64_t>(rows.size())
                             : tx->records().CountQuery(ctx.org_id, plan, include_deleted);
    out.value.size = ClampInt(total);
    Shaper shaper(*catalog_, plan);
    out.value.records.reserve(rows.size());
    for (const auto& row : rows) out.value.records.push_back(shaper.Row(row));
    std::int64_t next = static_cast<std::int64_t>(rows.size());
    if (next < total && next == batch) {
      storage::QueryLocatorRow loc;
      loc.locator = MakeId(kLocatorPrefix, tx->records().NextId());
      loc.org_id = ctx.org_id;
      loc.soql = soql;
      loc.include_deleted = include_deleted;
      loc.next_offset = next;
      loc.total = total;
      tx->locators().SaveQueryLocator(loc);
      out.value.done = false;
      out.value.locator = loc.locator + "-" + std::to_string(next);
    }
    tx->Commit();
    return out;
  });
}

Outcome<QueryPage> QueryService::QueryMore(const CallContext& ctx, const std::string& locator,
                                           int batch_size) {
  using Result = Outcome<QueryPage>;
  size_t dash = locator.rfind('-');
  if (dash == std::string::npos || dash + 1 >= locator.size() || locator.size() - dash > 10) {
    return Result::Fail(InvalidLocatorFault());
  }
  std::string base = locator.substr(0, dash);
  std::int64_t offset = 0;
  for (size_t i = dash + 1; i < locator.size(); ++i) {
    if (locator[i] < '0' || locator[i] > '9') return Result::Fail(InvalidLocatorFault());
    offset = offset * 10 + (locator[i] - '0');
  }
  int batch = BoundBatch(batch_size);
  return Guarded<QueryPage>("queryMore", [&]() -> Result {
    auto tx = store_->Begin();
    auto row = tx->locators().FindQueryLocator(base, ctx.org_id, kLocatorIdleSeconds);
    if (!row || offset <= 0 || offset >= row->total) {
      tx->Commit();  // keeps the removal of expired locators
      return Result::Fail(InvalidLocatorFault());
    }
    soql::QueryPlan plan;
    if (auto fault =
            soql::Compile(*catalog_, row->soql,
                          static_cast<std::time_t>(clock_->Now(ctx.org_id) / 1000), &plan)) {
      return Result::Fail(*fault);
    }
    auto rows = tx->records().RunQuery(ctx.org_id, plan, row->include_deleted, offset, batch);
    Result out;
    out.value.size = ClampInt(row->total);
    Shaper shaper(*catalog_, plan);
    out.value.records.reserve(rows.size());
    for (const auto& r : rows) out.value.records.push_back(shaper.Row(r));
    std::int64_t next = offset + static_cast<std::int64_t>(rows.size());
    if (next >= row->total || static_cast<int>(rows.size()) < batch) {
      tx->locators().DeleteQueryLocator(base);  // the last page was served
    } else {
      row->next_offset = next;
      tx->locators().SaveQueryLocator(*row);
      out.value.done = false;
      out.value.locator = base + "-" + std::to_string(next);
    }
    tx->Commit();
    return out;
  });
}

}  // namespace omni
