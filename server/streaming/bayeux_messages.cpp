#include "server/streaming/bayeux_messages.h"

#include "server/core/json_text.h"

namespace omni::streaming {

namespace {

std::string IdPart(const std::string& id) { return id.empty() ? "" : ",\"id\":" + id; }
std::string ClientPart(const std::string& client_id) {
  return client_id.empty() ? "" : ",\"clientId\":" + JsonString(client_id);
}

}  // namespace

std::string NoSuchChannelError(const std::string& channel) {
  return "400::The channel you requested to subscribe to does not exist {" + channel + "}";
}

std::string InvalidReplayError(const std::string& replay) {
  // Two spaces after "invalid.", as the real org's captures have it.
  return "400::The replayId {" + replay +
         "} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 "
         "to replay only new events.";
}

std::string HandshakeReply(const std::string& id, const std::string& client_id) {
  return "{\"ext\":{\"replay\":true,\"payload.format\":true},\"minimumVersion\":\"1.0\"" +
         ClientPart(client_id) +
         ",\"supportedConnectionTypes\":[\"long-polling\"],\"channel\":\"/meta/handshake\"" +
         IdPart(id) + ",\"version\":\"1.0\",\"successful\":true,\"reestablish\":false}";
}

std::string HandshakeDenied(const std::string& id) {
  return "{\"ext\":{\"sfdc\":{\"failureReason\":\"401::Authentication invalid\"},\"replay\":true,"
         "\"payload.format\":true},\"advice\":{\"reconnect\":\"none\"},\"channel\":\"/meta/"
         "handshake\"" +
         IdPart(id) + ",\"error\":\"403::Handshake denied\",\"successful\":false}";
}

std::string ConnectReply(const std::string& id, const std::string& client_id) {
  return "{\"clientId\":" + JsonString(client_id) +
         ",\"advice\":{\"interval\":0,\"timeout\":" + std::to_string(kConnectTimeoutMs) +
         ",\"reconnect\":\"retry\"},\"channel\":\"/meta/connect\"" + IdPart(id) +
         ",\"successful\":true}";
}

std::string SubscriptionReply(const std::string& channel, const std::string& id,
                              const std::string& client_id, const std::string& subscription) {
  return "{\"clientId\":" + JsonString(client_id) + ",\"channel\":" + JsonString(channel) +
         IdPart(id) + ",\"subscription\":" + JsonString(subscription) + ",\"successful\":true}";
}

std::string ErrorReply(const std::string& channel, const std::string& id,
                       const std::string& client_id, const std::string& subscription,
                       const std::string& error, const std::string& reconnect) {
  std::string out = "{\"channel\":" + JsonString(channel) + ClientPart(client_id);
  out += IdPart(id);
  if (!subscription.empty()) out += ",\"subscription\":" + JsonString(subscription);
  if (!reconnect.empty()) {
    out += ",\"advice\":{\"reconnect\":" + JsonString(reconnect) + ",\"interval\":0}";
  }
  return out + ",\"error\":" + JsonString(error) + ",\"successful\":false}";
}

std::string DisconnectReply(const std::string& id, const std::string& client_id) {
  return "{\"clientId\":" + JsonString(client_id) + ",\"channel\":\"/meta/disconnect\"" +
         IdPart(id) + ",\"successful\":true}";
}

std::string EventMessage(const StreamEvent& event, const std::string& client_id) {
  return "{\"clientId\":" + JsonString(client_id) +
         ",\"data\":{\"event\":{\"createdDate\":" + JsonString(event.created_date) +
         ",\"replayId\":" + std::to_string(event.replay_id) +
         ",\"type\":" + JsonString(event.type) + "},\"sobject\":" + event.sobject_json +
         "},\"channel\":" + JsonString(event.channel) + "}";
}

std::string Batch(const std::vector<std::string>& messages) {
  std::string out = "[";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i) out += ",";
    out += messages[i];
  }
  return out + "]";
}

}  // namespace omni::streaming
