"""The agent presence service (wsdl/presence.wsdl) through zeep with the WSDL the server serves:
the guide's console methods as the agent (the admin user's SOAP session), their records as a
partner query sees them, and the agent's events long-polled with getEvents."""
import threading
import time

import pytest
import requests
import zeep

from conftest import OMNI_URL, body_result, unique_text

PRESENCE_NS = "urn:presence.omni-emulator"


def rows(api, soql):
    res = body_result(api.service.query(soql, _soapheaders=api.headers()))
    out = []
    for rec in res.records or []:
        row = {}
        for e in rec._value_1 or []:
            row[e.tag.split("}")[-1]] = e.text
        row["Id"] = rec.Id[0] if isinstance(rec.Id, list) else rec.Id
        out.append(row)
    return out


class Presence:
    def __init__(self, session_id):
        self.client = zeep.Client(OMNI_URL + "/services/wsdl/presence")
        self.service = self.client.service
        self.session_id = session_id

    def __getattr__(self, op):
        call = getattr(self.service, op)
        return lambda *a, **kw: body_result(
            call(*a, _soapheaders={"SessionHeader": {"sessionId": self.session_id}}, **kw))


@pytest.fixture(scope="module")
def org(api, factory):
    """Two statuses (Online carries the Case channel, Busy none) and the agent's configurations:
    a profile-level one (capacity 5) and, added by a test, a user-level one (capacity 3)."""
    # The refusal and the profile-level case need an agent without configurations (other suites
    # point theirs at the admin user and its profile).
    for obj, field, value in (("PresenceUserConfigUser", "UserId", api.user_id),
                              ("PresenceUserConfigProfile", "ProfileId", api.profile_id),
                              ("UserServicePresence", "UserId", api.user_id)):
        ids = [r["Id"] for r in rows(api, "SELECT Id FROM %s WHERE %s = '%s'" % (obj, field, value))]
        if ids:
            api.delete(ids)
    channel_id = factory.shared("ServiceChannel")  # rationed: RelatedEntity is unique
    channel_name = rows(api, "SELECT DeveloperName FROM ServiceChannel WHERE Id = '%s'"
                        % channel_id)[0]["DeveloperName"]
    online_name, busy_name = unique_text(prefix="Online"), unique_text(prefix="Busy")
    online = api.create_ok({"type": "ServicePresenceStatus", "MasterLabel": online_name,
                            "DeveloperName": online_name})
    busy = api.create_ok({"type": "ServicePresenceStatus", "MasterLabel": busy_name,
                          "DeveloperName": busy_name})
    api.create_ok({"type": "ServiceChannelStatus", "ServiceChannelId": channel_id,
                   "ServicePresenceStatusId": online})
    profile_config = api.create_ok({"type": "PresenceUserConfig", "MasterLabel": "Profile cfg",
                                    "DeveloperName": unique_text(prefix="ProfileCfg"),
                                    "Capacity": "5"})
    return dict(channel_id=channel_id, channel_name=channel_name, online=online,
                online_name=online_name, busy=busy, busy_name=busy_name,
                profile_config=profile_config)


@pytest.fixture(scope="module")
def agent(api):
    return Presence(api.session_id)


def test_presence_wsdl_is_served_with_this_servers_address():
    r = requests.get(OMNI_URL + "/services/wsdl/presence", timeout=10)
    assert r.status_code == 200
    assert 'location="%s/services/Soap/presence/44.0"' % OMNI_URL in r.text


def test_without_configuration_login_is_refused(api, org, agent):
    r = agent.login(org["online"])
    assert r.success is False and "presence configuration" in r.message
    assert rows(api, "SELECT Id FROM UserServicePresence WHERE UserId = '%s'" % api.user_id) == []


def test_presence_flow(api, org, agent):
    api.create_ok({"type": "PresenceUserConfigProfile", "ProfileId": api.profile_id,
                   "PresenceUserConfigId": org["profile_config"]})
    # Logged out: the console's refusals.
    assert agent.logout().success is False
    assert agent.getServicePresenceStatusId().success is False
    bad = agent.login(org["channel_id"])  # not a presence status
    assert bad.success is False and "No presence status" in bad.message

    start = agent.getEvents(waitSeconds=0).sequence
    assert agent.login(org["online"]).success is True
    recs = rows(api, "SELECT Id, Name, UserId, OwnerId, ServicePresenceStatusId, IsCurrentState, "
                     "StatusStartDate, StatusEndDate, ConfiguredCapacity, IsAway "
                     "FROM UserServicePresence WHERE UserId = '%s'" % api.user_id)
    assert len(recs) == 1
    p = recs[0]
    assert p["ServicePresenceStatusId"] == org["online"] and p["OwnerId"] == api.user_id
    assert p["IsCurrentState"] == "true" and p["IsAway"] == "false"
    assert p["ConfiguredCapacity"] == "5" and p["StatusStartDate"] and not p["StatusEndDate"]
    session = p["Name"]
    assert session.startswith("LA") and session != api.session_id

    st = agent.getServicePresenceStatusId()
    assert (st.success, st.statusId, st.statusName, st.statusApiName) == (
        True, org["online"], org["online_name"], org["online_name"])
    ch = agent.getServicePresenceStatusChannels()
    assert ch.success and [(c.channelId, c.developerName) for c in ch.channels] == [
        (org["channel_id"], org["channel_name"])]

    # Workload: profile level, then the user level overrides it.
    w = agent.getAgentWorkload()
    assert (w.success, w.configuredCapacity) == (True, 5.0)
    user_config = api.create_ok({"type": "PresenceUserConfig", "MasterLabel": "User cfg",
                                 "DeveloperName": unique_text(prefix="UserCfg"), "Capacity": "3"})
    api.create_ok({"type": "PresenceUserConfigUser", "UserId": api.user_id,
                   "PresenceUserConfigId": user_config})
    w = agent.getAgentWorkload()
    assert w.configuredCapacity == 3.0
    # Other suites give the admin user AgentWork of its own (some weighed by CapacityPercentage
    # of the capacity): the workload is counted from there.
    base = w.currentWorkload
    others = {x.workId for x in agent.getAgentWorks().works}

    # External AgentWork for the agent: open work and workload, and omniChannelWorkAssigned.
    case = api.create_ok({"type": "Case", "Subject": "presence"})
    work = api.create_ok({"type": "AgentWork", "UserId": api.user_id, "WorkItemId": case,
                          "ServiceChannelId": org["channel_id"], "CapacityWeight": "2"})
    works = agent.getAgentWorks()
    assert works.success and [(x.workId, x.workItemId, x.isEngaged) for x in works.works
                              if x.workId not in others] == [(work, case, False)]
    assert agent.getAgentWorkload().currentWorkload == base + 2.0

    # Status change: the old period ends, a new one of the same Live Agent session starts.
    s = agent.setServicePresenceStatus(org["busy"])
    assert (s.success, s.statusId, s.statusApiName, list(s.channels)) == (
        True, org["busy"], org["busy_name"], [])
    recs = rows(api, "SELECT Id, Name, ServicePresenceStatusId, IsCurrentState, StatusEndDate, "
                     "IsAway FROM UserServicePresence WHERE UserId = '%s' ORDER BY CreatedDate, "
                     "IsCurrentState" % api.user_id)
    assert [(r["ServicePresenceStatusId"], r["IsCurrentState"], r["Name"]) for r in recs] == [
        (org["online"], "false", session), (org["busy"], "true", session)]
    assert recs[0]["StatusEndDate"] and recs[1]["IsAway"] == "true"
    assert agent.getServicePresenceStatusChannels().channels == []
    # A status without the work's channel: the Assigned work becomes Unavailable in that call.
    assert rows(api, "SELECT Status FROM AgentWork WHERE Id = '%s'" % work)[0]["Status"] == \
        "Unavailable"
    # (Other suites' Assigned work of the admin goes the same way; their Opened work stays.)
    after_busy = agent.getAgentWorkload().currentWorkload
    assert after_busy <= base

    assert agent.logout().success is True
    assert agent.logout().success is False
    assert agent.getAgentWorks().success is False
    assert rows(api, "SELECT Id FROM UserServicePresence WHERE UserId = '%s' AND "
                     "IsCurrentState = true" % api.user_id) == []

    ev = agent.getEvents(afterSequence=start, waitSeconds=0)
    assert ev.success
    got = [(e.type, e.statusId, e.workId) for e in ev.events]
    assert got[:4] == [
        ("omniChannelLoginSuccess", org["online"], None),
        ("omniChannelWorkAssigned", None, work),
        ("omniChannelWorkloadChanged", None, None),
        ("omniChannelStatusChanged", org["busy"], None),
    ]
    # Busy has no channel: each Assigned AgentWork of the agent (this one, and other suites'
    # work of the admin user) becoming Unavailable changes the workload, then the logout.
    unavailable = got[4:-1]
    assert unavailable and all(t == ("omniChannelWorkloadChanged", None, None)
                               for t in unavailable)
    assert got[-1] == ("omniChannelLogout", None, None)
    load = ev.events[2]
    assert (load.configuredCapacity, load.previousWorkload, load.newWorkload) == (
        3.0, base, base + 2.0)
    assert ev.events[3].statusApiName == org["busy_name"]
    assert ev.events[4].previousWorkload == base + 2.0
    assert ev.events[-2].newWorkload == after_busy
    assert [e.sequence for e in ev.events] == sorted(e.sequence for e in ev.events)
    assert ev.sequence >= ev.events[-1].sequence
    # Nothing after the last one.
    assert list(agent.getEvents(afterSequence=ev.sequence, waitSeconds=0).events) == []


def test_parked_get_events_wakes_on_a_status_change_from_another_connection(api, org, agent):
    assert agent.setServicePresenceStatus(org["online"]).success  # logs in when logged out
    seq = agent.getEvents(waitSeconds=0).sequence
    out = {}

    def wait():
        t0 = time.monotonic()
        out["result"] = Presence(api.session_id).getEvents(afterSequence=seq, waitSeconds=30)
        out["took"] = time.monotonic() - t0

    t = threading.Thread(target=wait)
    t.start()
    time.sleep(1.0)
    assert "result" not in out  # parked: nothing has happened yet
    assert Presence(api.session_id).setServicePresenceStatus(org["busy"]).success
    t.join(10)
    assert not t.is_alive() and out["took"] < 10
    types = [e.type for e in out["result"].events]
    assert types == ["omniChannelStatusChanged"]
    assert out["result"].events[0].statusId == org["busy"]
    assert agent.logout().success


def test_concurrent_status_changes_of_one_agent_leave_one_current_presence(api, org, agent):
    """Eight connections switch the agent's status at once: they take turns on the agent, so
    every status period ends before the next starts and exactly one stays current."""
    errors = []

    def flip(i):
        try:
            p = Presence(api.session_id)
            for k in range(4):
                status = org["online"] if (i + k) % 2 else org["busy"]
                assert p.setServicePresenceStatus(status).success
        except Exception as e:  # reported below: a thread's assertion does not fail the test
            errors.append(e)

    threads = [threading.Thread(target=flip, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    recs = rows(api, "SELECT Id, Name, IsCurrentState, StatusStartDate, StatusEndDate FROM "
                     "UserServicePresence WHERE UserId = '%s' AND Name != null" % api.user_id)
    current = [r for r in recs if r["IsCurrentState"] == "true"]
    assert len(current) == 1
    session = current[0]["Name"]
    mine = [r for r in recs if r["Name"] == session]
    assert all(r["StatusEndDate"] for r in mine if r["IsCurrentState"] == "false")
    assert agent.logout().success


def test_work_answers_refuse_work_that_is_not_the_agents(api, org, agent):
    # accept, decline and close are the presence service's now (test_external_routing.py): an
    # Id that names no AgentWork of the agent is a console refusal, not a fault.
    for call in (lambda: agent.acceptAgentWork("0Bz000000000001AAA"),
                 lambda: agent.declineAgentWork("0Bz000000000001AAA", "busy"),
                 lambda: agent.closeAgentWork("0Bz000000000001AAA")):
        r = call()
        assert r.success is False and r.message
    # transferAgentWork too: refusals, never INVALID_OPERATION (test_external_routing.py).
    r = agent.transferAgentWork("0Bz000000000001AAA", api.user_id)
    assert r.success is False and r.message


def test_an_invalid_session_is_refused(org):
    with pytest.raises(zeep.exceptions.Fault) as info:
        Presence("00Dbogus!session").getServicePresenceStatusId()
    assert "INVALID_SESSION_ID" in info.value.message
