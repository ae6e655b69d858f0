#include "server/routing/agent_state.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <utility>

namespace omni::routing {

namespace {

std::optional<double> Num(const Record& rec, const char* field) {
  auto t = Text(rec, field);
  if (!t || t->empty()) return std::nullopt;
  return std::strtod(t->c_str(), nullptr);
}

// Records come back sorted by Id; the Ids of one field of them.
std::vector<std::string> Column(const std::vector<Record>& rows, const char* field) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(Str(r, field));
  return out;
}

// Only these fields of obj are read (and Id).
std::vector<const FieldDef*> Only(const ObjectDef& obj, std::initializer_list<const char*> names) {
  std::vector<const FieldDef*> out;
  for (const char* n : names) out.push_back(&RoutingCatalog::F(obj, n));
  return out;
}

}  // namespace

FieldTest Is(const ObjectDef& obj, const char* field, std::string value) {
  return FieldTest{&RoutingCatalog::F(obj, field), FieldTest::Op::kEq, {std::move(value)}};
}

FieldTest In(const ObjectDef& obj, const char* field, std::vector<std::string> values) {
  return FieldTest{&RoutingCatalog::F(obj, field), FieldTest::Op::kIn, std::move(values)};
}

std::set<std::string> StatusChannels(const RoutingCatalog& rc, RecordWriter& w,
                                     const std::string& status_id) {
  RowSelect sel;
  sel.fields = Only(*rc.channel_status, {"ServiceChannelId"});
  sel.where.push_back(Is(*rc.channel_status, "ServicePresenceStatusId", status_id));
  std::set<std::string> out;
  for (const auto& r : w.Select(*rc.channel_status, sel)) out.insert(Str(r, "ServiceChannelId"));
  return out;
}

std::map<std::string, AgentLoad> LoadAgents(const RoutingCatalog& rc, RecordWriter& w,
                                            const std::vector<std::string>& user_ids) {
  std::map<std::string, AgentLoad> out;
  if (user_ids.empty()) return out;
  RowSelect online;
  online.fields = Only(*rc.presence, {"UserId", "Name", "ConfiguredCapacity", "StatusStartDate",
                                      "ServicePresenceStatusId"});
  online.where = {In(*rc.presence, "UserId", user_ids), Is(*rc.presence, "IsCurrentState", "true")};
  std::map<std::string, std::set<std::string>> channels_of_status;
  for (const auto& p : w.Select(*rc.presence, online)) {
    AgentLoad a;
    a.user_id = Str(p, "UserId");
    a.session = Str(p, "Name");
    a.capacity = Num(p, "ConfiguredCapacity").value_or(0);
    a.idle_since = Str(p, "StatusStartDate");
    const std::string status = Str(p, "ServicePresenceStatusId");
    auto it = channels_of_status.find(status);
    if (it == channels_of_status.end()) {
      it = channels_of_status.emplace(status, StatusChannels(rc, w, status)).first;
    }
    a.channels = it->second;
    out[a.user_id] = std::move(a);
  }
  if (out.empty()) return out;
  std::vector<std::string> ids;
  for (const auto& [id, a] : out) ids.push_back(id);
  RowSelect open;
  open.fields =
      Only(*rc.work, {"UserId", "CapacityWeight", "CapacityPercentage", "AssignedDateTime"});
  open.where = {In(*rc.work, "UserId", ids), In(*rc.work, "Status", {"Assigned", "Opened"})};
  for (const auto& work : w.Select(*rc.work, open)) {
    AgentLoad& a = out[Str(work, "UserId")];
    if (auto weight = Num(work, "CapacityWeight")) {
      a.used += *weight;
    } else if (auto percent = Num(work, "CapacityPercentage")) {
      a.used += *percent * a.capacity / 100.0;
    }
    a.open_items += 1;
    const std::string assigned = Str(work, "AssignedDateTime");
    if (assigned > a.idle_since) a.idle_since = assigned;
  }
  return out;
}

std::vector<std::string> QueueMembers(const RoutingCatalog& rc, RecordWriter& w,
                                      const std::string& queue_id) {
  RowSelect sel;
  sel.fields = Only(*rc.member, {"UserOrGroupId"});
  sel.where.push_back(Is(*rc.member, "GroupId", queue_id));
  std::vector<std::string> out;
  for (const auto& id : Column(w.Select(*rc.member, sel), "UserOrGroupId")) {
    if (id.compare(0, 3, rc.user->key_prefix) == 0) out.push_back(id);
  }
  return out;
}

std::vector<std::string> QueuesOf(const RoutingCatalog& rc, RecordWriter& w,
                                  const std::string& user_id) {
  RowSelect sel;
  sel.fields = Only(*rc.member, {"GroupId"});
  sel.where.push_back(Is(*rc.member, "UserOrGroupId", user_id));
  return Column(w.Select(*rc.member, sel), "GroupId");
}

std::optional<Record> AgentConfig(const RoutingCatalog& rc, RecordWriter& w,
                                  const std::string& user_id) {
  RowSelect by_user;
  by_user.where = {Is(*rc.config_user, "UserId", user_id)};
  auto links = w.Select(*rc.config_user, by_user);
  if (links.empty()) {
    auto user = w.Peek(*rc.user, user_id);
    auto profile = user ? Text(*user, "ProfileId") : std::nullopt;
    if (!profile) return std::nullopt;
    RowSelect by_profile;
    by_profile.where = {Is(*rc.config_profile, "ProfileId", *profile)};
    links = w.Select(*rc.config_profile, by_profile);
  }
  if (links.empty()) return std::nullopt;
  auto newest = std::max_element(links.begin(), links.end(), [](const Record& a, const Record& b) {
    return std::make_pair(Str(a, "CreatedDate"), Str(a, "Id")) <
           std::make_pair(Str(b, "CreatedDate"), Str(b, "Id"));
  });
  return w.Peek(*rc.user_config, Str(*newest, "PresenceUserConfigId"));
}

std::string QueuePushTimeout(const RoutingCatalog& rc, RecordWriter& w,
                             const std::string& queue_id) {
  if (queue_id.empty()) return "0";
  auto queue = w.Peek(*rc.group, queue_id);
  auto config_id = queue ? Text(*queue, "QueueRoutingConfigId") : std::nullopt;
  auto config = config_id ? w.Peek(*rc.config, *config_id) : std::nullopt;
  return config ? Text(*config, "PushTimeout").value_or("0") : "0";
}

bool IsEngineModel(const std::string& model) {
  return model == "LeastActive" || model == "MostAvailable";
}

WorkRequest RequestOf(const Record& psr) {
  WorkRequest r;
  r.id = Str(psr, "Id");
  r.queue_id = Str(psr, "QueueId");
  r.channel_id = Str(psr, "ServiceChannelId");
  r.work_item_id = Str(psr, "WorkItemId");
  r.model = Str(psr, "RoutingModel");
  r.last_declined_session = Str(psr, "LastDeclinedAgentSession");
  r.weight = Num(psr, "CapacityWeight");
  r.percentage = Num(psr, "CapacityPercentage");
  // No priority routes after every priority (1 is the highest).
  r.priority = static_cast<int>(Num(psr, "RoutingPriority").value_or(1e9));
  r.requested = Text(psr, "CustomRequestedDateTime").value_or(Str(psr, "CreatedDate"));
  return r;
}

std::vector<WorkRequest> WaitingRequests(const RoutingCatalog& rc, RecordWriter& w,
                                         std::vector<FieldTest> extra, size_t limit,
                                         size_t offset) {
  RowSelect sel;
  sel.where = std::move(extra);
  sel.where.push_back(Is(*rc.psr, "IsPushed", "false"));
  sel.where.push_back(Is(*rc.psr, "IsReadyForRouting", "true"));
  sel.where.push_back(In(*rc.psr, "RoutingModel", {"LeastActive", "MostAvailable"}));
  sel.order.push_back(RowOrder{{&RoutingCatalog::F(*rc.psr, "RoutingPriority")}, false});
  sel.order.push_back(RowOrder{
      {&RoutingCatalog::F(*rc.psr, "CustomRequestedDateTime"), rc.psr->FindField("CreatedDate")},
      false});
  sel.limit = limit;
  sel.offset = offset;
  std::vector<WorkRequest> out;
  for (const auto& psr : w.Select(*rc.psr, sel)) out.push_back(RequestOf(psr));
  return out;
}

}  // namespace omni::routing
