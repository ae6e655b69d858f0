#include "server/presence/presence_records.h"

#include <cstdlib>
#include <ctime>
#include <utility>

#include "server/core/sf_id.h"

namespace omni::presence {

namespace {

// The org allows one configuration per user and per profile; should the emulator's data hold
// several, the newest assignment (CreatedDate, then Id) is the one that counts.
std::string NewestConfigId(const std::vector<Record>& links) {
  const Record* best = nullptr;
  for (const auto& r : links) {
    if (!best || std::make_pair(Text(r, "CreatedDate"), Text(r, "Id")) >
                     std::make_pair(Text(*best, "CreatedDate"), Text(*best, "Id"))) {
      best = &r;
    }
  }
  return best ? Text(*best, "PresenceUserConfigId") : "";
}

}  // namespace

const ObjectDef& Obj(OrgTx& tx, const char* name) { return *tx.catalog().FindObject(name); }

// LIMITATIONS: the console's callbacks only say success=false; the messages are our own.
bool Refuse(PresenceAnswer* a, const std::string& message) {
  a->success = false;
  a->message = message;
  return false;
}

std::string Text(const Record& rec, const std::string& field) {
  const Value* v = rec.Find(field);
  return v && *v ? **v : std::string();
}

std::optional<Record> AgentConfig(OrgTx& tx, const std::string& user_id) {
  std::string config_id;
  config_id = NewestConfigId(tx.FindBy(Obj(tx, "PresenceUserConfigUser"), "UserId", user_id));
  if (config_id.empty()) {
    auto user = tx.Read(Obj(tx, "User"), user_id);
    std::string profile = user ? Text(*user, "ProfileId") : "";
    if (!profile.empty()) {
      config_id =
          NewestConfigId(tx.FindBy(Obj(tx, "PresenceUserConfigProfile"), "ProfileId", profile));
    }
  }
  if (config_id.empty()) return std::nullopt;
  return tx.Read(Obj(tx, "PresenceUserConfig"), config_id);
}

double ConfiguredCapacity(const Record& config) {
  std::string c = Text(config, "Capacity");
  return c.empty() ? 0 : std::strtod(c.c_str(), nullptr);
}

std::optional<Record> CurrentPresence(OrgTx& tx, const std::string& user_id) {
  for (auto& r : tx.FindBy(Obj(tx, "UserServicePresence"), "UserId", user_id)) {
    if (Text(r, "IsCurrentState") == "true") return r;
  }
  return std::nullopt;
}

// LIMITATIONS: the org grants statuses per profile or permission set; the catalog has no such
// access object, so every status is open to every agent who has a configuration (M4).
std::optional<Record> FindStatus(OrgTx& tx, const std::string& status_id) {
  auto id = NormalizeId(status_id);
  const ObjectDef& obj = Obj(tx, "ServicePresenceStatus");
  if (!id || KeyPrefixOf(*id) != obj.key_prefix) return std::nullopt;
  return tx.Read(obj, *id);
}

std::vector<PresenceChannel> StatusChannels(OrgTx& tx, const std::string& status_id) {
  std::vector<PresenceChannel> out;
  const ObjectDef& channel = Obj(tx, "ServiceChannel");
  for (const auto& link :
       tx.FindBy(Obj(tx, "ServiceChannelStatus"), "ServicePresenceStatusId", status_id)) {
    std::string id = Text(link, "ServiceChannelId");
    auto c = tx.Read(channel, id);
    if (c) out.push_back({id, Text(*c, "DeveloperName")});
  }
  return out;
}

bool IsOpenStatus(const std::optional<std::string>& status) {
  return status && (*status == "Assigned" || *status == "Opened");
}

std::vector<Record> OpenWork(OrgTx& tx, const std::string& user_id) {
  std::vector<Record> out;
  for (auto& w : tx.FindBy(Obj(tx, "AgentWork"), "UserId", user_id)) {
    const Value* status = w.Find("Status");
    if (status && IsOpenStatus(*status)) out.push_back(std::move(w));
  }
  return out;
}

double WorkWeight(const Record& work, double capacity) {
  std::string weight = Text(work, "CapacityWeight");
  if (!weight.empty()) return std::strtod(weight.c_str(), nullptr);
  std::string percent = Text(work, "CapacityPercentage");
  if (!percent.empty()) return std::strtod(percent.c_str(), nullptr) * capacity / 100.0;
  return 0;
}

std::optional<std::int64_t> ParseTime(const std::string& text) {
  struct tm tm = {};
  int ms = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace omni::presence
