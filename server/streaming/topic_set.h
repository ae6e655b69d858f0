// TopicSet: one org's PushTopics as they stood at one change-log position, and the events the
// following changes make (server/streaming/event_source.h). Walking the change log in order, a
// PushTopic change updates the set and any other change is matched against it (topic_match.h),
// so a topic sees exactly the changes committed while it existed, as it was then.
//
// At(): the set at position P is today's PushTopic rows with every PushTopic change after P
// undone (a topic's first later change holds its state at P in its before image; one created
// after P did not exist). Rows are read before the changes, so a topic change racing the read
// is undone too.
//
// Thread-safety: a TopicSet belongs to one thread; At() is a few short reads on the Store.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/streaming/event_source.h"
#include "server/streaming/topic_match.h"
#include "storage/store.h"

namespace omni::streaming {

class TopicSet {
 public:
  explicit TopicSet(const Catalog* catalog) : catalog_(catalog) {}
  // The org's topics at position `at` (see above). Throws StorageError as the Store does.
  static TopicSet At(storage::Store& store, const std::string& org, std::int64_t at);

  // Applies one committed change, the next in position order: a PushTopic change updates the
  // set; any other appends its events (one per matching topic, in topic Id order) to *out.
  void Apply(const storage::CommittedChange& change, std::vector<StreamEvent>* out);

  bool empty() const { return topics_.empty(); }

 private:
  struct Entry {
    Record row;
    Topic topic;
    bool compiled = false;
  };
  void Put(const Record& row, const std::string& now);

  const Catalog* catalog_;
  std::map<std::string, Entry> topics_;  // by PushTopic Id
};

}  // namespace omni::streaming
