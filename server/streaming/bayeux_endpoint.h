// BayeuxEndpoint: the Streaming API's CometD endpoint, POST /cometd/<version>[/<meta>] for API
// versions 37.0 and later, long-polling only (as Salesforce serves it). A request carries a
// JSON array of Bayeux messages (or one message) and the session of a SOAP login in
// `Authorization: OAuth <sessionId>` (or Bearer). Each message is answered in order:
//   /meta/handshake    a new clientId, ext.replay true; 403::Handshake denied for a bad session
//   /meta/subscribe    /topic/<PushTopic Name>, replaying from ext.replay[channel] (-1 default)
//   /meta/unsubscribe  /meta/disconnect
//   /meta/connect      the client's pending events then the connect reply with advice
//                      {interval 0, timeout 110000, reconnect retry}; with nothing pending the
//                      request is parked (no worker held) until an event or the time-out, the
//                      shorter of the message's advice.timeout and 110 s
// Errors are Salesforce's "<code>::<message>" strings with successful false (wire notes §5):
// 403::Unknown client (advice reconnect handshake), 401::Authentication invalid, the replayId
// and channel errors of StreamHub::Subscribe, and the version errors of the path.
//
// LIMITATIONS: the advice interval is always 0 (captures also show 2000); publishing to a
// channel is refused with 403::Publish denied, an unknown meta channel and a body that is not
// Bayeux JSON with our own texts; version errors come with HTTP 400 (the real status is not
// captured); no per-topic subscriber limits. Decisions: wsdl/CATALOG-DECISIONS.md R.
//
// Thread-safety: Handle() from any number of worker threads.
#pragma once

#include "server/sessions/session_service.h"
#include "server/streaming/stream_hub.h"
#include "server/transport/handler.h"

namespace omni::streaming {

class BayeuxEndpoint {
 public:
  BayeuxEndpoint(SessionService* sessions, StreamHub* hub) : sessions_(sessions), hub_(hub) {}
  HandlerResult Handle(const HttpRequest& request) const;

 private:
  SessionService* sessions_;
  StreamHub* hub_;
};

}  // namespace omni::streaming
