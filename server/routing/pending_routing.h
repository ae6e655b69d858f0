// Work entering and leaving Omni-Channel routing, as in an org: a work item (Case, chat
// transcript) owned by a queue that has a routing configuration (Group.QueueRoutingConfigId) is
// waiting to be routed, and has exactly one PendingServiceRouting, written in the transaction of
// the change that put it there; a work item given to a user, moved to a queue without routing,
// closed or deleted has none. These functions keep that true for one work item; the routing
// engine (the same RoutingListener, later) routes the PendingServiceRoutings they write.
//
// Every write is an org write (RecordWriter::*AsOrg): the API can only read
// PendingServiceRouting. A write the org's own rules refuse is a bug, thrown as
// std::runtime_error, which fails the record whose change caused it (change_bus.h).
//
// Thread-safety: stateless functions over the caller's writer.
#pragma once

#include <optional>
#include <string>

#include "server/events/change_bus.h"
#include "server/routing/routing_catalog.h"

namespace omni::routing {

// Where a work item in its current state is routed from: the queue that owns it, that queue's
// routing configuration and the service channel of the item's object. nullopt when the item
// is not waiting for Omni-Channel routing (see above, or no ServiceChannel has its object as
// RelatedEntity).
struct QueueRouting {
  std::string queue_id;
  Record config;  // the QueueRoutingConfig, every field
  std::string channel_id;
  Record channel;  // the ServiceChannel, every field
};
std::optional<QueueRouting> RoutingFor(const RoutingCatalog& rc, RecordWriter& writer,
                                       const ObjectDef& item_obj, const Record& item);

// The visible PendingServiceRoutings of a work item (at most one, unless written otherwise).
std::vector<std::string> PendingRoutingsOf(const RoutingCatalog& rc, RecordWriter& writer,
                                           const std::string& item_id);

// Creates the PendingServiceRouting of a work item entering `routing`: WorkItemId, QueueId,
// OwnerId (the queue), ServiceChannelId, RoutingModel, RoutingPriority, CapacityWeight or
// CapacityPercentage from the configuration (else the channel's, else CapacityWeight 1),
// RoutingType QueueBased, IsReadyForRouting true, IsTransfer as given; Serial is the dispatcher's
// (usage_rules.h). Returns its Id.
std::string EnterRouting(const RoutingCatalog& rc, RecordWriter& writer, const ObjectDef& item_obj,
                         const Record& item, const QueueRouting& routing, bool is_transfer);

// Deletes every PendingServiceRouting of the work item (to the recycle bin: getDeleted sees it).
void LeaveRouting(const RoutingCatalog& rc, RecordWriter& writer, const std::string& item_id);

// Makes the work item's PendingServiceRoutings match its current state (item: every field, as
// stored): none when RoutingFor says so; otherwise one for the owning queue (an existing one for
// that queue is kept untouched, one for another queue is replaced).
void SyncPendingRouting(const RoutingCatalog& rc, RecordWriter& writer, const ObjectDef& item_obj,
                        const Record& item);

}  // namespace omni::routing
