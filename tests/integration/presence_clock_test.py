"""Agent presence on the emulator clock and across server processes, against real servers
started here over one fresh database (so the admin agent has no configuration, work or presence
of other suites):

* UserServicePresence's StatusStartDate, StatusEndDate and StatusDuration follow the org's
  clock (frozen from --clock-start, moved through POST /_emulator/clock), not the system clock.
* A login and a status change at the same frozen instant still come out as two distinct events.
* A getEvents parked on one server process wakes when the agent logs out through another.
* External routing's push time-out: Assigned AgentWork unanswered for its PushTimeout becomes
  DeclinedOnPushTimeout when the clock moves past it (the guide's third scenario).

Ports: OMNI_PRESENCE_PORT and OMNI_PRESENCE_PORT2 (CTest derives them from OMNI_TEST_PORT).
"""
import os
import threading
import time
import uuid

import pytest
import requests
import zeep

from sessions_test import server_factory, assert_ok, find

PORT = int(os.environ.get("OMNI_PRESENCE_PORT", "18051"))
PORT2 = int(os.environ.get("OMNI_PRESENCE_PORT2", "18045"))
START = "2021-06-01T08:00:00.000Z"


@pytest.fixture
def servers():
    yield from server_factory(PORT, "omni-presence-")


def header(session):
    return "<p:SessionHeader><p:sessionId>%s</p:sessionId></p:SessionHeader>" % session


def create(server, session, type_, **fields):
    body = "".join("<s:%s>%s</s:%s>" % (k, v, k) for k, v in fields.items())
    r, root = server.post(header(session), "<p:create><p:sObjects><s:type>%s</s:type>%s"
                                           "</p:sObjects></p:create>" % (type_, body))
    assert_ok(r, root)
    assert find(root, "success").text == "true", r.text[:500]
    return find(root, "id").text


def presences(server, session, user_id):
    r, root = server.post(header(session), "<p:query><p:queryString>SELECT Id, "
                          "ServicePresenceStatusId, IsCurrentState, StatusStartDate, StatusEndDate,"
                          " StatusDuration FROM UserServicePresence WHERE UserId = '%s' ORDER BY "
                          "StatusStartDate, StatusEndDate</p:queryString></p:query>" % user_id)
    assert_ok(r, root)
    out = []
    for rec in root.iter("{urn:partner.soap.sforce.com}records"):
        row = {}
        for e in rec:
            name = e.tag.split("}")[-1]
            row[name] = e.text
        out.append(row)
    return out


def online_with_cases(s, session):
    """An Online ServicePresenceStatus carrying a new Case ServiceChannel: (online, channel)."""
    online = create(s, session, "ServicePresenceStatus", MasterLabel="Online",
                    DeveloperName="Online")
    channel = create(s, session, "ServiceChannel", MasterLabel="Cases", DeveloperName="Cases",
                     RelatedEntity="Case")
    create(s, session, "ServiceChannelStatus", ServiceChannelId=channel,
           ServicePresenceStatusId=online)
    return online, channel


def presence_client(server, session):
    client = zeep.Client(server.base + "/services/wsdl/presence")
    svc = client.service
    hdr = {"SessionHeader": {"sessionId": session}}
    return lambda op, *a, **kw: getattr(svc, op)(*a, _soapheaders=hdr, **kw)


def test_presence_follows_the_org_clock_and_wakes_across_processes(servers):
    s = servers("--clock-start", START)
    session, login = s.session()
    user_id = find(login, "userId").text
    available = create(s, session, "ServicePresenceStatus", MasterLabel="Available",
                       DeveloperName="Available")
    busy = create(s, session, "ServicePresenceStatus", MasterLabel="Busy", DeveloperName="Busy")
    config = create(s, session, "PresenceUserConfig", MasterLabel="Agents",
                    DeveloperName="Agents", Capacity="2")
    create(s, session, "PresenceUserConfigUser", UserId=user_id, PresenceUserConfigId=config)
    agent = presence_client(s, session)

    assert agent("login", available).success is True
    # Same frozen instant: the status change must not be mistaken for a logout and a login.
    assert agent("setServicePresenceStatus", busy).success is True
    r = requests.post(s.base + "/_emulator/clock", params={"advance": "90"},
                      headers={"Authorization": "Bearer " + session}, timeout=30)
    assert r.status_code == 200, r.text
    assert agent("setServicePresenceStatus", available).success is True
    rows = presences(s, session, user_id)
    assert [(p["ServicePresenceStatusId"], p["IsCurrentState"], p["StatusStartDate"],
             p["StatusEndDate"], p["StatusDuration"]) for p in rows] == [
        (available, "false", START, START, "0"),
        (busy, "false", START, "2021-06-01T08:01:30.000Z", "90"),
        (available, "true", "2021-06-01T08:01:30.000Z", None, None),
    ]

    events = agent("getEvents", afterSequence=0, waitSeconds=0)
    assert [(e.type, e.statusId) for e in events.events] == [
        ("omniChannelLoginSuccess", available),
        ("omniChannelStatusChanged", busy),
        ("omniChannelStatusChanged", available),
    ]

    # A second process over the same database: its parked getEvents wakes on the first's logout.
    s2 = servers(port=PORT2, database_url=s.db_url)
    other = presence_client(s2, session)
    out = {}

    def wait():
        t0 = time.monotonic()
        out["result"] = other("getEvents", afterSequence=events.sequence, waitSeconds=30)
        out["took"] = time.monotonic() - t0

    t = threading.Thread(target=wait)
    t.start()
    time.sleep(1.0)
    assert "result" not in out
    assert agent("logout").success is True
    t.join(10)
    assert not t.is_alive() and out["took"] < 10
    assert [e.type for e in out["result"].events] == ["omniChannelLogout"]
    assert out["result"].events[0].createdDate.isoformat().startswith("2021-06-01T08:01:30")


def query(server, session, soql):
    r, root = server.post(header(session), "<p:query><p:queryString>%s</p:queryString></p:query>"
                          % soql)
    assert_ok(r, root)
    out = []
    for rec in root.iter("{urn:partner.soap.sforce.com}records"):
        out.append({e.tag.split("}")[-1]: e.text for e in rec})
    return out


def advance(server, session, seconds):
    r = requests.post(server.base + "/_emulator/clock", params={"advance": str(seconds)},
                      headers={"Authorization": "Bearer " + session}, timeout=30)
    assert r.status_code == 200, r.text


def test_external_work_times_out_when_the_clock_passes_its_push_timeout(servers):
    """The guide's third external-routing scenario: the agent does not answer within the
    routing configuration's PushTimeout; moving the org clock past it times the push out."""
    s = servers("--clock-start", START)
    session, login = s.session()
    user_id = find(login, "userId").text
    online, channel = online_with_cases(s, session)
    away = create(s, session, "ServicePresenceStatus", MasterLabel="Away", DeveloperName="Away")
    config = create(s, session, "PresenceUserConfig", MasterLabel="Agents",
                    DeveloperName="Agents", Capacity="3", PresenceStatusOnPushTimeoutId=away)
    create(s, session, "PresenceUserConfigUser", UserId=user_id, PresenceUserConfigId=config)
    routing = create(s, session, "QueueRoutingConfig", MasterLabel="External",
                     DeveloperName="External", RoutingModel="ExternalRouting",
                     RoutingPriority="1", CapacityWeight="1", PushTimeout="30")
    queue_id = create(s, session, "Group", Name="External chats", Type="Queue",
                      QueueRoutingConfigId=routing)
    agent = presence_client(s, session)
    assert agent("login", online).success is True
    session_name = query(s, session, "SELECT Name FROM UserServicePresence WHERE "
                                     "IsCurrentState = true")[0]["Name"]
    case_id = create(s, session, "Case", Subject="Help", OwnerId=queue_id)
    psr = query(s, session, "SELECT Id FROM PendingServiceRouting WHERE WorkItemId = '%s'"
                % case_id)[0]["Id"]
    work_id = create(s, session, "AgentWork", UserId=user_id, WorkItemId=case_id,
                     ServiceChannelId=channel, PendingServiceRoutingId=psr)

    def work():
        return query(s, session, "SELECT Status, AssignedDateTime, PushTimeout, "
                                 "PushTimeoutDateTime, AgentCapacityWhenDeclined FROM AgentWork "
                                 "WHERE Id = '%s'" % work_id)[0]

    def request():
        return query(s, session, "SELECT IsPushed, LastDeclinedAgentSession FROM "
                                 "PendingServiceRouting WHERE Id = '%s'" % psr)[0]

    w = work()
    assert (w["Status"], w["AssignedDateTime"], w["PushTimeout"]) == ("Assigned", START, "30")
    assert request()["IsPushed"] == "true"
    advance(s, session, 29)
    assert work()["Status"] == "Assigned"  # not due yet
    advance(s, session, 2)
    w = work()
    assert w["Status"] == "DeclinedOnPushTimeout"
    assert w["PushTimeoutDateTime"] == "2021-06-01T08:00:31.000Z"
    assert float(w["AgentCapacityWhenDeclined"]) == 1.0
    # The request is updated for the router: pushed no more, the agent's Live Agent session.
    req = request()
    assert (req["IsPushed"], req["LastDeclinedAgentSession"]) == ("false", session_name)
    # The agent moved to the configuration's status on push time-out.
    assert agent("getServicePresenceStatusId").statusId[:15] == away[:15]
    types = [e.type for e in agent("getEvents", afterSequence=0, waitSeconds=0).events]
    assert types.index("omniChannelWorkAssigned") < types.index("omniChannelWorkDeclined")
    assert "omniChannelWorkloadChanged" in types
    # Timed out once: moving the clock again changes nothing.
    advance(s, session, 60)
    assert work()["PushTimeoutDateTime"] == "2021-06-01T08:00:31.000Z"
    # An answered push never times out.
    assert agent("setServicePresenceStatus", online).success is True
    again = create(s, session, "AgentWork", UserId=user_id, WorkItemId=case_id,
                   ServiceChannelId=channel, PendingServiceRoutingId=psr)
    assert agent("acceptAgentWork", again).success is True
    advance(s, session, 120)
    assert query(s, session, "SELECT Status FROM AgentWork WHERE Id = '%s'"
                 % again)[0]["Status"] == "Opened"


def test_two_processes_never_time_one_push_out_twice(servers):
    """Both processes move the clock at once, so both run their time-out sweeps over the same
    due AgentWork: each item is timed out exactly once (its request's Serial counts one update
    for the time-out, after its creation and its push)."""
    s = servers("--clock-start", START)
    session, login = s.session()
    user_id = find(login, "userId").text
    online, channel = online_with_cases(s, session)
    config = create(s, session, "PresenceUserConfig", MasterLabel="Agents",
                    DeveloperName="Agents", Capacity="1")
    create(s, session, "PresenceUserConfigUser", UserId=user_id, PresenceUserConfigId=config)
    routing = create(s, session, "QueueRoutingConfig", MasterLabel="External",
                     DeveloperName="External", RoutingModel="ExternalRouting",
                     RoutingPriority="1", CapacityWeight="1", PushTimeout="10")
    queue_id = create(s, session, "Group", Name="External chats", Type="Queue",
                      QueueRoutingConfigId=routing)
    assert presence_client(s, session)("login", online).success is True
    psrs = []
    for i in range(12):
        case_id = create(s, session, "Case", Subject="Help %d" % i, OwnerId=queue_id)
        psr = query(s, session, "SELECT Id FROM PendingServiceRouting WHERE WorkItemId = '%s'"
                    % case_id)[0]["Id"]
        create(s, session, "AgentWork", UserId=user_id, WorkItemId=case_id,
               ServiceChannelId=channel, PendingServiceRoutingId=psr,
               ShouldSkipCapacityCheck="true")  # capacity 1 would refuse all but the first
        psrs.append(psr)
    s2 = servers(port=PORT2, database_url=s.db_url)
    errors = []

    def move(server):
        try:
            advance(server, session, 11)
        except AssertionError as e:  # reported below, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=move, args=(srv,)) for srv in (s, s2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    works = query(s, session, "SELECT Status FROM AgentWork")
    assert len(works) == 12 and {w["Status"] for w in works} == {"DeclinedOnPushTimeout"}
    serials = query(s, session, "SELECT Serial, IsPushed FROM PendingServiceRouting")
    assert sorted((r["Serial"], r["IsPushed"]) for r in serials) == [("3", "false")] * 12


def new_agent(s, session, profile_id, status, queue_id, capacity="1"):
    """A User with a password, a user-level presence configuration, membership of the queue,
    logged in to Omni-Channel with `status`; answers (user Id, presence client)."""
    tag = uuid.uuid4().hex[:12]
    name = "agent%s@omni.local" % tag
    user_id = create(s, session, "User", Username=name, LastName="Agent", Email=name,
                     Alias="agent", ProfileId=profile_id, TimeZoneSidKey="America/Los_Angeles",
                     LocaleSidKey="en_US", LanguageLocaleKey="en_US", EmailEncodingKey="UTF-8")
    r, root = s.post(header(session), "<p:setPassword><p:userId>%s</p:userId><p:password>"
                                      "Agent1pass</p:password></p:setPassword>" % user_id)
    assert_ok(r, root)
    config = create(s, session, "PresenceUserConfig", MasterLabel="Cfg" + tag,
                    DeveloperName="Cfg" + tag, Capacity=capacity)
    create(s, session, "PresenceUserConfigUser", UserId=user_id, PresenceUserConfigId=config)
    create(s, session, "GroupMember", GroupId=queue_id, UserOrGroupId=user_id)
    r, root = s.login(name, "Agent1pass")
    assert r.status_code == 200, r.text[:300]
    agent = presence_client(s, find(root, "sessionId").text)
    assert agent("login", status).success is True
    return user_id, agent


def test_queue_work_that_times_out_is_routed_to_another_agent_in_the_clock_move(servers):
    """Least Active: the push to the first agent times out when the clock passes PushTimeout,
    and the engine pushes the request to the other online member in that same move; the first
    agent's Live Agent session is the request's LastDeclinedAgentSession."""
    s = servers("--clock-start", START)
    session, login = s.session()
    profile_id = find(login, "profileId").text
    online, channel = online_with_cases(s, session)
    routing = create(s, session, "QueueRoutingConfig", MasterLabel="LA", DeveloperName="LA",
                     RoutingModel="LeastActive", RoutingPriority="1", CapacityWeight="1",
                     PushTimeout="20")
    queue_id = create(s, session, "Group", Name="Cases", Type="Queue",
                      QueueRoutingConfigId=routing)
    first, _ = new_agent(s, session, profile_id, online, queue_id)
    advance(s, session, 5)  # the second is idle for less time: Least Active picks the first
    second, _ = new_agent(s, session, profile_id, online, queue_id)
    case_id = create(s, session, "Case", Subject="Help", OwnerId=queue_id)

    def works():
        return query(s, session, "SELECT Id, UserId, Status, AssignedDateTime, "
                                 "PushTimeoutDateTime FROM AgentWork WHERE WorkItemId = '%s' "
                                 "ORDER BY CreatedDate, Id" % case_id)

    w = works()
    assert len(w) == 1 and w[0]["UserId"][:15] == first[:15] and w[0]["Status"] == "Assigned"
    advance(s, session, 19)
    assert [x["Status"] for x in works()] == ["Assigned"]
    advance(s, session, 2)
    w = works()
    assert [(x["UserId"][:15], x["Status"]) for x in w] == [
        (first[:15], "DeclinedOnPushTimeout"), (second[:15], "Assigned")]
    assert w[0]["PushTimeoutDateTime"] == w[1]["AssignedDateTime"] == "2021-06-01T08:00:26.000Z"
    session_of_first = query(s, session, "SELECT Name FROM UserServicePresence WHERE UserId = "
                                         "'%s' AND IsCurrentState = true" % first)[0]["Name"]
    req = query(s, session, "SELECT IsPushed, LastDeclinedAgentSession FROM "
                            "PendingServiceRouting WHERE WorkItemId = '%s'" % case_id)[0]
    assert (req["IsPushed"], req["LastDeclinedAgentSession"]) == ("true", session_of_first)
