// The routing engine: Omni-Channel's queue-based routing (Least Active, Most Available), run by
// RoutingListener::BeforeCommit inside every write transaction whose changes make routing
// possible, so that the answer to that call already reflects it:
//   - a PendingServiceRouting created or updated waiting for an agent (a work item entering a
//     routed queue, a transfer, a decline or push time-out giving it back) is pushed to the
//     agent its model chooses among the queue's online members who fit (agent_choice.h);
//   - an agent logging in, changing status or logging out first loses the Assigned work their
//     status no longer carries (Unavailable, its request waiting again), then takes waiting work;
//   - an agent's AgentWork leaving Assigned/Opened (closed, declined, timed out, ...) frees
//     capacity, and the agent takes waiting work, highest priority and oldest first.
// A push creates the AgentWork (Assigned, RequestDateTime, AssignedDateTime, OriginalQueueId,
// PushTimeout, the request's capacity) and marks the request IsPushed and IsPushAttempted; an
// agent whose configuration auto-accepts gets it Opened at once and the work item.
//
// Concurrency: the engine first takes the org's routing lock (a PostgreSQL advisory lock: every
// process on the database takes turns), then reads committed state without row locks. Every
// AgentWork write takes the same lock first (RoutingListener::SerializesWrites), so capacity seen
// under it is exact: no agent is overbooked and no request pushed twice. Holding it, the engine
// never waits for a row: a request or AgentWork another transaction holds is left to that
// transaction, whose own BeforeCommit routes it once it has the lock (CATALOG-DECISIONS N).
//
// Thread-safety: stateless function over the caller's writer.
#pragma once

#include <vector>

#include "server/events/change_bus.h"
#include "server/routing/routing_catalog.h"

namespace omni::routing {

void RouteBeforeCommit(const RoutingCatalog& rc, const std::vector<TxChange>& changes,
                       RecordWriter& w);

}  // namespace omni::routing
