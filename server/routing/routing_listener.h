// RoutingListener: Omni-Channel routing as the org runs it, inside the transaction of the change
// that makes it happen, so that the answer to that call already reflects it. It is a
// ChangeListener (server/events/change_bus.h): the dispatcher hands it every change of the
// objects it Wants, with both images and a RecordWriter whose *AsOrg writes may write what the
// API may not (PendingServiceRouting, later AgentWork's routed fields).
//
// What it does: work entering and leaving routing. A work item (Case,
// LiveChatTranscript) created, updated or undeleted gets or loses its PendingServiceRouting
// (pending_routing.h); a deleted one loses it. An external router's AgentWork for an
// ExternalRouting request is checked and pushed (external_work.h). Just before each commit the
// routing engine (routing_engine.h) routes what the transaction's changes made routable.
//
// The contract the routing engine builds on (items 4-6): OnChange is the one entry point, called
// in the changing call's transaction with a writer bound to it, so that every reaction commits or
// rolls back with the change (AllOrNoneHeader included) and its own writes are change-log events
// in turn. The engine adds the objects whose changes make routing possible to Wants()
// (PendingServiceRouting created/updated, UserServicePresence, AgentWork closed or declined) and
// routes from OnChange: it reads candidate agents with the writer, locks what it must not
// overbook with Read (row locks in PostgreSQL, never in-process mutexes: several processes share
// one database), and writes AgentWork and PendingServiceRouting updates with the *AsOrg calls.
// Transfers (presence_transfer.cpp) enter routing through EnterRouting(..., is_transfer = true).
// Objects not in Wants() keep their one-statement create (storage::Tx::ExpectLoneInsert).
//
// Thread-safety: immutable after construction; OnChange runs on many call threads at once, each
// with its own writer.
#pragma once

#include <memory>
#include <string>

#include "server/catalog/catalog.h"
#include "server/events/change_bus.h"
#include "server/routing/routing_catalog.h"

namespace omni::routing {

class RoutingListener : public ChangeListener {
 public:
  // nullptr (and *error) when the catalog lacks what routing needs.
  static std::shared_ptr<RoutingListener> Make(std::shared_ptr<const Catalog> catalog,
                                               std::string* error);

  bool Wants(const ObjectDef& object) const override;
  void OnChange(const ChangeEvent& event, RecordWriter& writer) override;
  // The routing engine (routing_engine.h) on the transaction's changes.
  void BeforeCommit(const std::vector<TxChange>& changes, RecordWriter& writer) override;
  // AgentWork: capacity and pushes are decided under the org's routing lock.
  bool SerializesWrites(const ObjectDef& object) const override;

 private:
  RoutingListener(std::shared_ptr<const Catalog> catalog, std::unique_ptr<const RoutingCatalog> rc)
      : catalog_(std::move(catalog)), rc_(std::move(rc)) {}
  void OnWorkItem(const ChangeEvent& event, RecordWriter& writer) const;

  std::shared_ptr<const Catalog> catalog_;  // keeps the ObjectDefs of rc_ alive
  std::unique_ptr<const RoutingCatalog> rc_;
};

}  // namespace omni::routing
