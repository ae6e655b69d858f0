#include "server/streaming/bayeux_endpoint.h"

#include <nlohmann/json.hpp>

#include "server/core/unexpected.h"
#include "server/streaming/bayeux_messages.h"

namespace omni::streaming {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxEventsPerConnect = 2000;
constexpr int kOldestVersion = 37;
constexpr const char* kNotBayeux = "400::The request is not a Bayeux message";

HttpResponse Json(int status, const std::string& body) {
  return HttpResponse::Of(status, "application/json;charset=UTF-8", body);
}
HandlerResult Answer(int status, const std::string& body) {
  return HandlerResult{Json(status, body), std::nullopt};
}
// An exception nobody expected: logged with its cause, answered with its ErrorId only.
std::string UnexpectedBatch(const char* where) {
  std::string message = LogUnexpected(where, CurrentExceptionText());
  return Batch({ErrorReply("/meta/connect", "", "", "", "500::" + message, "retry")});
}

// The version error of a path, or "" when /cometd/<version>[/...] names a served version.
std::string VersionError(const std::string& path) {
  static const std::string kPrefix = "/cometd/";
  std::string rest = path.size() > kPrefix.size() ? path.substr(kPrefix.size()) : "";
  std::string version = rest.substr(0, rest.find('/'));
  std::size_t dot = version.find('.');
  bool numeric = !version.empty() && dot != std::string::npos && dot > 0 &&
                 dot + 1 < version.size() &&
                 version.find_first_not_of("0123456789.") == std::string::npos &&
                 version.find('.', dot + 1) == std::string::npos && dot <= 3;
  if (!numeric) {
    return "400::API version in the URI is mandatory. URI format: '/cometd/44.0'";
  }
  if (std::stoi(version.substr(0, dot)) < kOldestVersion) {
    return "400::Unsupported API version. Only API versions '37.0' and later are supported.";
  }
  return "";
}

std::string Text(const json& m, const char* key) {
  auto it = m.find(key);
  return it != m.end() && it->is_string() ? it->get<std::string>() : "";
}

// The replayId the replay extension asks for on `channel` (-1 when none is given); the
// invalid-replayId error when what it gives is not a whole number.
std::optional<std::string> ReplayOf(const json& m, const std::string& channel,
                                    std::int64_t* replay) {
  *replay = -1;
  auto ext = m.find("ext");
  if (ext == m.end() || !ext->is_object()) return std::nullopt;
  auto r = ext->find("replay");
  if (r == ext->end() || !r->is_object()) return std::nullopt;
  auto v = r->find(channel);
  if (v == r->end()) return std::nullopt;
  if (v->is_number_integer()) {
    *replay = v->get<std::int64_t>();
    return std::nullopt;
  }
  if (v->is_string()) {  // some clients send it as text
    const std::string text = v->get<std::string>();
    try {
      std::size_t used = 0;
      *replay = std::stoll(text, &used);
      if (used == text.size()) return std::nullopt;
    } catch (...) {
    }
    return InvalidReplayError(text);
  }
  return InvalidReplayError(v->dump());
}

// The replies of a request whose /meta/connect is answered now: those before it, the client's
// events, the connect reply (or 403::Unknown client), those after it.
std::string ConnectBatch(const std::vector<std::string>& before,
                         const std::vector<std::string>& after, const std::string& id,
                         const std::string& client, const StreamHub::Poll& poll) {
  std::vector<std::string> all = before;
  if (!poll.known) {
    all.push_back(ErrorReply("/meta/connect", id, client, "", kUnknownClient, "handshake"));
  } else {
    for (const auto& ev : poll.events) all.push_back(EventMessage(ev, client));
    all.push_back(ConnectReply(id, client));
  }
  all.insert(all.end(), after.begin(), after.end());
  return Batch(all);
}

}  // namespace

HandlerResult BayeuxEndpoint::Handle(const HttpRequest& req) const {
  if (req.method != "POST") {
    return Answer(400, Batch({ErrorReply("/meta/handshake", "", "", "",
                                         "400::Only long-polling over POST is supported", "")}));
  }
  if (std::string error = VersionError(req.path); !error.empty()) {
    return Answer(400, Batch({ErrorReply("/meta/handshake", "", "", "", error, "none")}));
  }
  json messages = json::parse(req.body, nullptr, false);
  if (messages.is_object()) messages = json::array({messages});
  if (!messages.is_array() || messages.empty()) {
    return Answer(400, Batch({ErrorReply("/meta/handshake", "", "", "", kNotBayeux, "")}));
  }
  try {
    auto caller =
        sessions_->Resolve(SessionService::SessionIdOfAuthorization(req.Header("Authorization")));
    std::vector<std::string> before, after;  // replies around a parked /meta/connect's
    std::optional<std::string> parked_client, parked_id;
    std::chrono::milliseconds timeout(kConnectTimeoutMs);
    for (const auto& m : messages) {
      auto& out = parked_client ? after : before;
      if (!m.is_object()) {
        out.push_back(ErrorReply("", "", "", "", kNotBayeux, ""));
        continue;
      }
      const std::string channel = Text(m, "channel");
      const std::string id = m.contains("id") ? m["id"].dump() : "";
      std::string client = Text(m, "clientId");
      if (channel == "/meta/handshake") {
        out.push_back(caller.fault ? HandshakeDenied(id)
                                   : HandshakeReply(id, hub_->AddClient(caller.value.org_id,
                                                                        caller.value.user_id)));
        continue;
      }
      std::string subscription = Text(m, "subscription");
      auto org = hub_->OrgOf(client);
      if (!org) {
        out.push_back(ErrorReply(channel, id, client, subscription, kUnknownClient, "handshake"));
        continue;
      }
      if (caller.fault || caller.value.org_id != *org) {
        out.push_back(
            ErrorReply(channel, id, client, subscription, "401::Authentication invalid", "none"));
        continue;
      }
      if (channel == "/meta/subscribe") {
        std::int64_t replay = -1;
        std::optional<std::string> error = ReplayOf(m, subscription, &replay);
        if (!error) error = hub_->Subscribe(client, subscription, replay);
        out.push_back(error ? ErrorReply(channel, id, client, subscription, *error, "")
                            : SubscriptionReply(channel, id, client, subscription));
      } else if (channel == "/meta/unsubscribe") {
        hub_->Unsubscribe(client, subscription);
        out.push_back(SubscriptionReply(channel, id, client, subscription));
      } else if (channel == "/meta/disconnect") {
        hub_->RemoveClient(client);
        out.push_back(DisconnectReply(id, client));
      } else if (channel == "/meta/connect") {
        auto advice = m.find("advice");
        if (advice != m.end() && advice->is_object() && advice->contains("timeout") &&
            (*advice)["timeout"].is_number()) {
          double t = (*advice)["timeout"].get<double>();
          if (t >= 0 && t < kConnectTimeoutMs) timeout = std::chrono::milliseconds(long(t));
        }
        if (parked_client) {  // one long-poll per request
          out.push_back(ConnectReply(id, client));
          continue;
        }
        parked_client = client;
        parked_id = id;
      } else if (channel.rfind("/meta/", 0) == 0) {
        out.push_back(ErrorReply(channel, id, client, subscription,
                                 "400::Unknown meta channel " + channel, ""));
      } else {
        // PushTopic channels carry the org's own events only: clients cannot publish to them.
        out.push_back(ErrorReply(channel, id, client, "", "403::Publish denied", ""));
      }
    }
    if (!parked_client) return Answer(200, Batch(before));

    StreamHub* hub = hub_;
    const std::string client = *parked_client, id = *parked_id;
    auto poll = hub_->Collect(client, kMaxEventsPerConnect);
    if (!poll.known || !poll.events.empty() || timeout.count() == 0) {
      return Answer(200, ConnectBatch(before, after, id, client, poll));
    }
    hub_->SetParked(client, true);
    ParkRequest park;
    park.channel = StreamHub::WakeChannel(client);
    park.after = poll.wake_seq;
    park.timeout = timeout;
    park.finish = [hub, client, id, before, after](WakeReason) {
      try {
        hub->SetParked(client, false);
        auto woken = hub->Collect(client, kMaxEventsPerConnect);
        return Json(200, ConnectBatch(before, after, id, client, woken));
      } catch (...) {
        return Json(500, UnexpectedBatch("streaming connect"));
      }
    };
    return HandlerResult{HttpResponse(), std::move(park)};
  } catch (...) {
    return Answer(500, UnexpectedBatch("streaming request"));
  }
}

}  // namespace omni::streaming
