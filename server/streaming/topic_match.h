// The Streaming API's event rules for PushTopics, pure: which committed change is an event of
// which topic, and what the event's `sobject` holds. The Bayeux server (a later slice) reads the
// change log, turns each PushTopic row into a Topic with TopicFromRecord, and asks MatchChange
// for every change of the topic's object.
//
// The rules (Streaming API Developer Guide, "Event Notification Rules" and the PushTopic object
// reference; CATALOG-DECISIONS.md Q):
//   * an inactive topic (IsActive false) has no events;
//   * NotifyForOperationCreate/Update/Delete/Undelete choose the kinds of change;
//   * the query's WHERE must match the record: its after image, for a delete its before image;
//   * an update is an event only when a field the NotifyForFields rule looks at changed
//     (All: any field; Referenced: a field of SELECT or WHERE; Select: of SELECT; Where: of
//     WHERE); creates, deletes and undeletes don't look at changed fields;
//   * the event's sobject holds the SELECT's fields (Id always), typed as Salesforce's JSON has
//     them: numbers and booleans bare, null as null, everything else (datetimes too) as text.
//
// CompileTopicQuery is also the check of a PushTopic's Query on create and update
// (server/dispatcher/push_topic_rules.*): what it refuses is refused with the error it returns.
// Thread-safety: pure functions over an immutable catalog; thread-safe.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "server/core/status.h"
#include "server/soql/plan.h"
#include "storage/change_log.h"

namespace omni::streaming {

enum class NotifyForFields { kAll, kReferenced, kSelect, kWhere };

// A PushTopic ready for matching: its settings and its query, parsed and bound.
struct Topic {
  std::string id;
  std::string name;  // the channel is /topic/<name>
  bool is_active = true;
  bool notify_create = true;
  bool notify_update = true;
  bool notify_delete = true;
  bool notify_undelete = true;
  NotifyForFields notify_for_fields = NotifyForFields::kReferenced;
  soql::QueryPlan query;
};

// Checks a PushTopic query and binds it against the catalog (now: what date literals are
// relative to). Returns the per-record error (fields: Query) a real org gives, or nullopt with
// *plan filled. Refused: a query the SOQL front end refuses (its message without the excerpt),
// no Id in SELECT, relationships, aggregates and COUNT, GROUP BY, ORDER BY, LIMIT, OFFSET,
// semi/anti-joins, NOT, a textarea field in WHERE, an object that has no query() call.
std::optional<Error> CompileTopicQuery(const Catalog& catalog, const std::string& query,
                                       std::time_t now, soql::QueryPlan* plan);

// The NotifyForFields value of its text ("All", "Referenced", "Select", "Where"; anything else is
// the default, Referenced).
NotifyForFields NotifyForFieldsOf(const std::string& text);

// A topic whose rule would watch nothing a change can move: Select needs a SELECT field other
// than Id, Where a WHERE field other than Id, Referenced either (the guide's "NotifyForFields
// Set to ..." pages). Returns the per-record error, or nullopt.
std::optional<Error> CheckNotifyForFields(const soql::QueryPlan& plan, NotifyForFields rule);

// Whether the bound query uses a date literal (TODAY, LAST_N_DAYS:n, ...): its bounds are those
// of the `now` it was compiled with, so a caller matching a change should compile it with the
// change's commit time.
bool UsesDateLiterals(const soql::QueryPlan& plan);

// The Topic of a PushTopic record (every field, canonical text, as stored or in a change-log
// image). Returns the error when its Query does not compile (a topic stored before a catalog
// change).
std::optional<Error> TopicFromRecord(const Catalog& catalog, const Record& push_topic,
                                     std::time_t now, Topic* out);

// One committed change of one record, as the change log holds it.
struct Change {
  storage::ChangeKind kind = storage::ChangeKind::kCreated;
  std::string object;              // the record's sObject name
  const Record* before = nullptr;  // absent for a create
  const Record* after = nullptr;   // present for every kind
};

// The event's sobject as JSON text when the change is an event of the topic; nullopt otherwise.
std::optional<std::string> MatchChange(const Topic& topic, const Change& change);

// The record image of a change-log JSON image (ParseFlatJsonObject); nullopt when malformed.
std::optional<Record> ImageFromJson(const std::string& object, const std::string& json);

// The names of the fields the rule looks at on an update (catalog spelling), for tests and for
// the Bayeux server's descriptions.
std::vector<std::string> WatchedFields(const Topic& topic);

}  // namespace omni::streaming
