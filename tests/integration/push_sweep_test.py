"""Push time-outs in real time (the sweep, --push-timeout-sweep-ms), against real servers started
here over one fresh database, with the org clock running in real time (no --clock-start) and
nobody moving it:

* External routing's AgentWork with PushTimeout 2 s becomes DeclinedOnPushTimeout a moment after
  it falls due (not before): PushTimeoutDateTime, its PendingServiceRouting pushed no more with
  LastDeclinedAgentSession, the agent moved to PresenceStatusOnPushTimeoutId; work not yet due
  stays Assigned.
* Two server processes sweeping one database time each item out exactly once: one
  DeclinedOnPushTimeout update per AgentWork in the change log (GET /_emulator/changes).
* --push-timeout-sweep-ms 0 turns the sweep off: a due push then waits for a clock move.

Ports: OMNI_PUSH_SWEEP_PORT and OMNI_PUSH_SWEEP_PORT2 (CTest derives them from OMNI_TEST_PORT).
"""
import datetime
import os
import time

import pytest
import requests

from presence_clock_test import advance, create, online_with_cases, presence_client, query
from sessions_test import server_factory, find

PORT = int(os.environ.get("OMNI_PUSH_SWEEP_PORT", "18132"))
PORT2 = int(os.environ.get("OMNI_PUSH_SWEEP_PORT2", "18133"))


@pytest.fixture
def servers():
    yield from server_factory(PORT, "omni-push-sweep-")


def when(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def external_routing(s, session, user_id, push_timeout, capacity="3", on_timeout=None):
    """The guide's external routing set-up (as presence_clock_test's): a Case channel, an Online
    status carrying it, the agent's configuration, a queue routed externally with this
    PushTimeout; the agent logged in. Returns (queue, channel, agent, online)."""
    online, channel = online_with_cases(s, session)
    extra = {"PresenceStatusOnPushTimeoutId": on_timeout} if on_timeout else {}
    config = create(s, session, "PresenceUserConfig", MasterLabel="Agents",
                    DeveloperName="Agents", Capacity=capacity, **extra)
    create(s, session, "PresenceUserConfigUser", UserId=user_id, PresenceUserConfigId=config)
    routing = create(s, session, "QueueRoutingConfig", MasterLabel="External",
                     DeveloperName="External", RoutingModel="ExternalRouting",
                     RoutingPriority="1", CapacityWeight="1", PushTimeout=str(push_timeout))
    queue_id = create(s, session, "Group", Name="External chats", Type="Queue",
                      QueueRoutingConfigId=routing)
    agent = presence_client(s, session)
    assert agent("login", online).success is True
    return queue_id, channel, agent, online


def push(s, session, user_id, queue_id, channel, subject="Help"):
    """A Case in the queue and the router's AgentWork for it: (work Id, request Id)."""
    case_id = create(s, session, "Case", Subject=subject, OwnerId=queue_id)
    psr = query(s, session, "SELECT Id FROM PendingServiceRouting WHERE WorkItemId = '%s'"
                % case_id)[0]["Id"]
    work_id = create(s, session, "AgentWork", UserId=user_id, WorkItemId=case_id,
                     ServiceChannelId=channel, PendingServiceRoutingId=psr,
                     ShouldSkipCapacityCheck="true")
    return work_id, psr


def work(s, session, work_id):
    return query(s, session, "SELECT Status, AssignedDateTime, PushTimeoutDateTime FROM AgentWork "
                             "WHERE Id = '%s'" % work_id)[0]


def wait_for_status(s, session, work_id, status, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        w = work(s, session, work_id)
        if w["Status"] == status:
            return w
        time.sleep(0.1)
    return work(s, session, work_id)


def test_a_push_times_out_in_real_time_without_a_clock_move(servers):
    s = servers()  # the org clock runs in real time; the sweep runs every 500 ms (default)
    session, login = s.session()
    user_id = find(login, "userId").text
    away = create(s, session, "ServicePresenceStatus", MasterLabel="Away", DeveloperName="Away")
    queue_id, channel, agent, online = external_routing(s, session, user_id, 2, on_timeout=away)
    session_name = query(s, session, "SELECT Name FROM UserServicePresence WHERE "
                                     "IsCurrentState = true")[0]["Name"]
    work_id, psr = push(s, session, user_id, queue_id, channel)
    pushed_at = time.monotonic()
    assert work(s, session, work_id)["Status"] == "Assigned"
    assert query(s, session, "SELECT IsPushed FROM PendingServiceRouting WHERE Id = '%s'"
                 % psr)[0]["IsPushed"] == "true"

    w = wait_for_status(s, session, work_id, "DeclinedOnPushTimeout", 8)
    took = time.monotonic() - pushed_at
    assert w["Status"] == "DeclinedOnPushTimeout", w
    # Not before its time-out, and within about a second of it (the sweep's tick, a busy host).
    late = (when(w["PushTimeoutDateTime"]) - when(w["AssignedDateTime"])).total_seconds()
    assert 2.0 <= late < 3.5, w
    assert took < 5, took
    req = query(s, session, "SELECT IsPushed, LastDeclinedAgentSession FROM "
                            "PendingServiceRouting WHERE Id = '%s'" % psr)[0]
    assert (req["IsPushed"], req["LastDeclinedAgentSession"]) == ("false", session_name)
    assert agent("getServicePresenceStatusId").statusId[:15] == away[:15]

    # Work that is not due stays Assigned meanwhile: a push of 60 s, watched for 2.5 s.
    assert agent("setServicePresenceStatus", online).success is True
    slow_routing = create(s, session, "QueueRoutingConfig", MasterLabel="Slow",
                          DeveloperName="Slow", RoutingModel="ExternalRouting",
                          RoutingPriority="1", CapacityWeight="1", PushTimeout="60")
    slow_queue = create(s, session, "Group", Name="Slow chats", Type="Queue",
                        QueueRoutingConfigId=slow_routing)
    slow, _ = push(s, session, user_id, slow_queue, channel, "Later")
    time.sleep(2.5)
    assert work(s, session, slow)["Status"] == "Assigned"


def changes(s, session):
    r = requests.get(s.base + "/_emulator/changes", params={"after": "0", "timeout": "0",
                                                           "limit": "5000"},
                     headers={"Authorization": "Bearer " + session}, timeout=30)
    assert r.status_code == 200, r.text[:500]
    return r.json()["changes"]


def test_two_processes_time_each_push_out_exactly_once(servers):
    # Both sweep often, so that both find the same items due at nearly the same moment.
    s = servers("--push-timeout-sweep-ms", "50")
    s2 = servers("--push-timeout-sweep-ms", "50", port=PORT2, database_url=s.db_url)
    session, login = s.session()
    user_id = find(login, "userId").text
    queue_id, channel, _, _ = external_routing(s, session, user_id, 2)
    works = [push(s, session, user_id, queue_id, channel, "Help %d" % i)[0] for i in range(8)]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        rows = query(s2, session, "SELECT Status FROM AgentWork")
        if {r["Status"] for r in rows} == {"DeclinedOnPushTimeout"}:
            break
        time.sleep(0.2)
    assert sorted(r["Status"] for r in rows) == ["DeclinedOnPushTimeout"] * 8
    time.sleep(1)  # a second sweep of either process would come by now
    timeouts = {}
    for c in changes(s, session):
        if (c["object"] == "AgentWork" and c["kind"] == "updated"
                and c["after"]["Status"] == "DeclinedOnPushTimeout"
                and c["before"]["Status"] != "DeclinedOnPushTimeout"):
            timeouts[c["id"]] = timeouts.get(c["id"], 0) + 1
    assert sorted(k[:15] for k in timeouts) == sorted(w[:15] for w in works)
    assert set(timeouts.values()) == {1}, timeouts
    # And nothing else changed an AgentWork after its time-out.
    later = [c for c in changes(s, session) if c["object"] == "AgentWork" and c["kind"] ==
             "updated" and c["before"]["Status"] == "DeclinedOnPushTimeout"]
    assert later == []


def test_without_a_sweep_a_due_push_waits_for_a_clock_move(servers):
    s = servers("--push-timeout-sweep-ms", "0")  # real time, no sweep
    session, login = s.session()
    user_id = find(login, "userId").text
    queue_id, channel, _, _ = external_routing(s, session, user_id, 1)
    due, _ = push(s, session, user_id, queue_id, channel)
    time.sleep(2.5)
    assert work(s, session, due)["Status"] == "Assigned"
    # A clock move (even by nothing) runs the due runners, as before the sweep existed.
    advance(s, session, 0)
    assert work(s, session, due)["Status"] == "DeclinedOnPushTimeout"
