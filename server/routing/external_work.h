// External routing's AgentWork (the guide's External Routing chapter, Step 4): an external router
// creates an AgentWork with UserId, WorkItemId, ServiceChannelId and PendingServiceRoutingId for
// a PendingServiceRouting whose RoutingModel is ExternalRouting. Inside the create's transaction
// (RoutingListener hears the insert) the org checks that the agent has room for the work (their
// capacity less the weight of their Assigned and Opened AgentWork) unless ShouldSkipCapacityCheck
// is true, refusing the record with ChangeRefused (FIELD_INTEGRITY_EXCEPTION, CATALOG-DECISIONS
// N1); fills the routed fields the API cannot set (RequestDateTime, AssignedDateTime,
// OriginalQueueId, PushTimeout, the request's capacity when the router sent none); and marks the
// request pushed (IsPushed, IsPushAttempted). The AgentWork insert took the org's routing lock
// first (RoutingListener::SerializesWrites), as the routing engine's pushes do, so concurrent
// creates, pushes and answers in every process see each other's capacity and never overbook an
// agent; a request another transaction holds is refused with UNABLE_TO_LOCK_ROW rather than
// waited for under that lock.
//
// Thread-safety: stateless function over the caller's writer.
#pragma once

#include "server/events/change_bus.h"
#include "server/routing/routing_catalog.h"

namespace omni::routing {

// Called for every AgentWork created; does nothing unless its PendingServiceRoutingId names an
// ExternalRouting request.
void OnExternalWorkCreated(const RoutingCatalog& rc, RecordWriter& writer, const Record& work);

}  // namespace omni::routing
