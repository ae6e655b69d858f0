"""External routing (the guide's External Routing chapter) end to end: Cases in a queue whose
routing configuration is ExternalRouting get PendingServiceRoutings the external router reads
through Salesforce's partner WSDL; the router creates AgentWork with UserId, WorkItemId,
ServiceChannelId and PendingServiceRoutingId; agents, real Users logged in with a plain SOAP login,
answer through the presence WSDL the server serves. The guide's "Expected Behavior" scenarios
(accept, decline) are checked record by record, with the capacity rule and its
ShouldSkipCapacityCheck, the agents' events and AgentWork deletion once Closed or Declined."""
import pytest

from conftest import PartnerApi, assert_error, assert_ok, partner_login, unique_text
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


def make_agent(api, sf_partner_client, setup, capacity="4", **options):
    """A User with a user-level presence configuration, logged in to Omni-Channel as Online."""
    user_id, name = new_user(api)
    cfg = dict({"type": "PresenceUserConfig", "MasterLabel": unique_text(20, "Cfg"),
                "DeveloperName": unique_text(20, "Cfg"), "Capacity": capacity}, **options)
    config = api.create_ok(cfg)
    api.create_ok({"type": "PresenceUserConfigUser", "UserId": user_id,
                   "PresenceUserConfigId": config})
    api.service.setPassword(user_id, "Agent1pass", _soapheaders=api.headers())
    login = partner_login(sf_partner_client, name, "Agent1pass")
    agent = Presence(login.sessionId)
    assert agent.login(setup["online"]).success
    return dict(user_id=user_id, config=config, presence=agent,
                api=PartnerApi(sf_partner_client, login))


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


def test_an_agent_without_capacity_is_refused(api, sf_partner_client, setup):
    agent = make_agent(api, sf_partner_client, setup, capacity="1")
    case_id, psr = new_case(api, setup)
    assert_error(route(api, setup, agent, case_id, psr), "FIELD_INTEGRITY_EXCEPTION")
    # A work item other than the request's is refused too.
    other, _ = new_case(api, setup)
    r = route(api, setup, agent, other, psr, ShouldSkipCapacityCheck="true")
    assert_error(r, "FIELD_INTEGRITY_EXCEPTION", fields=["WorkItemId"])
