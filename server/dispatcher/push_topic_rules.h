// PushTopic's rules beyond its fields' properties: its Query must be a PushTopic query (one
// object of the catalog, plain fields, Id selected, an optional WHERE the Streaming API can
// evaluate; streaming::CompileTopicQuery) and its ApiVersion greater than 20.0, checked on
// create and on every update that sets them, as a real org does (CATALOG-DECISIONS.md Q).
// Thread-safety: pure functions over an immutable catalog; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "server/catalog/catalog.h"
#include "server/core/record.h"
#include "server/core/status.h"

namespace omni {

// given: the resolved values of a create, or the changes of an update (before: the record's
// current row; null for a create). now: the call's time (canonical datetime), for date
// literals. nullopt when the record may be written, or its error. Does nothing for other
// objects.
std::optional<Error> CheckPushTopic(const Catalog& catalog, const ObjectDef& obj,
                                    const Record& given, const Record* before,
                                    const std::string& now);

}  // namespace omni
