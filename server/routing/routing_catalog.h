// RoutingCatalog: the catalog's objects and fields that Omni-Channel routing works with, resolved
// once at start-up, so that the routing code names each field in one place and the rest of it
// works on handles. Which objects are routable (work items) is the catalog's answer too: the
// objects ServiceChannel.RelatedEntity can name that the catalog has, and whose OwnerId can be a
// queue (a Group).
//
// Thread-safety: immutable after Resolve; shared by every thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/record.h"

namespace omni::routing {

struct RoutingCatalog {
  const ObjectDef* psr = nullptr;      // PendingServiceRouting
  const ObjectDef* group = nullptr;    // Group (queues are Groups of Type Queue)
  const ObjectDef* config = nullptr;   // QueueRoutingConfig
  const ObjectDef* channel = nullptr;  // ServiceChannel
  // What the engine reads and writes (routing_engine.h).
  const ObjectDef* work = nullptr;            // AgentWork
  const ObjectDef* presence = nullptr;        // UserServicePresence
  const ObjectDef* channel_status = nullptr;  // ServiceChannelStatus
  const ObjectDef* member = nullptr;          // GroupMember
  const ObjectDef* user = nullptr;            // User
  const ObjectDef* user_config = nullptr;     // PresenceUserConfig
  const ObjectDef* config_user = nullptr;     // PresenceUserConfigUser
  const ObjectDef* config_profile = nullptr;  // PresenceUserConfigProfile
  const FieldDef* psr_work_item = nullptr;    // PendingServiceRouting.WorkItemId
  const FieldDef* channel_entity = nullptr;   // ServiceChannel.RelatedEntity
  std::vector<const ObjectDef*> work_items;   // Case, LiveChatTranscript, ...

  // The catalog's routing objects, or nullptr (and *error) when one the routing needs is missing.
  static std::unique_ptr<const RoutingCatalog> Resolve(const Catalog& catalog, std::string* error);

  bool IsWorkItem(const ObjectDef& obj) const;
  // A field of one of the objects above, by name; throws std::logic_error when the catalog lacks
  // it (Resolve checked the ones routing names).
  static const FieldDef& F(const ObjectDef& obj, const char* field);
  // Whether a work item is done with routing: a closed Case, a Completed or Missed chat
  // transcript (the real org's rules; CATALOG-DECISIONS.md K).
  static bool IsClosed(const ObjectDef& obj, const Record& item);
};

// The text of a field of a record, or nullopt when absent or null.
std::optional<std::string> Text(const Record& rec, const char* field);
// The same, "" when absent or null.
std::string Str(const Record& rec, const char* field);

}  // namespace omni::routing
