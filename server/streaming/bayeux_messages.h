// The Streaming API's Bayeux replies as Salesforce writes them (wire notes §5): the handshake
// (with the replay extension on), /meta/connect with its advice, subscribe and unsubscribe, the
// errors as "<code>::<message>" with successful false, and PushTopic events. Each is one JSON
// object's text; a response is their array (Batch). `id` is the request message's id, echoed as
// sent (a JSON value's text, or empty when it had none).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/streaming/event_source.h"

namespace omni::streaming {

// The advice of every /meta/connect reply: wait up to 110 s, reconnect at once.
constexpr std::int64_t kConnectTimeoutMs = 110000;

// The Streaming API's error strings (wire notes §5) that more than one place gives.
constexpr const char* kUnknownClient = "403::Unknown client";
constexpr const char* kLeadingSlash = "400::Channel subscriptions must start with a leading '/'";
std::string NoSuchChannelError(const std::string& channel);
// `replay` as the client wrote it (a number, or the JSON text of what it sent instead).
std::string InvalidReplayError(const std::string& replay);

std::string HandshakeReply(const std::string& id, const std::string& client_id);
// A handshake refused for its session: 403::Handshake denied with the reason in ext.sfdc.
std::string HandshakeDenied(const std::string& id);
std::string ConnectReply(const std::string& id, const std::string& client_id);
// channel is /meta/subscribe or /meta/unsubscribe.
std::string SubscriptionReply(const std::string& channel, const std::string& id,
                              const std::string& client_id, const std::string& subscription);
// A refused message; `reconnect` ("handshake", "none" or empty for no advice).
std::string ErrorReply(const std::string& channel, const std::string& id,
                       const std::string& client_id, const std::string& subscription,
                       const std::string& error, const std::string& reconnect);
std::string DisconnectReply(const std::string& id, const std::string& client_id);
std::string EventMessage(const StreamEvent& event, const std::string& client_id);
std::string Batch(const std::vector<std::string>& messages);

}  // namespace omni::streaming
