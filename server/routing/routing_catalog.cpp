#include "server/routing/routing_catalog.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace omni::routing {

std::optional<std::string> Text(const Record& rec, const char* field) {
  const Value* v = rec.Find(field);
  if (!v || !*v) return std::nullopt;
  return **v;
}

std::string Str(const Record& rec, const char* field) { return Text(rec, field).value_or(""); }

std::unique_ptr<const RoutingCatalog> RoutingCatalog::Resolve(const Catalog& catalog,
                                                              std::string* error) {
  auto out = std::make_unique<RoutingCatalog>();
  out->psr = catalog.FindObject("PendingServiceRouting");
  out->group = catalog.FindObject("Group");
  out->config = catalog.FindObject("QueueRoutingConfig");
  out->channel = catalog.FindObject("ServiceChannel");
  if (!out->psr || !out->group || !out->config || !out->channel) {
    *error =
        "the catalog lacks an object routing needs (PendingServiceRouting, Group, "
        "QueueRoutingConfig, ServiceChannel)";
    return nullptr;
  }
  out->work = catalog.FindObject("AgentWork");
  out->presence = catalog.FindObject("UserServicePresence");
  out->channel_status = catalog.FindObject("ServiceChannelStatus");
  out->member = catalog.FindObject("GroupMember");
  out->user = catalog.FindObject("User");
  out->user_config = catalog.FindObject("PresenceUserConfig");
  out->config_user = catalog.FindObject("PresenceUserConfigUser");
  out->config_profile = catalog.FindObject("PresenceUserConfigProfile");
  if (!out->work || !out->presence || !out->channel_status || !out->member || !out->user ||
      !out->user_config || !out->config_user || !out->config_profile) {
    *error =
        "the catalog lacks an object the routing engine needs (AgentWork, UserServicePresence, "
        "ServiceChannelStatus, GroupMember, User, PresenceUserConfig and its User and Profile "
        "objects)";
    return nullptr;
  }
  const std::pair<const ObjectDef*, std::vector<const char*>> needed[] = {
      {out->psr,
       {"QueueId", "ServiceChannelId", "IsPushed", "IsPushAttempted", "IsReadyForRouting",
        "RoutingModel", "RoutingPriority", "CustomRequestedDateTime", "LastDeclinedAgentSession",
        "CapacityWeight", "CapacityPercentage"}},
      {out->work,
       {"UserId", "WorkItemId", "ServiceChannelId", "PendingServiceRoutingId", "Status",
        "AssignedDateTime", "RequestDateTime", "OriginalQueueId", "PushTimeout", "CapacityWeight",
        "CapacityPercentage", "AcceptDateTime", "SpeedToAnswer"}},
      {out->presence,
       {"UserId", "IsCurrentState", "ServicePresenceStatusId", "ConfiguredCapacity", "Name",
        "StatusStartDate"}},
      {out->channel_status, {"ServicePresenceStatusId", "ServiceChannelId"}},
      {out->member, {"GroupId", "UserOrGroupId"}},
      {out->config_user, {"UserId", "PresenceUserConfigId"}},
      {out->config_profile, {"ProfileId", "PresenceUserConfigId"}},
  };
  for (const auto& [obj, fields] : needed) {
    for (const char* f : fields) {
      if (!obj->FindField(f)) {
        *error = "the catalog lacks " + obj->name + "." + f + ", which routing needs";
        return nullptr;
      }
    }
  }
  out->psr_work_item = out->psr->FindField("WorkItemId");
  out->channel_entity = out->channel->FindField("RelatedEntity");
  if (!out->psr_work_item || !out->channel_entity ||
      !out->group->FindField("QueueRoutingConfigId")) {
    *error =
        "the catalog lacks a field routing needs (PendingServiceRouting.WorkItemId, "
        "ServiceChannel.RelatedEntity, Group.QueueRoutingConfigId)";
    return nullptr;
  }
  for (const auto& entity : out->channel_entity->picklist_values) {
    const ObjectDef* obj = catalog.FindObject(entity);
    if (!obj) continue;
    const FieldDef* owner = obj->FindField("OwnerId");
    if (!owner) continue;
    const auto& targets = owner->reference_to;
    if (std::find(targets.begin(), targets.end(), out->group->name) != targets.end()) {
      out->work_items.push_back(obj);
    }
  }
  return out;
}

const FieldDef& RoutingCatalog::F(const ObjectDef& obj, const char* field) {
  const FieldDef* f = obj.FindField(field);
  if (!f) throw std::logic_error("routing: the catalog lacks " + obj.name + "." + field);
  return *f;
}

bool RoutingCatalog::IsWorkItem(const ObjectDef& obj) const {
  return std::find(work_items.begin(), work_items.end(), &obj) != work_items.end();
}

bool RoutingCatalog::IsClosed(const ObjectDef& obj, const Record& item) {
  auto status = Text(item, "Status");
  if (!status) return false;
  if (obj.name == "Case") return *status == "Closed";
  if (obj.name == "LiveChatTranscript") return *status == "Completed" || *status == "Missed";
  return false;
}

}  // namespace omni::routing
