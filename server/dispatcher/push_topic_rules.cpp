#include "server/dispatcher/push_topic_rules.h"

#include <cstdlib>

#include "server/soql/record_eval.h"
#include "server/streaming/topic_match.h"

namespace omni {

std::optional<Error> CheckPushTopic(const Catalog& catalog, const ObjectDef& obj,
                                    const Record& given, const Record* before,
                                    const std::string& now) {
  if (obj.name != "PushTopic") return std::nullopt;
  const Value* version = given.Find("ApiVersion");
  if (version && *version && std::strtod((*version)->c_str(), nullptr) <= 20.0) {
    // LIMITATIONS: the object reference states the rule ("It must be an API version greater
    // than 20.0"), not the real org's answer; the code and text are ours.
    return Error{StatusCode::kFieldIntegrityException,
                 "ApiVersion: the API version must be greater than 20.0: " + **version,
                 {"ApiVersion"}};
  }
  // An update that changes neither the Query nor the NotifyForFields rule leaves them as they are.
  const Value* query = given.Find("Query");
  const Value* rule = given.Find("NotifyForFields");
  if (before && !query && !rule) return std::nullopt;
  if (!query && before) query = before->Find("Query");
  if (!rule && before) rule = before->Find("NotifyForFields");
  if (!query || !*query) return std::nullopt;  // a missing Query is REQUIRED_FIELD_MISSING
  auto millis = soql::DateTimeMillis(now);
  std::time_t at = millis ? static_cast<std::time_t>(*millis / 1000) : 0;
  soql::QueryPlan plan;
  if (auto e = streaming::CompileTopicQuery(catalog, **query, at, &plan)) return e;
  return streaming::CheckNotifyForFields(
      plan, streaming::NotifyForFieldsOf(rule && *rule ? **rule : "Referenced"));
}

}  // namespace omni
