#include "server/routing/routing_listener.h"

#include "server/routing/external_work.h"
#include "server/routing/pending_routing.h"
#include "server/routing/routing_engine.h"

namespace omni::routing {

std::shared_ptr<RoutingListener> RoutingListener::Make(std::shared_ptr<const Catalog> catalog,
                                                       std::string* error) {
  auto rc = RoutingCatalog::Resolve(*catalog, error);
  if (!rc) return nullptr;
  return std::shared_ptr<RoutingListener>(new RoutingListener(std::move(catalog), std::move(rc)));
}

bool RoutingListener::Wants(const ObjectDef& object) const {
  return rc_->IsWorkItem(object) || &object == rc_->work || &object == rc_->psr ||
         &object == rc_->presence;
}

void RoutingListener::BeforeCommit(const std::vector<TxChange>& changes, RecordWriter& writer) {
  RouteBeforeCommit(*rc_, changes, writer);
}

bool RoutingListener::SerializesWrites(const ObjectDef& object) const {
  return &object == rc_->work;
}

void RoutingListener::OnChange(const ChangeEvent& event, RecordWriter& writer) {
  // Every listener hears every change (ChangeBus::Publish); Wants() only spares the others.
  if (rc_->IsWorkItem(*event.object)) OnWorkItem(event, writer);
  // An external router's AgentWork (external_work.h); the org's own AgentWork writes are updates.
  if (event.kind == ChangeEvent::Kind::kCreated && event.object->name == "AgentWork") {
    OnExternalWorkCreated(*rc_, writer, *event.after);
  }
}

void RoutingListener::OnWorkItem(const ChangeEvent& event, RecordWriter& writer) const {
  const ObjectDef& obj = *event.object;
  const Record& after = *event.after;
  switch (event.kind) {
    case ChangeEvent::Kind::kDeleted:
      LeaveRouting(*rc_, writer, event.record_id);
      return;
    case ChangeEvent::Kind::kCreated:
      // A new record has no PendingServiceRouting yet: only a routed queue gives it one.
      if (auto routing = RoutingFor(*rc_, writer, obj, after)) {
        EnterRouting(*rc_, writer, obj, after, *routing, false);
      }
      return;
    case ChangeEvent::Kind::kUpdated: {
      // Only the owner and the status decide routing; other edits leave it alone.
      const Record& before = *event.before;
      if (Text(before, "OwnerId") == Text(after, "OwnerId") &&
          Text(before, "Status") == Text(after, "Status")) {
        return;
      }
      SyncPendingRouting(*rc_, writer, obj, after);
      return;
    }
    case ChangeEvent::Kind::kUndeleted:
      SyncPendingRouting(*rc_, writer, obj, after);
      return;
  }
}

}  // namespace omni::routing
