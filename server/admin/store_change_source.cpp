#include "server/admin/store_change_source.h"

namespace omni {

std::vector<ChangeView> StoreChangeSource::After(const std::string& org, std::int64_t after,
                                                 std::size_t limit) {
  std::vector<ChangeView> out;
  for (auto& c : store_->ReadChangesAfter(org, after, static_cast<int>(limit))) {
    ChangeView v;
    v.position = c.position;
    v.kind = storage::ChangeKindName(c.kind);
    v.object = std::move(c.object);
    v.record_id = std::move(c.record_id);
    v.user_id = std::move(c.user_id);
    v.committed_at = std::move(c.committed_at);
    if (c.before_json) v.before_json = std::move(*c.before_json);
    if (c.after_json) v.after_json = std::move(*c.after_json);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace omni
