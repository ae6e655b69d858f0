// StoreChangeSource: the change log in storage as the ChangesEndpoint reads it.
// Thread-safety: thread-safe (each read is its own short transaction in the Store).
#pragma once

#include "server/admin/changes_endpoint.h"
#include "storage/store.h"

namespace omni {

class StoreChangeSource : public ChangeSource {
 public:
  explicit StoreChangeSource(storage::Store* store) : store_(store) {}
  std::vector<ChangeView> After(const std::string& org, std::int64_t after,
                                std::size_t limit) override;
  std::int64_t Head(const std::string& org) override { return store_->LastChangePosition(org); }

 private:
  storage::Store* store_;
};

}  // namespace omni
