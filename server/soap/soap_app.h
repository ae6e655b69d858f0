// SoapApp: what the SOAP adapters need to serve a request (the dispatcher, the sessions, the
// query service, the served WSDLs), reached from a gSOAP context through soap->user. Immutable
// after start-up; shared by every worker thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "server/dispatcher/dispatcher.h"
#include "server/dispatcher/query_service.h"
#include "server/dispatcher/replication.h"
#include "server/presence/presence_service.h"
#include "server/sessions/session_service.h"
#include "server/soap/xml_guard.h"
#include "server/transport/http_message.h"

struct soap;

namespace omni {

// Which API a request came in on: /services/Soap/u (partner), /services/Soap/c (enterprise), or
// the emulator's own agent presence service (/services/Soap/presence, wsdl/presence.wsdl).
enum class Flavor { kPartner, kEnterprise, kPresence };

struct SoapApp {
  Dispatcher* dispatcher = nullptr;
  SessionService* sessions = nullptr;
  QueryService* queries = nullptr;
  const ReplicationService* replication = nullptr;
  OrgClock* clock = nullptr;  // getServerTimestamp's time, the caller's org's
  PresenceService* presence = nullptr;
  std::string base_url;  // "http://localhost:8080"
  std::string partner_wsdl;
  std::string enterprise_wsdl;
  std::string presence_wsdl;
  std::string api_version = "44.0";
  XmlLimits xml_limits;  // what a request body may hold before gSOAP parses it
};

// Per-request state behind soap->user: the request body gSOAP reads from, the response it writes
// into, and the answer an operation sets itself (a fault in Salesforce's exact shape), which
// then replaces whatever gSOAP would have written.
struct RequestState {
  const SoapApp* app = nullptr;
  Flavor flavor = Flavor::kPartner;
  const char* in = nullptr;  // unread rest of the request body
  std::size_t in_left = 0;
  std::string out;                     // what gSOAP serialised
  std::optional<HttpResponse> answer;  // set by an operation: sent instead of `out`
  int record_items = 0;                // sObjects / ids / sObjectType elements the request carried
  bool limit_info = false;             // the call answers a LimitInfoHeader (every call but login)
  std::string misplaced;               // "{ns}name" of an element gSOAP could place nowhere
  // Presence getEvents: whether the request may be parked (not when it is being answered after
  // its wake), the position a woken request reads after, and the park it asks for.
  struct ParkWish {
    std::string channel;
    std::int64_t after = 0;
    std::chrono::milliseconds timeout{0};
  };
  bool may_park = true;
  std::optional<std::int64_t> events_after;
  std::optional<ParkWish> park;
};

}  // namespace omni
