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
  const Value* query = given.Find("Query");
  if (!query && before) return std::nullopt;   // an update that leaves the Query as it is
  if (!query || !*query) return std::nullopt;  // a missing Query is REQUIRED_FIELD_MISSING
  auto millis = soql::DateTimeMillis(now);
  std::time_t at = millis ? static_cast<std::time_t>(*millis / 1000) : 0;
  soql::QueryPlan plan;
  return streaming::CompileTopicQuery(catalog, **query, at, &plan);
}

}  // namespace omni
