"""Queue-based routing (issue 8 item 4) end to end through zeep with Salesforce's partner WSDL and
the presence WSDL: Cases owned by a queue whose routing configuration is Least Active or Most
Available are pushed by the org to online members of the queue whose status carries the Case
channel and who have room, inside the call that makes routing possible (the Case's create, the
agent's login, close or decline), and every record the guide names is checked: the AgentWork
(Assigned, RequestDateTime, AssignedDateTime, OriginalQueueId, PushTimeout, capacity), the
PendingServiceRouting (IsPushed, IsPushAttempted, LastDeclinedAgentSession), and the agents'
events."""
import pytest

from conftest import assert_ok, unique_text
from test_external_routing import configured_agent
from test_routing_intake import channel_for, query, queue, routing_config, same_id

WORK = ("Id, Status, UserId, WorkItemId, ServiceChannelId, PendingServiceRoutingId, "
        "RequestDateTime, AssignedDateTime, AcceptDateTime, OriginalQueueId, PushTimeout, "
        "CapacityWeight, CapacityPercentage, IsDeleted")
PSR = "Id, IsPushed, IsPushAttempted, LastDeclinedAgentSession, IsDeleted, Serial"


@pytest.fixture(scope="module")
def org(api, factory):
    channel = channel_for(api, factory, "Case")
    online = api.create_ok({"type": "ServicePresenceStatus", "MasterLabel": unique_text(20, "On"),
                            "DeveloperName": unique_text(20, "On")})
    busy = api.create_ok({"type": "ServicePresenceStatus", "MasterLabel": unique_text(20, "Bz"),
                          "DeveloperName": unique_text(20, "Bz")})
    api.create_ok({"type": "ServiceChannelStatus", "ServiceChannelId": channel,
                   "ServicePresenceStatusId": online})
    return dict(channel=channel, online=online, busy=busy)


class Agent:
    def __init__(self, api, sf_partner_client, org, capacity, queues, **options):
        agent = configured_agent(api, sf_partner_client, capacity, **options)
        self.user_id, self.config, self.presence = (agent["user_id"], agent["config"],
                                                    agent["presence"])
        for q in queues:
            api.create_ok({"type": "GroupMember", "GroupId": q, "UserOrGroupId": self.user_id})
        self.org = org

    def login(self, status=None):
        assert self.presence.login(status or self.org["online"]).success
        return self

    def works(self, api, status=None):
        soql = "SELECT %s FROM AgentWork WHERE UserId = '%s'" % (WORK, self.user_id)
        if status:
            soql += " AND Status = '%s'" % status
        return query(api, soql + " ORDER BY CreatedDate, Id")


def case_in(api, queue_id, **fields):
    return api.create_ok(dict({"type": "Case", "Subject": unique_text(20, "Routed"),
                               "OwnerId": queue_id}, **fields))


def psr_of(api, case_id, all_rows=False):
    rows = query(api, "SELECT %s FROM PendingServiceRouting WHERE WorkItemId = '%s'"
                 % (PSR, case_id), all_rows)
    return rows


def work_on(api, case_id):
    return query(api, "SELECT %s FROM AgentWork WHERE WorkItemId = '%s' ORDER BY CreatedDate, Id"
                 % (WORK, case_id))


def routed_to(api, case_id):
    works = [w for w in work_on(api, case_id) if w["Status"] in ("Assigned", "Opened")]
    assert len(works) <= 1, works
    return works[0]["UserId"][:15] if works else None


def test_a_case_is_pushed_in_its_create_call_with_the_guides_fields(api, sf_partner_client, org):
    config = routing_config(api, "LeastActive", priority=1, weight="2")
    q = queue(api, config)
    agent = Agent(api, sf_partner_client, org, 4, [q]).login()
    start = agent.presence.getEvents().sequence
    case_id = case_in(api, q)
    # Routed inside the create: the answer's commit already holds the AgentWork.
    works = work_on(api, case_id)
    assert len(works) == 1
    w = works[0]
    assert w["Status"] == "Assigned" and same_id(w["UserId"], agent.user_id)
    assert same_id(w["ServiceChannelId"], org["channel"]) and same_id(w["OriginalQueueId"], q)
    assert w["PushTimeout"] == "30" and float(w["CapacityWeight"]) == 2.0
    assert w["AssignedDateTime"] and w["RequestDateTime"]
    psr = psr_of(api, case_id)
    assert len(psr) == 1 and same_id(w["PendingServiceRoutingId"], psr[0]["Id"])
    assert (psr[0]["IsPushed"], psr[0]["IsPushAttempted"]) == ("true", "true")
    assert agent.presence.getAgentWorkload().currentWorkload == 2.0
    events = [e.type for e in agent.presence.getEvents(afterSequence=start).events]
    assert "omniChannelWorkAssigned" in events and "omniChannelWorkloadChanged" in events

    # Accept and close: the request goes with the accept, the capacity with the close.
    assert agent.presence.acceptAgentWork(w["Id"]).success
    assert psr_of(api, case_id) == []
    assert agent.presence.closeAgentWork(w["Id"]).success
    assert agent.presence.getAgentWorkload().currentWorkload == 0.0
    assert_ok(api.delete([w["Id"]])[0])  # Closed work may be deleted


def test_least_active_spreads_work_over_the_agents(api, sf_partner_client, org):
    q = queue(api, routing_config(api, "LeastActive", priority=1, weight="1"))
    agents = [Agent(api, sf_partner_client, org, 3, [q]).login() for _ in range(3)]
    cases = [case_in(api, q) for _ in range(6)]
    owners = [routed_to(api, c) for c in cases]
    counts = {a.user_id[:15]: owners.count(a.user_id[:15]) for a in agents}
    # Fewest open items first: six items over three agents are two each, and the first three
    # went to three different agents.
    assert sorted(counts.values()) == [2, 2, 2], counts
    assert len(set(owners[:3])) == 3


def test_most_available_prefers_free_capacity(api, sf_partner_client, org):
    q = queue(api, routing_config(api, "MostAvailable", priority=1, weight="1"))
    big = Agent(api, sf_partner_client, org, 5, [q]).login()
    small = Agent(api, sf_partner_client, org, 2, [q]).login()
    cases = [case_in(api, q) for _ in range(4)]
    owners = [routed_to(api, c) for c in cases]
    # free 5 vs 2: big, big (4 vs 2), big (3 vs 2), then a tie at 2 goes to the less active
    # agent: small.
    assert owners[:3] == [big.user_id[:15]] * 3
    assert owners[3] == small.user_id[:15]


def test_waiting_work_goes_to_an_agent_who_logs_in_in_priority_then_time_order(
        api, sf_partner_client, org):
    low = queue(api, routing_config(api, "LeastActive", priority=2, weight="1"))
    high = queue(api, routing_config(api, "LeastActive", priority=1, weight="1"))
    agent = Agent(api, sf_partner_client, org, 2, [low, high])
    first_low = case_in(api, low)
    second_low = case_in(api, low)
    late_high = case_in(api, high)
    for c in (first_low, second_low, late_high):
        assert psr_of(api, c)[0]["IsPushed"] == "false" and routed_to(api, c) is None
    agent.login()
    # Capacity 2: the priority-1 item first although newest, then the oldest priority-2 one.
    assert routed_to(api, late_high) == agent.user_id[:15]
    assert routed_to(api, first_low) == agent.user_id[:15]
    assert routed_to(api, second_low) is None
    # Closing one frees room: the waiting item is pushed in the close call.
    work = agent.works(api, "Assigned")[0]
    assert agent.presence.acceptAgentWork(work["Id"]).success
    assert agent.presence.closeAgentWork(work["Id"]).success
    assert routed_to(api, second_low) == agent.user_id[:15]


def test_work_that_does_not_fit_waits_and_a_status_without_the_channel_gets_none(
        api, sf_partner_client, org):
    q = queue(api, routing_config(api, "LeastActive", priority=1, weight="3"))
    agent = Agent(api, sf_partner_client, org, 4, [q])
    agent.login(org["busy"])
    c1 = case_in(api, q)
    assert routed_to(api, c1) is None  # Busy carries no Case channel
    assert agent.presence.setServicePresenceStatus(org["online"]).success
    assert routed_to(api, c1) == agent.user_id[:15]
    c2 = case_in(api, q)
    assert routed_to(api, c2) is None  # 3 + 3 > 4
    assert psr_of(api, c2)[0]["IsPushed"] == "false"


def test_a_declined_item_is_routed_to_another_agent(api, sf_partner_client, org):
    q = queue(api, routing_config(api, "LeastActive", priority=1, weight="1"))
    first = Agent(api, sf_partner_client, org, 1, [q], OptionsIsDeclineEnabled="true").login()
    case_id = case_in(api, q)
    assert routed_to(api, case_id) == first.user_id[:15]
    second = Agent(api, sf_partner_client, org, 1, [q]).login()
    work = first.works(api, "Assigned")[0]
    assert first.presence.declineAgentWork(work["Id"], "").success
    # In the decline's call: Declined for the first agent, pushed to the second, and the
    # request carries the first agent's Live Agent session.
    declined = [w for w in work_on(api, case_id) if w["Id"] == work["Id"]][0]
    assert declined["Status"] == "Declined"
    assert routed_to(api, case_id) == second.user_id[:15]
    psr = psr_of(api, case_id)[0]
    session = query(api, "SELECT Name FROM UserServicePresence WHERE UserId = '%s' AND "
                         "IsCurrentState = true" % first.user_id)[0]["Name"]
    assert psr["LastDeclinedAgentSession"] == session and psr["IsPushed"] == "true"
    # The second declines too (not allowed by their configuration): refused, still theirs.
    again = second.works(api, "Assigned")[0]
    assert second.presence.declineAgentWork(again["Id"], "").success is False


def test_a_declined_item_never_returns_to_the_session_that_declined_it(
        api, sf_partner_client, org):
    q = queue(api, routing_config(api, "LeastActive", priority=1, weight="1"))
    agent = Agent(api, sf_partner_client, org, 2, [q], OptionsIsDeclineEnabled="true").login()
    case_id = case_in(api, q)
    work = agent.works(api, "Assigned")[0]
    assert agent.presence.declineAgentWork(work["Id"], "").success
    assert routed_to(api, case_id) is None
    assert psr_of(api, case_id)[0]["IsPushed"] == "false"
    # Other work still reaches the agent.
    other = case_in(api, q)
    assert routed_to(api, other) == agent.user_id[:15]
    # A new login is a new Live Agent session: the declined item may come back.
    assert agent.presence.logout().success
    agent.login()
    assert routed_to(api, case_id) == agent.user_id[:15]


def test_logging_out_makes_assigned_work_unavailable_and_routes_it_again(
        api, sf_partner_client, org):
    q = queue(api, routing_config(api, "LeastActive", priority=1, weight="1"))
    leaving = Agent(api, sf_partner_client, org, 2, [q]).login()
    case_id = case_in(api, q)
    assert routed_to(api, case_id) == leaving.user_id[:15]
    staying = Agent(api, sf_partner_client, org, 2, [q]).login()
    work = leaving.works(api, "Assigned")[0]
    assert leaving.presence.logout().success
    gone = [w for w in work_on(api, case_id) if w["Id"] == work["Id"]][0]
    assert gone["Status"] == "Unavailable"
    assert routed_to(api, case_id) == staying.user_id[:15]
    assert_ok(api.delete([work["Id"]])[0])  # Unavailable work may be deleted


def test_opened_work_stays_when_the_agent_changes_status(api, sf_partner_client, org):
    q = queue(api, routing_config(api, "LeastActive", priority=1, weight="1"))
    agent = Agent(api, sf_partner_client, org, 2, [q]).login()
    case_in(api, q)
    work = agent.works(api, "Assigned")[0]
    assert agent.presence.acceptAgentWork(work["Id"]).success
    assert agent.presence.setServicePresenceStatus(org["busy"]).success
    assert agent.works(api)[0]["Status"] == "Opened"


def test_auto_accept_opens_the_work_and_gives_the_case(api, sf_partner_client, org):
    q = queue(api, routing_config(api, "LeastActive", priority=1, weight="1"))
    agent = Agent(api, sf_partner_client, org, 2, [q], OptionsIsAutoAcceptEnabled="true").login()
    case_id = case_in(api, q)
    works = work_on(api, case_id)
    assert len(works) == 1 and works[0]["Status"] == "Opened" and works[0]["AcceptDateTime"]
    assert psr_of(api, case_id) == []
    assert len(psr_of(api, case_id, all_rows=True)) == 1  # deleted, as on an accept
    case = api.retrieve(["OwnerId"], "Case", [case_id])[0]
    assert same_id(case["OwnerId"], agent.user_id)


def test_a_multi_record_create_routes_every_case_without_overbooking(api, sf_partner_client, org):
    q = queue(api, routing_config(api, "MostAvailable", priority=1, weight="1"))
    agents = [Agent(api, sf_partner_client, org, 3, [q]).login() for _ in range(2)]
    results = api.create([{"type": "Case", "Subject": unique_text(20, "Bulk"), "OwnerId": q}
                          for _ in range(10)])
    ids = [r.id for r in results if r.success]
    assert len(ids) == 10
    owners = [routed_to(api, c) for c in ids]
    for a in agents:
        assert owners.count(a.user_id[:15]) == 3
        assert a.presence.getAgentWorkload().currentWorkload == 3.0
    assert owners.count(None) == 4
    assert sum(1 for c in ids if psr_of(api, c)[0]["IsPushed"] == "false") == 4
