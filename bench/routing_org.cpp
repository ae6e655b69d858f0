#include "bench/routing_org.h"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace omni_bench {

namespace {

const char* kPartnerPath = "/services/Soap/u/44.0";
const char* kPresencePath = "/services/Soap/presence/44.0";

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

std::string SObjects(const std::vector<SObj>& recs) {
  std::string body;
  for (const auto& r : recs) {
    body += "<p:sObjects><s:type>" + r.type + "</s:type>";
    for (const auto& [name, value] : r.fields) {
      body += "<s:" + name + ">" + Escape(value) + "</s:" + name + ">";
    }
    body += "</p:sObjects>";
  }
  return body;
}

// Every <result> of a create/update answer succeeded: else the first error's text.
void CheckResults(const std::string& resp, size_t expected, const std::string& what) {
  auto ok = Texts(resp, "success");
  size_t good = 0;
  for (const auto& s : ok) good += s == "true";
  if (ok.size() != expected || good != expected) {
    auto messages = Texts(resp, "message");
    throw std::runtime_error(what +
                             " failed: " + (messages.empty() ? resp.substr(0, 600) : messages[0]));
  }
}

}  // namespace

std::string SoapClient::Partner(const std::string& session, const std::string& body) {
  std::string header = session.empty() ? ""
                                       : "<p:SessionHeader><p:sessionId>" + session +
                                             "</p:sessionId></p:SessionHeader>";
  return http_.Post(kPartnerPath, Envelope(header, body));
}

LoginInfo SoapClient::Login(const std::string& username, const std::string& password) {
  std::string r =
      Partner("", "<p:login><p:username>" + Escape(username) + "</p:username><p:password>" +
                      Escape(password) + "</p:password></p:login>");
  return {FirstText(r, "sessionId"), FirstText(r, "userId"), FirstText(r, "organizationId"),
          FirstText(r, "profileId")};
}

std::vector<std::string> SoapClient::Create(const std::string& session,
                                            const std::vector<SObj>& recs) {
  std::string r = Partner(session, "<p:create>" + SObjects(recs) + "</p:create>");
  CheckResults(r, recs.size(), "create of " + recs[0].type);
  return Texts(r, "id");
}

void SoapClient::Update(const std::string& session, const std::vector<SObj>& recs) {
  std::string r = Partner(session, "<p:update>" + SObjects(recs) + "</p:update>");
  CheckResults(r, recs.size(), "update of " + recs[0].type);
}

std::string SoapClient::Query(const std::string& session, const std::string& soql) {
  return Partner(session, "<p:query><p:queryString>" + Escape(soql) + "</p:queryString></p:query>");
}

std::string SoapClient::QueryAll(const std::string& session, const std::string& soql) {
  std::string all = Query(session, soql), page = all;
  while (FirstText(page, "done") == "false") {
    page = Partner(session, "<p:queryMore><p:queryLocator>" + FirstText(page, "queryLocator") +
                                "</p:queryLocator></p:queryMore>");
    all += page;
  }
  return all;
}

long SoapClient::Count(const std::string& session, const std::string& soql) {
  return std::stol(FirstText(Query(session, soql), "size"));
}

void SoapClient::SetPassword(const std::string& session, const std::string& user_id,
                             const std::string& password) {
  Partner(session, "<p:setPassword><p:userId>" + user_id + "</p:userId><p:password>" +
                       Escape(password) + "</p:password></p:setPassword>");
}

std::string SoapClient::Presence(const std::string& session, const std::string& op,
                                 const std::string& inner) {
  return http_.Post(
      kPresencePath,
      "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:pr=\"urn:presence.omni-emulator\"><soapenv:Header><pr:SessionHeader><pr:sessionId>" +
          session + "</pr:sessionId></pr:SessionHeader></soapenv:Header><soapenv:Body><pr:" + op +
          ">" + inner + "</pr:" + op + "></soapenv:Body></soapenv:Envelope>");
}

std::string SoapClient::PresenceOk(const std::string& session, const std::string& op,
                                   const std::string& inner) {
  std::string r = Presence(session, op, inner);
  if (FirstText(r, "success") != "true") {
    throw std::runtime_error("presence " + op + " refused: " + r.substr(0, 600));
  }
  return r;
}

void ForEachParallel(int port, int clients, int n,
                     const std::function<void(SoapClient&, int)>& fn) {
  std::vector<std::thread> threads;
  std::exception_ptr first;
  std::mutex mu;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      try {
        SoapClient client(port);
        for (int i = c; i < n; i += clients) fn(client, i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first) first = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  if (first) std::rethrow_exception(first);
}

BenchOrg Setup(int port, int agents, int capacity, int clients, const std::string& tag) {
  BenchOrg org;
  SoapClient c(port);
  org.admin = c.Login("admin@omni.local", "password");
  const std::string& s = org.admin.session;
  // The org's one Case channel (RelatedEntity is unique): found, or made.
  auto found =
      Texts(c.Query(s, "SELECT Id FROM ServiceChannel WHERE RelatedEntity = 'Case'"), "Id");
  org.channel_id = !found.empty() ? found[0]
                                  : c.Create(s, {{"ServiceChannel",
                                                  {{"MasterLabel", "Cases"},
                                                   {"DeveloperName", "Cases"},
                                                   {"RelatedEntity", "Case"}}}})[0];
  org.online_status_id =
      c.Create(s, {{"ServicePresenceStatus",
                    {{"MasterLabel", "Online " + tag}, {"DeveloperName", "Online_" + tag}}}})[0];
  c.Create(s, {{"ServiceChannelStatus",
                {{"ServiceChannelId", org.channel_id},
                 {"ServicePresenceStatusId", org.online_status_id}}}});
  // Work weighs 1; no push time-out, so that work waiting for a busy driver is not taken back.
  auto config = [&](const std::string& model) {
    return c.Create(s, {{"QueueRoutingConfig",
                         {{"MasterLabel", model + " " + tag},
                          {"DeveloperName", model + "_" + tag},
                          {"RoutingModel", model},
                          {"RoutingPriority", "1"},
                          {"CapacityWeight", "1"},
                          {"PushTimeout", "0"}}}})[0];
  };
  auto queue = [&](const std::string& name, const std::string& config_id) {
    Fields f{{"Name", name + " " + tag}, {"Type", "Queue"}};
    if (!config_id.empty()) f.emplace_back("QueueRoutingConfigId", config_id);
    return c.Create(s, {{"Group", f}})[0];
  };
  const std::string least_active_config = config("LeastActive");
  org.least_active_queue = queue("LeastActive", least_active_config);
  org.solo_queue = queue("Solo", least_active_config);
  org.most_available_queue = queue("MostAvailable", config("MostAvailable"));
  org.plain_queue = queue("Unrouted", "");
  org.config_id = c.Create(s, {{"PresenceUserConfig",
                                {{"MasterLabel", "Agents " + tag},
                                 {"DeveloperName", "Agents_" + tag},
                                 {"Capacity", std::to_string(capacity)}}}})[0];

  org.agents.resize(static_cast<size_t>(agents));
  for (int from = 0; from < agents; from += 200) {
    std::vector<SObj> users;
    for (int i = from; i < std::min(agents, from + 200); ++i) {
      std::string name = "agent" + std::to_string(i) + "." + tag + "@omni.local";
      org.agents[static_cast<size_t>(i)].username = name;
      users.push_back({"User",
                       {{"Username", name},
                        {"LastName", "Agent " + std::to_string(i)},
                        {"FirstName", "Bench"},
                        {"Email", name},
                        {"Alias", "a" + std::to_string(i % 100000)},
                        {"ProfileId", org.admin.profile_id},
                        {"TimeZoneSidKey", "America/Los_Angeles"},
                        {"LocaleSidKey", "en_US"},
                        {"LanguageLocaleKey", "en_US"},
                        {"EmailEncodingKey", "UTF-8"}}});
    }
    auto ids = c.Create(s, users);
    std::vector<SObj> links;
    for (size_t k = 0; k < ids.size(); ++k) {
      org.agents[static_cast<size_t>(from) + k].user_id = ids[k];
      links.push_back({"PresenceUserConfigUser",
                       {{"UserId", ids[k]}, {"PresenceUserConfigId", org.config_id}}});
    }
    c.Create(s, links);
    for (const auto& q : {org.least_active_queue, org.most_available_queue}) {
      std::vector<SObj> members;
      for (const auto& id : ids) {
        members.push_back({"GroupMember", {{"GroupId", q}, {"UserOrGroupId", id}}});
      }
      c.Create(s, members);
    }
  }
  if (agents > 0) {
    c.Create(s, {{"GroupMember",
                  {{"GroupId", org.solo_queue}, {"UserOrGroupId", org.agents[0].user_id}}}});
  }
  // Each agent gets a password and logs in to the partner API, as an agent's console would.
  ForEachParallel(port, clients, agents, [&](SoapClient& cl, int i) {
    Agent& a = org.agents[static_cast<size_t>(i)];
    cl.SetPassword(s, a.user_id, "Bench1pass");
    a.session = cl.Login(a.username, "Bench1pass").session;
  });
  return org;
}

}  // namespace omni_bench
