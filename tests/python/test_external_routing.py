"""External routing (the guide's External Routing chapter) end to end: Cases in a queue whose
routing configuration is ExternalRouting get PendingServiceRoutings the external router reads
through Salesforce's partner WSDL; the router creates AgentWork with UserId, WorkItemId,
ServiceChannelId and PendingServiceRoutingId; agents, real Users logged in with a plain SOAP login,
answer through the presence WSDL the server serves. The guide's "Expected Behavior" scenarios
(accept, decline, and the two transfers: to an external routing queue and to another agent, on
chats) are checked record by record, with the capacity rule and its ShouldSkipCapacityCheck, the
refusals, the agents' events and AgentWork deletion once Closed or Declined."""
import pytest

from conftest import (PartnerApi, assert_error, assert_ok, fake_id, parse_datetime, partner_login,
                      unique_text)
from test_presence import Presence
from test_routing_intake import channel_for, new_user, query, queue, same_id

WORK_FIELDS = ("Id, Status, UserId, WorkItemId, ServiceChannelId, PendingServiceRoutingId, "
               "RequestDateTime, AssignedDateTime, AcceptDateTime, SpeedToAnswer, CloseDateTime, "
               "HandleTime, ActiveTime, DeclineDateTime, DeclineReason, "
               "AgentCapacityWhenDeclined, OriginalQueueId, PushTimeout, CapacityWeight, "
               "ShouldSkipCapacityCheck, IsDeleted")
PSR_FIELDS = "Id, WorkItemId, RoutingModel, IsPushed, IsPushAttempted, LastDeclinedAgentSession, " \
             "IsDeleted, Serial"


def work_of(api, work_id, all_rows=False):
    rows = query(api, "SELECT %s FROM AgentWork WHERE Id = '%s'" % (WORK_FIELDS, work_id), all_rows)
    assert len(rows) == 1
    return rows[0]


def psr_of_case(api, case_id, all_rows=False):
    return query(api, "SELECT %s FROM PendingServiceRouting WHERE WorkItemId = '%s'"
                 % (PSR_FIELDS, case_id), all_rows)


@pytest.fixture(scope="module")
def setup(api, factory):
    """The Case channel, an Online status carrying it and a Busy one without, and an external
    routing queue (capacity weight 2, push time-out 30 s)."""
    channel = channel_for(api, factory, "Case")
    online = api.create_ok({"type": "ServicePresenceStatus", "MasterLabel": unique_text(20, "On"),
                            "DeveloperName": unique_text(20, "On")})
    busy = api.create_ok({"type": "ServicePresenceStatus", "MasterLabel": unique_text(20, "Busy"),
                          "DeveloperName": unique_text(20, "Busy")})
    api.create_ok({"type": "ServiceChannelStatus", "ServiceChannelId": channel,
                   "ServicePresenceStatusId": online})
    config = api.create_ok({"type": "QueueRoutingConfig", "MasterLabel": unique_text(20, "Ext"),
                            "RoutingModel": "ExternalRouting", "RoutingPriority": "1",
                            "CapacityWeight": "2", "PushTimeout": "30"})
    return dict(channel=channel, online=online, busy=busy, config=config,
                queue=queue(api, config))


def configured_agent(api, sf_partner_client, capacity="4", **options):
    """A User with a password and a user-level presence configuration, not logged in to
    Omni-Channel: dict(user_id, config, presence (their presence client), api)."""
    user_id, name = new_user(api)
    cfg = dict({"type": "PresenceUserConfig", "MasterLabel": unique_text(20, "Cfg"),
                "DeveloperName": unique_text(20, "Cfg"), "Capacity": str(capacity)}, **options)
    config = api.create_ok(cfg)
    api.create_ok({"type": "PresenceUserConfigUser", "UserId": user_id,
                   "PresenceUserConfigId": config})
    api.service.setPassword(user_id, "Agent1pass", _soapheaders=api.headers())
    login = partner_login(sf_partner_client, name, "Agent1pass")
    return dict(user_id=user_id, config=config, presence=Presence(login.sessionId),
                api=PartnerApi(sf_partner_client, login))


def make_agent(api, sf_partner_client, setup, capacity="4", **options):
    """configured_agent, logged in to Omni-Channel as Online."""
    agent = configured_agent(api, sf_partner_client, capacity, **options)
    assert agent["presence"].login(setup["online"]).success
    return agent


def new_case(api, setup):
    case_id = api.create_ok({"type": "Case", "Subject": unique_text(20, "Chat"),
                             "OwnerId": setup["queue"]})
    psrs = psr_of_case(api, case_id)
    assert len(psrs) == 1 and psrs[0]["RoutingModel"] == "ExternalRouting"
    assert psrs[0]["IsPushed"] == "false"  # what the router's PushTopic event carries
    return case_id, psrs[0]


def route(api, setup, agent, case_id, psr, **extra):
    """The external router's routing decision (the guide's Step 4)."""
    rec = dict({"type": "AgentWork", "UserId": agent["user_id"], "WorkItemId": case_id,
                "ServiceChannelId": setup["channel"], "PendingServiceRoutingId": psr["Id"]},
               **extra)
    return api.create([rec])[0]


def current_presence(api, user_id):
    rows = query(api, "SELECT Id, Name, ServicePresenceStatusId FROM UserServicePresence "
                      "WHERE UserId = '%s' AND IsCurrentState = true" % user_id)
    assert len(rows) == 1
    return rows[0]


def event_types(agent, after):
    return [e.type for e in agent["presence"].getEvents(afterSequence=after).events]


def test_agent_accepts_the_work(api, sf_partner_client, setup):
    agent = make_agent(api, sf_partner_client, setup)
    start = agent["presence"].getEvents().sequence
    case_id, psr = new_case(api, setup)
    # The router creates AgentWork using the request: the agent is routed the work (Assigned).
    r = route(api, setup, agent, case_id, psr)
    assert_ok(r)
    work = work_of(api, r.id)
    assert work["Status"] == "Assigned" and same_id(work["UserId"], agent["user_id"])
    assert same_id(work["PendingServiceRoutingId"], psr["Id"])
    assert work["AssignedDateTime"] and work["RequestDateTime"]
    assert same_id(work["OriginalQueueId"], setup["queue"])
    assert work["PushTimeout"] == "30" and float(work["CapacityWeight"]) == 2.0
    pushed = psr_of_case(api, case_id)[0]
    assert (pushed["IsPushed"], pushed["IsPushAttempted"]) == ("true", "true")
    works = agent["presence"].getAgentWorks()
    assert [(w.workId[:15], w.isEngaged) for w in works.works] == [(r.id[:15], False)]
    assert agent["presence"].getAgentWorkload().currentWorkload == 2.0
    # Assigned work is active in Omni-Channel: it cannot be deleted.
    assert_error(api.delete([r.id])[0], "DELETE_FAILED")

    # The agent accepts: Opened, the request deleted, the Case the agent's.
    assert agent["presence"].acceptAgentWork(r.id).success is True
    work = work_of(api, r.id)
    assert work["Status"] == "Opened" and work["AcceptDateTime"]
    assert int(work["SpeedToAnswer"]) >= 0
    assert psr_of_case(api, case_id) == []
    gone = psr_of_case(api, case_id, all_rows=True)
    assert len(gone) == 1 and gone[0]["IsDeleted"] == "true"  # the router's Delete event
    case = api.retrieve(["OwnerId"], "Case", [case_id])[0]
    assert same_id(case["OwnerId"], agent["user_id"])
    assert [w.isEngaged for w in agent["presence"].getAgentWorks().works] == [True]
    assert agent["presence"].acceptAgentWork(r.id).success is False  # not Assigned any more
    assert_error(api.delete([r.id])[0], "DELETE_FAILED")

    # The agent closes it: Closed, times set, capacity free, and now it may be deleted.
    assert agent["presence"].closeAgentWork(r.id).success is True
    work = work_of(api, r.id)
    assert work["Status"] == "Closed" and work["CloseDateTime"]
    assert int(work["HandleTime"]) >= 0 and work["ActiveTime"] == work["HandleTime"]
    assert agent["presence"].getAgentWorkload().currentWorkload == 0.0
    assert agent["presence"].getAgentWorks().works == []
    assert agent["presence"].closeAgentWork(r.id).success is False
    types = event_types(agent, start)
    for t in ("omniChannelWorkAssigned", "omniChannelWorkAccepted", "omniChannelWorkClosed",
              "omniChannelWorkloadChanged"):
        assert t in types, types
    assert types.index("omniChannelWorkAssigned") < types.index("omniChannelWorkAccepted") < \
        types.index("omniChannelWorkClosed")
    assert_ok(api.delete([r.id])[0])


def test_agent_declines_the_work_and_the_router_reroutes(api, sf_partner_client, setup):
    reason = api.create_ok({"type": "PresenceDeclineReason", "MasterLabel": "Too busy",
                            "DeveloperName": unique_text(20, "Busy")})
    first = make_agent(api, sf_partner_client, setup, OptionsIsDeclineEnabled="true",
                       OptionsIsDeclineReasonEnabled="true",
                       PresenceStatusOnDeclineId=setup["busy"])
    api.create_ok({"type": "PresenceConfigDeclineReason", "PresenceUserConfigId": first["config"],
                   "PresenceDeclineReasonId": reason})
    second = make_agent(api, sf_partner_client, setup)
    session = current_presence(api, first["user_id"])["Name"]
    start = first["presence"].getEvents().sequence
    case_id, psr = new_case(api, setup)
    r = route(api, setup, first, case_id, psr)
    assert_ok(r)

    # A reason the configuration does not offer is refused; nothing changes.
    bad = first["presence"].declineAgentWork(r.id, "Lunch")
    assert bad.success is False and "decline reason" in bad.message
    assert work_of(api, r.id)["Status"] == "Assigned"
    # The agent declines the assigned work: Salesforce updates the request.
    assert first["presence"].declineAgentWork(r.id, "Too busy").success is True
    work = work_of(api, r.id)
    assert work["Status"] == "Declined" and work["DeclineDateTime"]
    assert work["DeclineReason"] == "Too busy" and float(work["AgentCapacityWhenDeclined"]) == 2.0
    req = psr_of_case(api, case_id)
    assert len(req) == 1 and req[0]["IsPushed"] == "false"
    assert req[0]["LastDeclinedAgentSession"] == session and session.startswith("LA")
    assert req[0]["LastDeclinedAgentSession"] != first["api"].session_id  # not the SOAP session
    # The agent moved to the configuration's status on decline.
    assert same_id(current_presence(api, first["user_id"])["ServicePresenceStatusId"],
                   setup["busy"])
    assert first["presence"].getAgentWorkload().currentWorkload == 0.0
    assert "omniChannelWorkDeclined" in event_types(first, start)

    # The router creates a new AgentWork using the updated request: pushed again.
    again = route(api, setup, second, case_id, req[0])
    assert_ok(again)
    assert psr_of_case(api, case_id)[0]["IsPushed"] == "true"
    assert second["presence"].acceptAgentWork(again.id).success is True
    # Declined work may be deleted.
    assert_ok(api.delete([r.id])[0])


def test_decline_needs_the_configuration_to_allow_it(api, sf_partner_client, setup):
    agent = make_agent(api, sf_partner_client, setup)  # decline not enabled
    case_id, psr = new_case(api, setup)
    r = route(api, setup, agent, case_id, psr)
    assert_ok(r)
    no = agent["presence"].declineAgentWork(r.id)
    assert no.success is False and "declin" in no.message
    assert work_of(api, r.id)["Status"] == "Assigned"
    # Reasons need reasons enabled, even where declining is.
    picky = make_agent(api, sf_partner_client, setup, OptionsIsDeclineEnabled="true")
    case2, psr2 = new_case(api, setup)
    r2 = route(api, setup, picky, case2, psr2)
    assert_ok(r2)
    assert picky["presence"].declineAgentWork(r2.id, "Too busy").success is False
    assert picky["presence"].declineAgentWork(r2.id).success is True
    assert work_of(api, r2.id)["DeclineReason"] is None
    # Another agent cannot answer work that is not theirs.
    assert picky["presence"].acceptAgentWork(r.id).success is False


def test_capacity_is_checked_unless_skipped(api, sf_partner_client, setup):
    agent = make_agent(api, sf_partner_client, setup, capacity="4")
    routed = []
    for _ in range(2):
        case_id, psr = new_case(api, setup)
        r = route(api, setup, agent, case_id, psr)
        assert_ok(r)
        routed.append(r.id)
    # Weight 2 + 2 fills capacity 4: a third is refused, and nothing of it is left.
    case_id, psr = new_case(api, setup)
    r = route(api, setup, agent, case_id, psr)
    assert_error(r, "FIELD_INTEGRITY_EXCEPTION", fields=["UserId"])
    assert "capacity" in r.errors[0].message
    assert query(api, "SELECT Id FROM AgentWork WHERE WorkItemId = '%s'" % case_id) == []
    assert psr_of_case(api, case_id)[0]["IsPushed"] == "false"
    # ShouldSkipCapacityCheck lets the router exceed it.
    r = route(api, setup, agent, case_id, psr, ShouldSkipCapacityCheck="true")
    assert_ok(r)
    assert agent["presence"].getAgentWorkload().currentWorkload == 6.0
    # Freed capacity takes work again.
    for work_id in routed:
        assert agent["presence"].acceptAgentWork(work_id).success
        assert agent["presence"].closeAgentWork(work_id).success
    case_id, psr = new_case(api, setup)
    assert_ok(route(api, setup, agent, case_id, psr))


def test_a_request_already_pushed_is_not_pushed_again(api, sf_partner_client, setup):
    """Two routers racing for one request: the second AgentWork is refused while the first is
    Assigned, and nothing of it is left behind; once declined the request may be routed again."""
    first = make_agent(api, sf_partner_client, setup, OptionsIsDeclineEnabled="true")
    second = make_agent(api, sf_partner_client, setup)
    case_id, psr = new_case(api, setup)
    assert_ok(route(api, setup, first, case_id, psr))
    again = route(api, setup, second, case_id, psr)
    assert_error(again, "FIELD_INTEGRITY_EXCEPTION", fields=["PendingServiceRoutingId"])
    assert [w["UserId"][:15] for w in query(api, "SELECT UserId FROM AgentWork WHERE "
                                                 "WorkItemId = '%s'" % case_id)] == \
        [first["user_id"][:15]]
    work = query(api, "SELECT Id FROM AgentWork WHERE WorkItemId = '%s'" % case_id)[0]["Id"]
    assert first["presence"].declineAgentWork(work, "").success
    assert_ok(route(api, setup, second, case_id, psr_of_case(api, case_id)[0]))


def test_an_agent_without_capacity_is_refused(api, sf_partner_client, setup):
    agent = make_agent(api, sf_partner_client, setup, capacity="1")
    case_id, psr = new_case(api, setup)
    assert_error(route(api, setup, agent, case_id, psr), "FIELD_INTEGRITY_EXCEPTION")
    # A work item other than the request's is refused too.
    other, _ = new_case(api, setup)
    r = route(api, setup, agent, other, psr, ShouldSkipCapacityCheck="true")
    assert_error(r, "FIELD_INTEGRITY_EXCEPTION", fields=["WorkItemId"])


# The guide's transfer scenarios, on chats (LiveChatTranscript) as the guide tells them.

TRANSFER_PSR_FIELDS = ("Id, Name, WorkItemId, QueueId, OwnerId, ServiceChannelId, RoutingModel, "
                       "RoutingPriority, CapacityWeight, CapacityPercentage, RoutingType, "
                       "IsReadyForRouting, IsPushed, IsPushAttempted, IsTransfer, Serial, "
                       "IsDeleted, LastDeclinedAgentSession, CreatedDate")


@pytest.fixture(scope="module")
def chats(api, factory, setup):
    """The chat channel, a status carrying it (agents log in with it), two external routing
    queues (capacity weight 2 and 3), a queue-based one, a queue without routing configuration
    and a Regular group."""
    channel = channel_for(api, factory, "LiveChatTranscript")
    online = api.create_ok({"type": "ServicePresenceStatus",
                            "MasterLabel": unique_text(20, "Chat"),
                            "DeveloperName": unique_text(20, "Chat")})
    api.create_ok({"type": "ServiceChannelStatus", "ServiceChannelId": channel,
                   "ServicePresenceStatusId": online})

    def config(model, weight, priority):
        return api.create_ok({"type": "QueueRoutingConfig", "MasterLabel": unique_text(20, "C"),
                              "RoutingModel": model, "RoutingPriority": priority,
                              "CapacityWeight": weight, "PushTimeout": "30"})
    return dict(channel=channel, agent_setup=dict(setup, online=online),
                queue=queue(api, config("ExternalRouting", "2", "1")),
                other=queue(api, config("ExternalRouting", "3", "2")),
                least_active=queue(api, config("LeastActive", "2", "1")),
                unrouted=queue(api), regular=queue(api, group_type="Regular"))


def chat_agent(api, sf_partner_client, chats, capacity="4", **options):
    return make_agent(api, sf_partner_client, chats["agent_setup"], capacity, **options)


def chat_psrs(api, chat_id, all_rows=False):
    return query(api, "SELECT %s FROM PendingServiceRouting WHERE WorkItemId = '%s'"
                 % (TRANSFER_PSR_FIELDS, chat_id), all_rows)


def works_of_item(api, item_id):
    return query(api, "SELECT %s FROM AgentWork WHERE WorkItemId = '%s' ORDER BY CreatedDate, Id"
                 % (WORK_FIELDS, item_id))


def chat_record(api, chat_id):
    return api.retrieve(["Name", "OwnerId", "Status"], "LiveChatTranscript", [chat_id])[0]


def route_chat(api, chats, agent, chat_id, psr_id):
    r = api.create([{"type": "AgentWork", "UserId": agent["user_id"], "WorkItemId": chat_id,
                     "ServiceChannelId": chats["channel"], "PendingServiceRoutingId": psr_id}])[0]
    assert_ok(r)
    return r.id


def accepted_chat(api, chats, agent):
    """A visitor's chat request from the external routing queue, routed to and accepted by the
    agent (the guide's first scenario): the chat is InProgress and the agent's."""
    chat_id = api.create_ok({"type": "LiveChatTranscript", "OwnerId": chats["queue"],
                             "Status": "Waiting", "ChatKey": unique_text(30, "k")})
    psrs = chat_psrs(api, chat_id)
    assert len(psrs) == 1 and psrs[0]["IsTransfer"] == "false"
    work_id = route_chat(api, chats, agent, chat_id, psrs[0]["Id"])
    assert agent["presence"].acceptAgentWork(work_id).success is True
    chat = chat_record(api, chat_id)
    assert chat["Status"] == "InProgress" and same_id(chat["OwnerId"], agent["user_id"])
    assert chat_psrs(api, chat_id) == []
    return chat_id, work_id, psrs[0]


def transfer_start(api, sf_partner_client, chats):
    """Two chat agents, the first with an accepted chat: (first, second, chat, its AgentWork,
    its original request, both agents' event positions, the Opened AgentWork's record)."""
    first = chat_agent(api, sf_partner_client, chats)
    second = chat_agent(api, sf_partner_client, chats)
    chat_id, w1, original = accepted_chat(api, chats, first)
    start1 = first["presence"].getEvents().sequence
    start2 = second["presence"].getEvents().sequence
    return first, second, chat_id, w1, original, start1, start2, work_of(api, w1)


def test_agent_transfers_the_work_to_an_external_routing_queue(api, sf_partner_client, chats):
    first, second, chat_id, w1, original, start1, start2, opened = transfer_start(
        api, sf_partner_client, chats)

    r = first["presence"].transferAgentWork(w1, chats["other"])
    assert r.success is True, r.message
    # 1. A new PendingServiceRouting for the transfer is created, for the target queue, with
    #    the fields the org gives every request (K4) from that queue's configuration.
    psrs = chat_psrs(api, chat_id)
    assert len(psrs) == 1
    p = psrs[0]
    assert not same_id(p["Id"], original["Id"])
    assert same_id(p["WorkItemId"], chat_id)
    assert same_id(p["QueueId"], chats["other"]) and same_id(p["OwnerId"], chats["other"])
    assert same_id(p["ServiceChannelId"], chats["channel"])
    assert (p["RoutingModel"], p["RoutingPriority"], p["RoutingType"]) == \
        ("ExternalRouting", "2", "QueueBased")
    assert float(p["CapacityWeight"]) == 3.0 and p["CapacityPercentage"] is None
    assert p["IsReadyForRouting"] == "true" and p["Name"] == chat_record(api, chat_id)["Name"]
    assert p["LastDeclinedAgentSession"] is None
    # 2. What the partner's PushTopic event carries: isTransfer true, isPushed false, and Serial
    #    1, so it was created that way (no later update made it a transfer).
    assert (p["IsTransfer"], p["IsPushed"], p["IsPushAttempted"], p["Serial"]) == \
        ("true", "false", "false", "1")
    topic = query(api, "SELECT Id, Serial, QueueId, WorkItemId, IsPushed, ServiceChannelId, "
                       "LastDeclinedAgentSession, CreatedDate FROM PendingServiceRouting WHERE "
                       "RoutingModel = 'ExternalRouting' AND IsTransfer = true AND WorkItemId = "
                       "'%s'" % chat_id)
    assert [t["Id"] for t in topic] == [p["Id"]]
    # The chat waits in the target queue; the agent's work is Transferred, their part of it
    # ended as a close ends it, and their capacity is free.
    chat = chat_record(api, chat_id)
    assert same_id(chat["OwnerId"], chats["other"]) and chat["Status"] == "InProgress"
    work = work_of(api, w1)
    assert work["Status"] == "Transferred" and work["CloseDateTime"]
    assert work["AcceptDateTime"] == opened["AcceptDateTime"]
    assert int(work["HandleTime"]) >= 0 and work["ActiveTime"] == work["HandleTime"]
    assert first["presence"].getAgentWorks().works == []
    assert first["presence"].getAgentWorkload().currentWorkload == 0.0
    assert "omniChannelWorkloadChanged" in event_types(first, start1)
    # Transferred is not among the statuses the guide lets be deleted.
    assert_error(api.delete([w1])[0], "DELETE_FAILED")
    # The work is no longer the agent's to answer.
    assert first["presence"].transferAgentWork(w1, chats["queue"]).success is False
    assert first["presence"].closeAgentWork(w1).success is False

    # 3. The routing process is repeated: the router routes the new request, the second agent
    #    accepts, Omni-Channel deletes the request.
    w2 = route_chat(api, chats, second, chat_id, p["Id"])
    routed = work_of(api, w2)
    assert routed["Status"] == "Assigned" and same_id(routed["OriginalQueueId"], chats["other"])
    assert float(routed["CapacityWeight"]) == 3.0
    assert chat_psrs(api, chat_id)[0]["IsPushed"] == "true"
    assert second["presence"].acceptAgentWork(w2).success is True
    assert chat_psrs(api, chat_id) == []
    gone = chat_psrs(api, chat_id, all_rows=True)
    assert sorted(g["Id"] for g in gone) == sorted([original["Id"], p["Id"]])
    assert all(g["IsDeleted"] == "true" for g in gone)
    chat = chat_record(api, chat_id)
    assert same_id(chat["OwnerId"], second["user_id"]) and chat["Status"] == "InProgress"
    assert work_of(api, w1)["Status"] == "Transferred"  # untouched by the accept
    types = event_types(second, start2)
    assert types.index("omniChannelWorkAssigned") < types.index("omniChannelWorkAccepted")
    assert second["presence"].closeAgentWork(w2).success is True
    assert_ok(api.delete([w2])[0])


def test_transfer_to_a_queue_based_queue_leaves_the_request_to_the_engine(
        api, sf_partner_client, chats):
    agent = chat_agent(api, sf_partner_client, chats)
    chat_id, w1, _ = accepted_chat(api, chats, agent)
    assert agent["presence"].transferAgentWork(w1, chats["least_active"]).success is True
    psrs = chat_psrs(api, chat_id)
    assert len(psrs) == 1
    assert (psrs[0]["RoutingModel"], psrs[0]["IsTransfer"]) == ("LeastActive", "true")
    assert same_id(psrs[0]["QueueId"], chats["least_active"])
    assert work_of(api, w1)["Status"] == "Transferred"


def test_transfers_to_a_queue_that_are_refused(api, sf_partner_client, chats, setup):
    agent = chat_agent(api, sf_partner_client, chats)
    other = chat_agent(api, sf_partner_client, chats)
    chat_id, w1, _ = accepted_chat(api, chats, agent)
    refusals = [
        (agent, w1, chats["regular"], "isn't a queue"),
        (agent, w1, chats["unrouted"], "routing configuration"),
        (agent, w1, fake_id("00G"), "No queue"),
        (agent, w1, setup["channel"], "neither a queue nor a user"),
        (agent, w1, "not-an-id", "neither a queue nor a user"),
        (agent, fake_id("0Bz"), chats["other"], "No AgentWork"),
        (other, w1, chats["other"], "No AgentWork"),  # not their work
    ]
    for who, work_id, target, text in refusals:
        r = who["presence"].transferAgentWork(work_id, target)
        assert r.success is False and text in r.message, (target, r.message)
    # Assigned (not yet accepted) work can't be transferred.
    chat2 = api.create_ok({"type": "LiveChatTranscript", "OwnerId": chats["queue"],
                           "Status": "Waiting", "ChatKey": unique_text(30, "k")})
    assigned = route_chat(api, chats, agent, chat2, chat_psrs(api, chat2)[0]["Id"])
    r = agent["presence"].transferAgentWork(assigned, chats["other"])
    assert r.success is False and "not Opened" in r.message
    # A closed chat can't wait in a queue.
    assert_ok(api.update([{"type": "LiveChatTranscript", "Id": chat_id,
                           "Status": "Completed"}])[0])
    r = agent["presence"].transferAgentWork(w1, chats["other"])
    assert r.success is False and "can't be routed" in r.message
    assert_ok(api.update([{"type": "LiveChatTranscript", "Id": chat_id,
                           "Status": "InProgress"}])[0])
    # Nothing of a refusal is left: the work is Opened and the chat the agent's, unrouted.
    assert work_of(api, w1)["Status"] == "Opened"
    assert same_id(chat_record(api, chat_id)["OwnerId"], agent["user_id"])
    assert chat_psrs(api, chat_id) == []
    # A logged-out agent transfers nothing.
    assert agent["presence"].logout().success
    r = agent["presence"].transferAgentWork(w1, chats["other"])
    assert r.success is False and "not logged in" in r.message


def test_agent_transfers_the_work_to_another_agent(api, sf_partner_client, chats):
    first, second, chat_id, w1, original, start1, start2, opened = transfer_start(
        api, sf_partner_client, chats)

    r = first["presence"].transferAgentWork(w1, second["user_id"])
    assert r.success is True, r.message
    # 1./2. The original request is gone (deleted when the first agent accepted) and no new one
    #       is created.
    assert chat_psrs(api, chat_id) == []
    every = chat_psrs(api, chat_id, all_rows=True)
    assert [(e["Id"], e["IsDeleted"]) for e in every] == [(original["Id"], "true")]
    # 3. Two AgentWorks for the chat: the first Opened, the second Assigned to the second agent,
    #    with the routed fields a push gives.
    works = works_of_item(api, chat_id)
    assert [w["Id"][:15] for w in works][0] == w1[:15] and len(works) == 2
    assert works[0]["Status"] == "Opened" and works[0] == opened
    w2 = works[1]
    assert w2["Status"] == "Assigned" and same_id(w2["UserId"], second["user_id"])
    assert same_id(w2["WorkItemId"], chat_id) and same_id(w2["ServiceChannelId"], chats["channel"])
    assert w2["PendingServiceRoutingId"] is None
    assert w2["RequestDateTime"] and w2["AssignedDateTime"] and w2["AcceptDateTime"] is None
    assert parse_datetime(w2["RequestDateTime"]) >= parse_datetime(opened["AcceptDateTime"])
    assert same_id(w2["OriginalQueueId"], chats["queue"]) and w2["PushTimeout"] == "30"
    assert float(w2["CapacityWeight"]) == 2.0 and w2["ShouldSkipCapacityCheck"] == "false"
    # The second agent is pushed the work (the guide's Lightning event) and it takes capacity.
    events = second["presence"].getEvents(afterSequence=start2).events
    assigned = [e for e in events if e.type == "omniChannelWorkAssigned"]
    assert [(e.workId[:15], e.workItemId[:15]) for e in assigned] == [(w2["Id"][:15], chat_id[:15])]
    assert [(w.workId[:15], w.isEngaged) for w in second["presence"].getAgentWorks().works] == \
        [(w2["Id"][:15], False)]
    assert second["presence"].getAgentWorkload().currentWorkload == 2.0
    # Until the second agent accepts, the chat stays the first agent's (N10); both works are
    # active, so neither can be deleted; no second transfer while one is pending.
    chat = chat_record(api, chat_id)
    assert same_id(chat["OwnerId"], first["user_id"]) and chat["Status"] == "InProgress"
    for work_id in (w1, w2["Id"]):
        assert_error(api.delete([work_id])[0], "DELETE_FAILED")
    third = chat_agent(api, sf_partner_client, chats)
    r = first["presence"].transferAgentWork(w1, third["user_id"])
    assert r.success is False and "pending" in r.message
    r = first["presence"].transferAgentWork(w1, chats["other"])
    assert r.success is False and "pending" in r.message

    # 4. The second agent accepts: the chat is In Progress with Owner = the second agent, and the
    #    first agent's work is Transferred, their capacity free.
    assert second["presence"].acceptAgentWork(w2["Id"]).success is True
    chat = chat_record(api, chat_id)
    assert chat["Status"] == "InProgress" and same_id(chat["OwnerId"], second["user_id"])
    assert work_of(api, w2["Id"])["Status"] == "Opened"
    ended = work_of(api, w1)
    assert ended["Status"] == "Transferred" and ended["CloseDateTime"]
    assert int(ended["HandleTime"]) >= 0 and ended["ActiveTime"] == ended["HandleTime"]
    assert first["presence"].getAgentWorks().works == []
    assert first["presence"].getAgentWorkload().currentWorkload == 0.0
    assert "omniChannelWorkloadChanged" in event_types(first, start1)
    assert chat_psrs(api, chat_id, all_rows=True) == every  # still no request
    types = event_types(second, start2)
    assert types.index("omniChannelWorkAssigned") < types.index("omniChannelWorkAccepted")
    # The second agent can pass it on in turn; closed work may be deleted, Transferred not.
    assert second["presence"].closeAgentWork(w2["Id"]).success is True
    assert_ok(api.delete([w2["Id"]])[0])
    assert_error(api.delete([w1])[0], "DELETE_FAILED")


def test_a_declined_transfer_leaves_the_work_with_the_first_agent(api, sf_partner_client, chats):
    first = chat_agent(api, sf_partner_client, chats)
    second = chat_agent(api, sf_partner_client, chats, OptionsIsDeclineEnabled="true")
    chat_id, w1, _ = accepted_chat(api, chats, first)
    assert first["presence"].transferAgentWork(w1, second["user_id"]).success is True
    w2 = works_of_item(api, chat_id)[1]["Id"]
    assert second["presence"].declineAgentWork(w2).success is True
    assert work_of(api, w2)["Status"] == "Declined"
    assert work_of(api, w1)["Status"] == "Opened"
    assert same_id(chat_record(api, chat_id)["OwnerId"], first["user_id"])
    assert chat_psrs(api, chat_id) == []  # declining a transfer makes no request
    assert_ok(api.delete([w2])[0])  # Declined work may be deleted
    # The first agent may try again, now the transfer is no longer pending.
    assert first["presence"].transferAgentWork(w1, chats["other"]).success is True


def test_transfers_to_an_agent_that_are_refused(api, sf_partner_client, chats, setup):
    first = chat_agent(api, sf_partner_client, chats)
    chat_id, w1, _ = accepted_chat(api, chats, first)
    small = chat_agent(api, sf_partner_client, chats, capacity="1")  # weight 2 doesn't fit
    full = chat_agent(api, sf_partner_client, chats, capacity="2")
    accepted_chat(api, chats, full)  # its capacity is in use
    away = chat_agent(api, sf_partner_client, chats)
    assert away["presence"].logout().success
    busy = chat_agent(api, sf_partner_client, chats)
    assert busy["presence"].setServicePresenceStatus(setup["busy"]).success  # no chat channel
    case_agent = make_agent(api, sf_partner_client, setup)  # Online with the Case channel only
    refusals = [
        (first["user_id"], "themselves"),
        (small["user_id"], "enough capacity"),
        (full["user_id"], "enough capacity"),
        (away["user_id"], "not logged in"),
        (busy["user_id"], "service channel"),
        (case_agent["user_id"], "service channel"),
        (fake_id("005"), "No user"),
    ]
    for target, text in refusals:
        r = first["presence"].transferAgentWork(w1, target)
        assert r.success is False and text in r.message, (target, r.message)
    # Nothing of a refusal is left.
    works = works_of_item(api, chat_id)
    assert [w["Status"] for w in works] == ["Opened"]
    assert same_id(chat_record(api, chat_id)["OwnerId"], first["user_id"])


def test_two_agents_transferring_to_each_other_at_once(api, sf_partner_client, chats):
    """Each transfer locks both agents' User rows in Id order: concurrent transfers in opposite
    directions take turns instead of deadlocking (a deadlock would be a fault here)."""
    import concurrent.futures
    a = chat_agent(api, sf_partner_client, chats)
    b = chat_agent(api, sf_partner_client, chats)
    for _ in range(3):
        _, wa, _ = accepted_chat(api, chats, a)
        _, wb, _ = accepted_chat(api, chats, b)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            fa = pool.submit(a["presence"].transferAgentWork, wa, b["user_id"])
            fb = pool.submit(b["presence"].transferAgentWork, wb, a["user_id"])
            # capacity 4, each has 2 in use and needs 2: both fit
            assert fa.result().success is True and fb.result().success is True
        for agent in (a, b):
            for w in agent["presence"].getAgentWorks().works:
                if not w.isEngaged:
                    assert agent["presence"].acceptAgentWork(w.workId).success
        for agent in (a, b):
            for w in agent["presence"].getAgentWorks().works:
                assert agent["presence"].closeAgentWork(w.workId).success
