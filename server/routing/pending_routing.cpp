#include "server/routing/pending_routing.h"

#include <stdexcept>

#include "server/core/sf_id.h"

namespace omni::routing {

namespace {

[[noreturn]] void Refused(const char* what, const Error& e) {
  throw std::runtime_error(std::string("routing: ") + what + " refused: " + e.message);
}

}  // namespace

std::optional<QueueRouting> RoutingFor(const RoutingCatalog& rc, RecordWriter& writer,
                                       const ObjectDef& item_obj, const Record& item) {
  auto owner = Text(item, "OwnerId");
  // A user's work, or closed work, is not routed (no read needed: most changes stop here).
  if (!owner || KeyPrefixOf(*owner) != rc.group->key_prefix) return std::nullopt;
  if (RoutingCatalog::IsClosed(item_obj, item)) return std::nullopt;
  // Consulted, not locked: every work item of a busy queue reads the queue.
  auto queue = writer.Peek(*rc.group, *owner);
  if (!queue || Text(*queue, "Type") != std::optional<std::string>("Queue")) return std::nullopt;
  auto config_id = Text(*queue, "QueueRoutingConfigId");
  if (!config_id) return std::nullopt;
  auto config = writer.Peek(*rc.config, *config_id);
  if (!config) return std::nullopt;
  auto channels = writer.FindIds(*rc.channel, *rc.channel_entity, item_obj.name);
  if (channels.empty()) return std::nullopt;
  auto channel = writer.Peek(*rc.channel, channels[0]);
  if (!channel) return std::nullopt;
  return QueueRouting{*owner, std::move(*config), channels[0], std::move(*channel)};
}

std::vector<std::string> PendingRoutingsOf(const RoutingCatalog& rc, RecordWriter& writer,
                                           const std::string& item_id) {
  return writer.FindIds(*rc.psr, *rc.psr_work_item, item_id);
}

std::string EnterRouting(const RoutingCatalog& rc, RecordWriter& writer, const ObjectDef& item_obj,
                         const Record& item, const QueueRouting& routing, bool is_transfer) {
  Record psr;
  psr.type = rc.psr->name;
  auto item_id = Text(item, "Id");
  psr.Set("WorkItemId", item_id);
  psr.Set("QueueId", routing.queue_id);
  psr.Set("OwnerId", routing.queue_id);
  psr.Set("ServiceChannelId", routing.channel_id);
  psr.Set("RoutingModel", Text(routing.config, "RoutingModel"));
  psr.Set("RoutingPriority", Text(routing.config, "RoutingPriority"));
  // The configuration says how much of an agent the item takes; before API 33 the channel did.
  auto weight = Text(routing.config, "CapacityWeight");
  auto percentage = Text(routing.config, "CapacityPercentage");
  if (!weight && !percentage) {
    weight = Text(routing.channel, "CapacityWeight");
    percentage = Text(routing.channel, "CapacityPercentage");
  }
  if (!weight && !percentage) weight = "1";
  if (weight) psr.Set("CapacityWeight", weight);
  if (percentage) psr.Set("CapacityPercentage", percentage);
  psr.Set("RoutingType", std::string("QueueBased"));
  psr.Set("IsReadyForRouting", std::string("true"));
  psr.Set("IsTransfer", std::string(is_transfer ? "true" : "false"));
  if (const FieldDef* name = item_obj.NameField()) {
    if (auto label = Text(item, name->name.c_str())) psr.Set("Name", label);
  }
  Error err;
  auto id = writer.CreateAsOrg(psr, &err);
  if (!id) Refused("creating a PendingServiceRouting", err);
  return *id;
}

void LeaveRouting(const RoutingCatalog& rc, RecordWriter& writer, const std::string& item_id) {
  for (const auto& id : PendingRoutingsOf(rc, writer, item_id)) {
    Error err;
    if (!writer.DeleteAsOrg(*rc.psr, id, &err)) Refused("deleting a PendingServiceRouting", err);
  }
}

void SyncPendingRouting(const RoutingCatalog& rc, RecordWriter& writer, const ObjectDef& item_obj,
                        const Record& item) {
  auto item_id = Text(item, "Id");
  if (!item_id) return;
  auto routing = RoutingFor(rc, writer, item_obj, item);
  auto existing = PendingRoutingsOf(rc, writer, *item_id);
  bool kept = false;
  for (const auto& id : existing) {
    if (routing && !kept) {
      auto psr = writer.Peek(*rc.psr, id);
      if (psr && Text(*psr, "QueueId") == std::optional<std::string>(routing->queue_id)) {
        kept = true;  // still waiting in the same queue: routing goes on as it was
        continue;
      }
    }
    Error err;
    if (!writer.DeleteAsOrg(*rc.psr, id, &err)) Refused("deleting a PendingServiceRouting", err);
  }
  if (routing && !kept) EnterRouting(rc, writer, item_obj, item, *routing, false);
}

}  // namespace omni::routing
