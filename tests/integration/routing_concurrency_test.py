"""Omni-Channel routing under concurrency (issue 8, "Done when"): many clients at once against two
server processes over one database, and no agent is ever over capacity and no work item is ever
assigned twice.

Set-up (through Salesforce's own partner WSDL, as every zeep suite): the Case service channel, an
Online presence status carrying it and a Busy one without, queues whose QueueRoutingConfigs are
LeastActive, MostAvailable (by weight and by CapacityPercentage) and ExternalRouting (by weight and
by percentage), and AGENTS agents (Users with setPassword, a PresenceUserConfig of capacity 2-5
through PresenceUserConfigUser, GroupMember of some of the queues), each logged in with its own
SOAP session, half of them through each process; the agents answer through the presence WSDL the
server serves.

Load, all at once from about thirty threads: Cases created into the queues (single and multi-record
creates, through both processes), which the routing engine pushes; every agent logging in and out,
switching status, accepting, declining, closing and transferring its work (to a queue or another
agent), until the routers are done and a few steps more (half then log out); two external routers
(one per process) creating AgentWork for ExternalRouting PendingServiceRoutings, some for agents
who are full, Busy or logged out, some with ShouldSkipCapacityCheck; a racer pushing one request to
two agents through both processes at the same instant; another racer pushing a request again while
its agent accepts it; and the org clock moved past the push time-out now and then. Every answer
must be a proper one: no fault but a rare UNABLE_TO_LOCK_ROW (counted and bounded), no transport
error, no hang; refusals only where they may come (a router's push without capacity or for a
request gone; an agent's answer to work that timed out, became Unavailable or Transferred; a
transfer to an agent who is offline or full).

Checks: the org's committed change log (GET /_emulator/changes), identical through both processes,
is replayed in commit order (check_history): at no position is an agent over capacity (work created
with ShouldSkipCapacityCheck may take an agent over, but no other work may then be given to them),
has a work item two open AgentWork (but for a transfer to an agent: the target's Assigned work
beside the first agent's Opened one, one at a time), has a request two Assigned AgentWork, has an
agent two current presences, or is work of the engine pushed to an agent who is not a member of its
queue or not online on its channel; every update's before-image is the state the replay holds (no
lost or reordered write). At the end no logged-out agent holds Assigned work, the engine pushed
LeastActive and MostAvailable work, and SOQL through either process agrees with the replay.
test_the_checker_* prove the checker fails on bad histories. On a violation the change log is left
in the build folder (routing-concurrency-changes.json).

Ports: OMNI_ROUTING_CONCURRENCY_PORT and the next one (CTest derives them from OMNI_TEST_PORT).
"""
import collections
import copy
import json
import os
import random
import sys
import threading
import time

import pytest
import requests
import zeep
from zeep.transports import Transport

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "support"), os.path.join(HERE, "..", "python")]

from conftest import (ADMIN_PASSWORD, ADMIN_USER, API, SF_PARTNER_WSDL,  # noqa: E402
                      PartnerApi, _read_partner_sobject, body_result, describe_errors,
                      partner_login_service, unique_text)
from sessions_test import BUILD, server_factory  # noqa: E402
from test_presence import PRESENCE_NS, Presence  # noqa: E402
from test_routing_intake import new_user, queue, routing_config  # noqa: E402

PORT = int(os.environ.get("OMNI_ROUTING_CONCURRENCY_PORT", "18058"))
PORT2 = PORT + 1
AGENTS = 24
AGENT_STEPS = 40
CREATORS = 4           # threads creating Cases, half through each process
CREATOR_CALLS = 45     # create calls per creator thread, 1-5 Cases each
RACES = 40             # one request pushed to two agents through both processes at once
ACCEPT_RACES = 25      # an agent accepts while the request is pushed again through the other
PASSWORD = "Agent1pass"
CALL_TIMEOUT = 60      # seconds: a call slower than this is a hang
LOCK_ROW_BOUND = 0.02  # UNABLE_TO_LOCK_ROW may answer at most this share of the calls
OPEN = ("Assigned", "Opened")
# An external router's AgentWork may be refused: the agent lacks capacity, or the request left
# routing (accepted and deleted) since the router read it.
EXTERNAL_REFUSALS = ("FIELD_INTEGRITY_EXCEPTION", "INVALID_CROSS_REFERENCE_KEY")
QUEUE_MODELS = ("LeastActive", "MostAvailable")  # the org's own routing models
WEIGHT_FIELDS = ("CapacityWeight", "CapacityPercentage", "ShouldSkipCapacityCheck")
EPS = 1e-9


# ------------------------------------------------------------------------------------------
# The replay of the change log: pure functions over the log's JSON, so that they can be tested
# on histories made up here (test_the_checker_flags_*).
# ------------------------------------------------------------------------------------------

def key(record_id):
    return (record_id or "")[:15]


def num(text):
    return float(text) if text not in (None, "") else 0.0


def weight(work, capacity):
    """The capacity an AgentWork takes: CapacityWeight, else CapacityPercentage of capacity."""
    if work.get("CapacityWeight") not in (None, ""):
        return num(work["CapacityWeight"])
    if work.get("CapacityPercentage") not in (None, ""):
        return num(work["CapacityPercentage"]) * capacity / 100.0
    return 0.0


def is_open(work):
    return work is not None and work.get("Status") in OPEN


def skips(work):
    return (work.get("ShouldSkipCapacityCheck") or "").lower() == "true"


class History:
    """The state the replay holds after each change, and what it found wrong."""

    def __init__(self, capacities):
        self.capacities = {key(u): c for u, c in capacities.items()}
        self.records = collections.defaultdict(dict)  # object -> id15 -> image (None: deleted)
        self.ever = {}           # (object, id15) -> the last image it had (deleted or not)
        self.violations = []
        self.pushes = collections.Counter()  # routing model -> AgentWork created Assigned
        self.max_load = {}       # user -> the most open work they held (share of capacity)
        self.offline_pushes = 0  # AgentWork given to an agent then logged out

    def _all(self, obj):
        return [r for r in self.records[obj].values() if r is not None]

    def current_presences(self, user):
        return [p for p in self._all("UserServicePresence")
                if key(p.get("UserId")) == user and p.get("IsCurrentState") == "true"]

    def capacity(self, user):
        for p in self.current_presences(user):
            if p.get("ConfiguredCapacity") not in (None, ""):
                return num(p["ConfiguredCapacity"])
        return self.capacities.get(user, 0.0)

    def open_work(self, user):
        return [w for w in self._all("AgentWork") if key(w.get("UserId")) == user and is_open(w)]

    @staticmethod
    def agent_transfer(work, same_item):
        """The guide's "Agent transfers the work to another agent": the target's AgentWork is
        Assigned with no PendingServiceRoutingId while the first agent's stays Opened, one
        transfer at a time (CATALOG-DECISIONS N9)."""
        others = [w for w in same_item if w is not work]
        return (work.get("Status") == "Assigned" and not work.get("PendingServiceRoutingId")
                and len(others) == 1 and others[0].get("Status") == "Opened")

    def flag(self, change, text):
        self.violations.append("position %s (%s %s %s): %s" % (
            change.get("position"), change.get("kind"), change.get("object"), change.get("id"),
            text))

    def apply(self, change):
        obj, rid, kind = change["object"], key(change["id"]), change["kind"]
        held = self.records[obj].get(rid)
        before, after = change.get("before"), change.get("after")
        if kind == "created":
            if held is not None:
                self.flag(change, "created twice")
        elif kind in ("updated", "deleted"):
            if held is None:
                self.flag(change, "%s, but the replay holds no such record" % kind)
            elif before is not None and obj in ("AgentWork", "PendingServiceRouting",
                                                "UserServicePresence"):
                diff = sorted(f for f in set(before) | set(held) if before.get(f) != held.get(f))
                if diff:
                    self.flag(change, "before-image differs from the replay in %s" % diff)
        if kind == "deleted":
            image = None
        else:
            image = dict(after or {})
        self.records[obj][rid] = image
        if image is not None:
            self.ever[(obj, rid)] = image
        if obj == "AgentWork":
            self._check_work(change, held, image)
        elif obj == "UserServicePresence":
            user = key((image or held or {}).get("UserId"))
            if len(self.current_presences(user)) > 1:
                self.flag(change, "agent %s has two current presences" % user)

    def _check_work(self, change, held, work):
        """Checks what this AgentWork change can break, once, at the change that breaks it: only
        work becoming open (created Assigned, or reopened) or open work taking another weight
        (the org fills in the request's capacity after the insert) adds load or assignments."""
        if not is_open(work):
            return
        newly = not is_open(held)
        if not newly and all(work.get(f) == held.get(f) for f in WEIGHT_FIELDS):
            return
        user = key(work.get("UserId"))
        if newly and work.get("Status") == "Assigned":
            psr = self.ever.get(("PendingServiceRouting", key(work.get("PendingServiceRoutingId"))))
            model = (psr or {}).get("RoutingModel")
            self.pushes[model or ("agent transfer" if not work.get("PendingServiceRoutingId")
                                  else None)] += 1
            if not self.current_presences(user):
                self.offline_pushes += 1
            if model in QUEUE_MODELS:
                self._check_engine_push(change, user, work, psr)
        capacity = self.capacity(user)
        mine = self.open_work(user)
        regular = sum(weight(w, capacity) for w in mine if not skips(w))
        total = sum(weight(w, capacity) for w in mine)
        if capacity:
            self.max_load[user] = max(self.max_load.get(user, 0.0), total / capacity)
        if regular > capacity + EPS:
            self.flag(change, "agent %s over capacity: %.2f of %.2f" % (user, regular, capacity))
        elif not skips(work) and total > capacity + EPS:
            self.flag(change, "agent %s given work beyond capacity: %.2f of %.2f (work skipping "
                              "the check included)" % (user, total, capacity))
        if not newly:
            return
        item = key(work.get("WorkItemId"))
        same_item = [w for w in self._all("AgentWork")
                     if key(w.get("WorkItemId")) == item and is_open(w)]
        if len(same_item) > 1 and not self.agent_transfer(work, same_item):
            self.flag(change, "work item %s has %d open AgentWork" % (item, len(same_item)))
        psr = key(work.get("PendingServiceRoutingId"))
        if psr and work.get("Status") == "Assigned":
            pushed = [w for w in self._all("AgentWork")
                      if key(w.get("PendingServiceRoutingId")) == psr
                      and w.get("Status") == "Assigned"]
            if len(pushed) > 1:
                self.flag(change, "request %s pushed twice: %d Assigned AgentWork"
                          % (psr, len(pushed)))

    def _check_engine_push(self, change, user, work, psr):
        """The org's own push goes to a member of the request's queue who is logged in with a
        status carrying the work's channel."""
        queue_id = key(psr.get("QueueId"))
        if not any(key(m.get("GroupId")) == queue_id and key(m.get("UserOrGroupId")) == user
                   for m in self._all("GroupMember")):
            self.flag(change, "pushed to %s, who is no member of queue %s" % (user, queue_id))
        statuses = {key(p.get("ServicePresenceStatusId")) for p in self.current_presences(user)}
        channel = key(work.get("ServiceChannelId"))
        if not any(key(c.get("ServicePresenceStatusId")) in statuses
                   and key(c.get("ServiceChannelId")) == channel
                   for c in self._all("ServiceChannelStatus")):
            self.flag(change, "pushed to %s, who is not online on channel %s" % (user, channel))

    def check_end(self, agents):
        """No agent is logged out while holding Assigned work; every AgentWork was routed in
        full (the org sets AssignedDateTime and the capacity it takes on every push, in the
        transaction that makes it)."""
        for user in agents:
            user = key(user)
            assigned = [w for w in self.open_work(user) if w.get("Status") == "Assigned"]
            if assigned and not self.current_presences(user):
                self.violations.append("agent %s is logged out with Assigned work %s" % (
                    user, [w.get("Id") for w in assigned]))
        for w in self._all("AgentWork"):
            if not w.get("AssignedDateTime") or all(w.get(f) in (None, "")
                                                    for f in WEIGHT_FIELDS[:2]):
                self.violations.append("AgentWork %s (%s) was not routed in full: no "
                                       "AssignedDateTime or capacity" % (w.get("Id"),
                                                                         w.get("Status")))


def check_history(changes, capacities, agents=()):
    """Replays changes (the change log's entries, in commit order); returns the History."""
    h = History(capacities)
    last = None
    for c in changes:
        if last is not None and c["position"] != last + 1:
            h.violations.append("position %s follows %s" % (c["position"], last))
        last = c["position"]
        h.apply(c)
    h.check_end(agents)
    return h


# ------------------------------------------------------------------------------------------
# The checker, on made-up histories: it must fail on each kind of bad one.
# ------------------------------------------------------------------------------------------

U, V = "005000000000001", "005000000000002"


class Log:
    def __init__(self):
        self.changes, self.state = [], {}

    def put(self, obj, rid, kind="created", **fields):
        before = self.state.get(rid)
        after = None if kind == "deleted" else dict(before or {}, Id=rid, **fields)
        self.changes.append({"position": len(self.changes) + 1, "kind": kind, "object": obj,
                             "id": rid, "before": before, "after": after})
        self.state[rid] = after
        return self

    def work(self, rid, user=U, item="500A", psr="", status="Assigned", **fields):
        fields.setdefault("AssignedDateTime", "2026-01-01T00:00:00.000Z")
        return self.put("AgentWork", rid, UserId=user, WorkItemId=item, Status=status,
                        PendingServiceRoutingId=psr, ServiceChannelId="0N9c", **fields)

    def login(self, rid, user=U, status="0N5online"):
        return self.put("UserServicePresence", rid, UserId=user, IsCurrentState="true",
                        ServicePresenceStatusId=status)

    def org(self):
        """The Online status carries the channel 0N9c; U is a member of the queue 00Gq."""
        self.put("ServiceChannelStatus", "0N1a", ServicePresenceStatusId="0N5online",
                 ServiceChannelId="0N9c")
        return self.put("GroupMember", "011a", GroupId="00Gq", UserOrGroupId=U)


def test_the_checker_passes_a_sound_history():
    log = Log().org().login("0Hn1").login("0Hn2", V)
    log.put("PendingServiceRouting", "0JR1", RoutingModel="LeastActive", IsTransfer="false",
            QueueId="00Gq")
    log.work("0Bz1", item="500A", psr="0JR1", CapacityWeight="2")
    log.work("0Bz2", item="500B", CapacityPercentage="50")   # 2 of 4 more: full, not over
    log.put("AgentWork", "0Bz1", "updated", Status="Opened")
    log.put("PendingServiceRouting", "0JR1", "deleted")
    log.put("AgentWork", "0Bz1", "updated", Status="Closed")
    log.work("0Bz3", item="500C", CapacityWeight="2")         # the closed work's room
    log.work("0Bz4", user=V, item="500D", CapacityWeight="9", ShouldSkipCapacityCheck="true")
    h = check_history(log.changes, {U: 4, V: 3}, agents=[U, V])
    assert h.violations == []
    assert h.pushes["LeastActive"] == 1


def test_the_checker_flags_an_agent_over_capacity():
    log = Log().login("0Hn1")
    log.work("0Bz1", item="500A", CapacityWeight="1.5").work("0Bz2", item="500B",
                                                              CapacityWeight="1")
    h = check_history(log.changes, {U: 2})
    assert len(h.violations) == 1 and "over capacity: 2.50 of 2.00" in h.violations[0]
    # By percentage of the capacity too, and by the presence's ConfiguredCapacity.
    log = Log().put("UserServicePresence", "0Hn1", UserId=U, IsCurrentState="true",
                    ConfiguredCapacity="2")
    log.work("0Bz1", item="500A", CapacityPercentage="60").work("0Bz2", item="500B",
                                                                 CapacityPercentage="60")
    assert ["over capacity" in v for v in check_history(log.changes, {U: 10}).violations] == [True]


def test_the_checker_accounts_for_skipped_capacity_checks():
    log = Log().login("0Hn1")
    log.work("0Bz1", item="500A", CapacityWeight="3", ShouldSkipCapacityCheck="true")
    assert check_history(log.changes, {U: 2}).violations == []  # allowed over, on purpose
    log.work("0Bz2", item="500B", CapacityWeight="1")            # but no more work then
    [v] = check_history(log.changes, {U: 2}).violations
    assert "beyond capacity" in v


def test_the_checker_flags_double_assignment():
    log = Log().login("0Hn1").login("0Hn2", V)
    log.put("PendingServiceRouting", "0JR1", RoutingModel="ExternalRouting", IsTransfer="false")
    log.work("0Bz1", item="500A", psr="0JR1", CapacityWeight="1")
    log.work("0Bz2", user=V, item="500A", psr="0JR1", CapacityWeight="1")
    found = check_history(log.changes, {U: 5, V: 5}).violations
    assert any("pushed twice" in v for v in found) and any("2 open AgentWork" in v for v in found)
    # A transfer to an agent: the target's Assigned AgentWork (no request) beside the first
    # agent's Opened one is allowed; a second transfer at once is not, nor a request pushed for
    # the item meanwhile, even a transfer's.
    log = Log().login("0Hn1").login("0Hn2", V)
    log.work("0Bz1", item="500A", status="Opened", CapacityWeight="1")
    log.work("0Bz2", user=V, item="500A", CapacityWeight="1")
    assert check_history(log.changes, {U: 5, V: 5}).violations == []
    log.work("0Bz3", user=V, item="500A", CapacityWeight="1")
    log.put("PendingServiceRouting", "0JR2", RoutingModel="ExternalRouting", IsTransfer="true")
    log.work("0Bz4", user=V, item="500A", psr="0JR2", CapacityWeight="1")
    found = check_history(log.changes, {U: 5, V: 5}).violations
    assert ["3 open AgentWork" in found[0], "4 open AgentWork" in found[1]] == [True, True], found


def test_the_checker_flags_engine_pushes_to_unavailable_agents():
    log = Log().org().login("0Hn1").login("0Hn2", V).login("0Hn3", "005000000000003", "0N5busy")
    for n, model in enumerate(("MostAvailable", "LeastActive", "LeastActive")):
        log.put("PendingServiceRouting", "0JR%d" % n, RoutingModel=model, QueueId="00Gq")
    log.work("0Bz1", user=V, item="500A", psr="0JR0", CapacityWeight="1")
    log.put("GroupMember", "011b", GroupId="00Gq", UserOrGroupId="005000000000003")
    log.work("0Bz2", user="005000000000003", item="500B", psr="0JR1", CapacityWeight="1")
    log.put("UserServicePresence", "0Hn1", "updated", IsCurrentState="false")
    log.work("0Bz3", item="500C", psr="0JR2", CapacityWeight="1")
    found = check_history(log.changes, {U: 5, V: 5, "005000000000003": 5}).violations
    assert len(found) == 3, found
    assert "no member of queue" in found[0]
    assert "not online on channel" in found[1] and "not online on channel" in found[2]


def test_the_checker_flags_lost_updates_and_logged_out_agents():
    log = Log().login("0Hn1")
    log.work("0Bz1", item="500A", CapacityWeight="1")
    log.put("AgentWork", "0Bz1", "updated", Status="Declined")
    log.changes[-1]["before"] = dict(log.changes[-1]["before"], Status="Opened")  # stale read
    [v] = check_history(log.changes, {U: 5}).violations
    assert "before-image differs" in v and "Status" in v
    log = Log().login("0Hn1").work("0Bz1", item="500A", CapacityWeight="1")
    log.put("UserServicePresence", "0Hn1", "updated", IsCurrentState="false")
    [v] = check_history(log.changes, {U: 5}, agents=[U]).violations
    assert "logged out with Assigned work" in v
    log = Log().login("0Hn1").login("0Hn2")
    assert "two current presences" in check_history(log.changes, {U: 5}).violations[0]
    # Work the org did not route in full (no capacity taken, no AssignedDateTime).
    log = Log().login("0Hn1").work("0Bz1", item="500A").work("0Bz2", item="500B",
                                                             CapacityWeight="1",
                                                             AssignedDateTime=None)
    found = check_history(log.changes, {U: 5}, agents=[U]).violations
    assert len(found) == 2 and all("not routed in full" in v for v in found), found


# ------------------------------------------------------------------------------------------
# Clients: real SOAP clients, one transport (connection pool) per thread or agent.
# ------------------------------------------------------------------------------------------

def own_client(client):
    """The same parsed WSDL with a transport of its own, so that threads share no connection."""
    c = copy.copy(client)
    c.transport = Transport(session=requests.Session(), timeout=CALL_TIMEOUT,
                            operation_timeout=CALL_TIMEOUT)
    return c


class AgentPresence(Presence):
    """test_presence's Presence bound to a chosen server process."""

    def __init__(self, client, base, session_id):  # pylint: disable=super-init-not-called
        self.client = client
        self.service = client.create_service("{%s}PresenceBinding" % PRESENCE_NS,
                                             base + "/services/Soap/presence/" + API)
        self.session_id = session_id


def login(client, base, username, password):
    return PartnerApi(client, partner_login_service(client, base + "/services/Soap/u/" + API)
                      .login(username, password))


def rows(api, soql):
    """Every row of a query (queryMore through the pages)."""
    res = body_result(api.service.query(soql, _soapheaders=api.headers()))
    out = []
    while True:
        out += [_read_partner_sobject(r) for r in (res.records or [])]
        if res.done:
            return out
        res = body_result(api.service.queryMore(res.queryLocator, _soapheaders=api.headers()))


def fault_code(fault):
    detail = fault.detail
    node = detail.find(".//{*}exceptionCode") if detail is not None else None
    if node is not None and node.text:
        return node.text
    return (fault.message or "").split(":")[0]


class Ledger:
    """Every call of the load and how it was answered; problems are what must not happen."""

    def __init__(self):
        self.lock = threading.Lock()
        self.calls = collections.Counter()
        self.outcomes = collections.Counter()
        self.problems = []
        self.refusals = collections.Counter()  # (call, message) of refusals allowed to happen

    def note(self, what, outcome, problem=None):
        with self.lock:
            self.outcomes[(what, outcome)] += 1
            if problem:
                self.problems.append("%s: %s" % (what, problem))

    def call(self, what, fn):
        """fn's answer, or None when it faulted (noted)."""
        with self.lock:
            self.calls[what] += 1
        try:
            return fn()
        except zeep.exceptions.Fault as f:
            code = fault_code(f)
            if code == "UNABLE_TO_LOCK_ROW":
                self.note(what, code)
            else:
                self.note(what, "fault", "%s %s" % (code, f.message))
        except Exception as e:  # transport errors, time-outs, malformed answers
            self.note(what, "error", "%s: %s" % (type(e).__name__, e))
        return None

    def results(self, what, results, expected=()):
        """Per-record results: success, an expected refusal, or a problem."""
        for r in results or []:
            if r.success:
                self.note(what, "success")
                continue
            codes = [e.statusCode for e in r.errors or []]
            if codes == ["UNABLE_TO_LOCK_ROW"] or (codes and codes[0] in expected):
                self.note(what, codes[0])
                with self.lock:
                    self.refusals[(what, "%s %s" % (codes[0], r.errors[0].message))] += 1
            else:
                self.note(what, "refused", describe_errors(r))

    def answer(self, what, a, must=True):
        """A presence answer: success, or a refusal that must not happen."""
        if a is None:
            return False
        if a.success:
            self.note(what, "success")
        else:
            self.note(what, "success=false", a.message if must else None)
            with self.lock:
                self.refusals[(what, a.message)] += 1
        return a.success

    @property
    def total(self):
        return sum(self.calls.values())

    def count(self, outcome):
        return sum(n for (_, o), n in self.outcomes.items() if o == outcome)


# ------------------------------------------------------------------------------------------
# The org
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def servers():
    yield from server_factory(PORT, "omni-routing-concurrency-")


class Agent:
    def __init__(self, index, user_id, name, capacity, config):
        self.index, self.user_id, self.name = index, user_id, name
        self.capacity, self.config = capacity, config
        self.status = None  # None (logged out), "online" or "busy", as this agent last set it


@pytest.fixture(scope="module")
def org(servers):
    a = servers()
    b = servers(port=PORT2, database_url=a.db_url)
    partner = zeep.Client(SF_PARTNER_WSDL)
    presence_clients = {s.base: zeep.Client(s.base + "/services/wsdl/presence") for s in (a, b)}
    api = login(own_client(partner), a.base, ADMIN_USER, ADMIN_PASSWORD)
    channel = api.create_ok({"type": "ServiceChannel", "MasterLabel": "Cases",
                             "DeveloperName": "Cases", "RelatedEntity": "Case"})
    online = api.create_ok({"type": "ServicePresenceStatus", "MasterLabel": "Online",
                            "DeveloperName": "Online"})
    busy = api.create_ok({"type": "ServicePresenceStatus", "MasterLabel": "Busy",
                          "DeveloperName": "Busy"})
    api.create_ok({"type": "ServiceChannelStatus", "ServiceChannelId": channel,
                   "ServicePresenceStatusId": online})
    queues = {}
    for name, model, weight_, pct in (("least", "LeastActive", "1", None),
                                      ("most", "MostAvailable", "2", None),
                                      ("most_pct", "MostAvailable", None, "40"),
                                      ("ext", "ExternalRouting", "1", None),
                                      ("ext_pct", "ExternalRouting", None, "50")):
        config = routing_config(api, model, priority=1 + len(queues) % 2, weight=weight_,
                                percentage=pct)
        queues[name] = dict(id=queue(api, config), model=model)
    # Presence configurations by capacity: declining allowed above 2, and the capacity-5 agents
    # go Busy when they decline.
    configs = {}
    for capacity in (2, 3, 4, 5):
        rec = {"type": "PresenceUserConfig", "MasterLabel": "Cap %d" % capacity,
               "DeveloperName": "Cap%d" % capacity, "Capacity": str(capacity),
               "OptionsIsDeclineEnabled": "true" if capacity > 2 else "false"}
        if capacity == 5:
            rec["PresenceStatusOnDeclineId"] = busy
        configs[capacity] = dict(id=api.create_ok(rec), declines=capacity > 2,
                                 busy_on_decline=capacity == 5)
    agents, members = [], []
    for i in range(AGENTS):
        user_id, name = new_user(api)
        capacity = 2 + i % 4
        agents.append(Agent(i, user_id, name, capacity, configs[capacity]))
        for q, member in (("least", i % 3 != 0), ("most", i % 3 != 1), ("most_pct", i % 2 == 0),
                          ("ext", True), ("ext_pct", True)):
            if member:
                members.append({"type": "GroupMember", "GroupId": queues[q]["id"],
                                "UserOrGroupId": user_id})
    for lo in range(0, len(members), 200):
        for r in api.create(members[lo:lo + 200]):
            assert r.success, describe_errors(r)
    links = [{"type": "PresenceUserConfigUser", "UserId": ag.user_id,
              "PresenceUserConfigId": ag.config["id"]} for ag in agents]
    for r in api.create(links):
        assert r.success, describe_errors(r)
    for ag in agents:
        api.service.setPassword(ag.user_id, PASSWORD, _soapheaders=api.headers())
        ag.server = (a, b)[ag.index % 2]
        ag.api = login(own_client(partner), ag.server.base, ag.name, PASSWORD)
        ag.presence = AgentPresence(own_client(presence_clients[ag.server.base]),
                                    ag.server.base, ag.api.session_id)
    return dict(a=a, b=b, partner=partner, api=api, channel=channel, online=online, busy=busy,
                queues=queues, agents=agents)


def admin(org, server):
    return login(own_client(org["partner"]), server.base, ADMIN_USER, ADMIN_PASSWORD)


# ------------------------------------------------------------------------------------------
# The load
# ------------------------------------------------------------------------------------------

def agent_step(org, ag, ledger, rnd):
    """One thing an agent does: log in, log out, switch status, or answer its work (accept,
    decline, close, transfer)."""
    p = ag.presence
    statuses = {"online": org["online"], "busy": org["busy"]}
    roll = rnd.random()
    if ag.status is None:
        want = "online" if roll < 0.85 else "busy"
        if ledger.answer("login", ledger.call("login", lambda: p.login(statuses[want]))):
            ag.status = want
    elif roll < 0.08:
        if ledger.answer("logout", ledger.call("logout", p.logout)):
            ag.status = None
    elif roll < 0.2:
        want = "busy" if ag.status == "online" else "online"
        if ledger.answer("setServicePresenceStatus", ledger.call(
                "setServicePresenceStatus",
                lambda: p.setServicePresenceStatus(statuses[want]))):
            ag.status = want
    else:
        works = ledger.call("getAgentWorks", p.getAgentWorks)
        ledger.answer("getAgentWorks", works)
        for w in (works.works if works and works.success else None) or []:
            choice = rnd.random()
            if not w.isEngaged and choice < 0.6:
                ledger.answer("acceptAgentWork",
                              ledger.call("acceptAgentWork",
                                          lambda: p.acceptAgentWork(w.workId)),
                              must=False)
            elif not w.isEngaged and choice < 0.85 and ag.config["declines"]:
                if ledger.answer("declineAgentWork",
                                 ledger.call("declineAgentWork",
                                             lambda: p.declineAgentWork(w.workId)),
                                 must=False) and ag.config["busy_on_decline"]:
                    ag.status = "busy"
            elif w.isEngaged and choice < 0.5:
                # Work this agent transferred to another is Transferred once they accept it.
                ledger.answer("closeAgentWork",
                              ledger.call("closeAgentWork", lambda: p.closeAgentWork(w.workId)),
                              must=False)
            elif w.isEngaged and choice < 0.6:
                # To a queue (routed again, by the engine or a router) or to another agent, who
                # may be offline or full: then refused.
                to = (rnd.choice(list(org["queues"].values()))["id"] if rnd.random() < 0.5
                      else rnd.choice([o for o in org["agents"] if o is not ag]).user_id)
                ledger.answer("transferAgentWork",
                              ledger.call("transferAgentWork",
                                          lambda: p.transferAgentWork(w.workId, to)),
                              must=False)
        if rnd.random() < 0.2:
            ledger.answer("getAgentWorkload", ledger.call("getAgentWorkload",
                                                          p.getAgentWorkload))
    time.sleep(rnd.random() * 0.05)


def agent_loop(org, ag, ledger, rnd, routing_done):
    """An agent at work until the routers stop, and a little after: its last steps come after
    every external push, and half the agents then log out with whatever work they hold, so that
    at the end a logged-out agent holding Assigned work is the org's doing."""
    step = 0
    while step < AGENT_STEPS or (not routing_done.is_set() and step < 6 * AGENT_STEPS):
        agent_step(org, ag, ledger, rnd)
        step += 1
    for _ in range(3):
        agent_step(org, ag, ledger, rnd)
    if ag.status is not None and rnd.random() < 0.5:
        if ledger.answer("logout", ledger.call("logout", ag.presence.logout)):
            ag.status = None


def creator_loop(org, api, ledger, rnd, made):
    queues = [q["id"] for q in org["queues"].values()]
    for _ in range(CREATOR_CALLS):
        n = 1 if rnd.random() < 0.5 else rnd.randint(2, 5)
        cases = [{"type": "Case", "Subject": unique_text(20, "Load"),
                  "OwnerId": rnd.choice(queues)} for _ in range(n)]
        results = ledger.call("create Case", lambda: api.create(cases))
        ledger.results("create Case", results)
        with ledger.lock:
            made[0] += sum(1 for r in results or [] if r.success)
        time.sleep(rnd.random() * 0.05)


def waiting_external(api, ledger):
    found = ledger.call("query PendingServiceRouting", lambda: rows(
        api, "SELECT Id, WorkItemId FROM PendingServiceRouting WHERE RoutingModel = "
             "'ExternalRouting' AND IsPushed = false ORDER BY CreatedDate LIMIT 40"))
    return found or []


def online_agents(api, ledger, org):
    """The agents logged in as Online, and all logged-in agents, as a router reads them."""
    found = ledger.call("query UserServicePresence", lambda: rows(
        api, "SELECT UserId, ServicePresenceStatusId FROM UserServicePresence WHERE "
             "IsCurrentState = true")) or []
    return ([key(r["UserId"]) for r in found if key(r["ServicePresenceStatusId"]) ==
             key(org["online"])], [key(r["UserId"]) for r in found])


def work_for(org, psr, user_id, skip=False):
    rec = {"type": "AgentWork", "UserId": user_id, "WorkItemId": psr["WorkItemId"],
           "ServiceChannelId": org["channel"], "PendingServiceRoutingId": psr["Id"]}
    if skip:
        rec["ShouldSkipCapacityCheck"] = "true"
    return rec


def router_loop(org, api, ledger, rnd, done):
    """An external router: reads the waiting ExternalRouting requests and pushes some of them,
    mostly to Online agents, sometimes to Busy or logged-out ones (the guide is silent on those:
    they are taken), full ones refused, now and then with ShouldSkipCapacityCheck, one or two
    records a call."""
    everyone = [ag.user_id for ag in org["agents"]]
    idle_rounds = 0
    while idle_rounds < 3:
        if done.is_set():
            idle_rounds += 1
        psrs = waiting_external(api, ledger)
        online, logged_in = online_agents(api, ledger, org)
        rnd.shuffle(psrs)
        picks = psrs[:rnd.randint(1, 3)]
        recs = []
        for psr in picks:
            roll = rnd.random()
            if online and roll < 0.7:
                user = rnd.choice(online)      # Online: the channel's status
            elif logged_in and roll < 0.9:
                user = rnd.choice(logged_in)   # Online or Busy
            else:
                user = rnd.choice(everyone)    # logged out too
            # Now and then over capacity on purpose: the engine must then give them no more.
            recs.append(work_for(org, psr, user, skip=rnd.random() < 0.06))
        for lo in range(0, len(recs), 2):
            batch = recs[lo:lo + 2]
            ledger.results("create AgentWork", ledger.call("create AgentWork",
                                                           lambda: api.create(batch)),
                           expected=EXTERNAL_REFUSALS)
        time.sleep(0.02 + rnd.random() * 0.05)


def racer_loop(org, apis, ledger, rnd, outcome):
    """One request pushed to two online agents through both processes at the same instant."""
    barrier = threading.Barrier(2)
    for _ in range(RACES):
        psrs = waiting_external(apis[0], ledger)
        online, _ = online_agents(apis[0], ledger, org)
        if not psrs or len(online) < 2:
            time.sleep(0.1)
            continue
        psr = rnd.choice(psrs)
        users = rnd.sample(online, 2)
        answers = [None, None]

        def push(i):
            barrier.wait(10)
            answers[i] = ledger.call("create AgentWork (race)",
                                     lambda: apis[i].create([work_for(org, psr, users[i])]))

        threads = [threading.Thread(target=push, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(CALL_TIMEOUT * 2)
        for a in answers:
            ledger.results("create AgentWork (race)", a, expected=EXTERNAL_REFUSALS)
        won = sum(1 for a in answers for r in a or [] if r.success)
        outcome[won] += 1
        time.sleep(rnd.random() * 0.05)


def clock_loop(servers, sessions, ledger, rnd, done):
    """Moves the org clock past the queues' 30-second push time-out now and then, through either
    process: unanswered pushes time out (DeclinedOnPushTimeout) while everything else runs."""
    while not done.wait(0.5 + rnd.random()):
        i = rnd.randrange(2)

        def advance():
            r = requests.post(servers[i].base + "/_emulator/clock", params={"advance": "31"},
                              headers={"Authorization": "Bearer " + sessions[i]},
                              timeout=CALL_TIMEOUT)
            assert r.status_code == 200, "%d %s" % (r.status_code, r.text[:300])
            return r

        if ledger.call("advance the clock", advance) is not None:
            ledger.note("advance the clock", "success")


def accept_racer_loop(org, apis, ledger, rnd, outcome):
    """An agent accepting pushed work while a second router, through the other process, pushes
    the same request to another agent: the request is either still pushed (refused) or gone
    with the acceptance (refused); never may both agents end up with the work item."""
    by_user = {key(ag.user_id): ag for ag in org["agents"]}
    barrier = threading.Barrier(2)
    for _ in range(ACCEPT_RACES):
        online, _ = online_agents(apis[0], ledger, org)
        if len(online) < 2:
            time.sleep(0.1)
            continue
        first, second = rnd.sample(online, 2)
        case = {"type": "Case", "Subject": unique_text(20, "Race"),
                "OwnerId": org["queues"]["ext"]["id"]}
        made = ledger.call("create Case", lambda: apis[0].create([case]))
        ledger.results("create Case", made)
        if not made or not made[0].success:
            continue
        psr = ledger.call("query PendingServiceRouting", lambda: rows(
            apis[0], "SELECT Id, WorkItemId FROM PendingServiceRouting WHERE WorkItemId = '%s'"
            % made[0].id))
        if not psr:
            continue
        pushed = ledger.call("create AgentWork (accept race)",
                             lambda: apis[0].create([work_for(org, psr[0], first)]))
        ledger.results("create AgentWork (accept race)", pushed, expected=EXTERNAL_REFUSALS)
        if not pushed or not pushed[0].success:
            continue
        answers = {}

        def accept():
            barrier.wait(10)
            answers["accept"] = ledger.call("acceptAgentWork", lambda: by_user[first].presence
                                            .acceptAgentWork(pushed[0].id))

        def push_again():
            barrier.wait(10)
            answers["push"] = ledger.call("create AgentWork (accept race)", lambda: apis[1].create(
                [work_for(org, psr[0], second)]))

        threads = [threading.Thread(target=accept), threading.Thread(target=push_again)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(CALL_TIMEOUT * 2)
        # The agent's own thread may have answered or lost the work first: no must.
        ledger.answer("acceptAgentWork", answers.get("accept"), must=False)
        ledger.results("create AgentWork (accept race)", answers.get("push"),
                       expected=EXTERNAL_REFUSALS)
        outcome[(bool(answers.get("accept") and answers["accept"].success),
                 bool(answers.get("push") and answers["push"][0].success))] += 1


def run_threads(targets):
    """Runs every (name, fn) at once; returns the names of threads that raised or hung."""
    failed = []

    def guard(name, fn):
        try:
            fn()
        except Exception as e:
            failed.append("%s raised %s: %s" % (name, type(e).__name__, e))

    threads = [threading.Thread(target=guard, args=t, name=t[0], daemon=True) for t in targets]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 150
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    failed += ["%s hung" % t.name for t in threads if t.is_alive()]
    return failed


# ------------------------------------------------------------------------------------------
# Reading back
# ------------------------------------------------------------------------------------------

def change_log(server, session):
    """The org's whole change log through one process, in commit order."""
    out, after = [], 0
    while True:
        r = requests.get(server.base + "/_emulator/changes",
                         params={"after": after, "limit": 2000, "timeout": 0},
                         headers={"Authorization": "Bearer " + session}, timeout=60)
        assert r.status_code == 200, r.text[:500]
        page = r.json()["changes"]
        if not page:
            return out
        out += page
        after = page[-1]["position"]


WORK_SOQL = ("SELECT Id, Status, UserId, WorkItemId, PendingServiceRoutingId, CapacityWeight, "
             "CapacityPercentage, ShouldSkipCapacityCheck FROM AgentWork ORDER BY Id")
PRESENCE_SOQL = "SELECT UserId FROM UserServicePresence WHERE IsCurrentState = true ORDER BY UserId"


def end_state(api):
    works = {key(w["Id"]): (w["Status"], key(w["UserId"]), key(w["WorkItemId"]))
             for w in rows(api, WORK_SOQL)}
    online = sorted(key(p["UserId"]) for p in rows(api, PRESENCE_SOQL))
    return works, online


def test_many_clients_two_processes_no_overbooking_no_double_assignment(org):
    rnd = random.Random(int(os.environ.get("OMNI_CONCURRENCY_SEED", str(int(time.time())))))
    seed = rnd.randint(0, 1 << 30)
    print("seed", seed)
    a, b = org["a"], org["b"]
    ledger = Ledger()
    done = threading.Event()
    made = [0]
    race_outcome = collections.Counter()
    accept_races = collections.Counter()  # (accepted, pushed again) -> rounds
    routers = [admin(org, s) for s in (a, b)]
    creators = [admin(org, (a, b)[i % 2]) for i in range(CREATORS)]
    racers = [admin(org, a), admin(org, b)]
    accept_racers = [admin(org, a), admin(org, b)]

    routing_done = threading.Event()

    def then(fn, left, event):
        """fn, then: the last of `left` to finish sets event."""
        def run():
            try:
                fn()
            finally:
                with ledger.lock:
                    left[0] -= 1
                    if not left[0]:
                        event.set()
        return run

    creating, routing = [CREATORS], [4]
    targets = [("agent %d" % ag.index,
                (lambda ag=ag: agent_loop(org, ag, ledger, random.Random(seed + ag.index),
                                          routing_done)))
               for ag in org["agents"]]
    # When the creators are done the routers finish the last requests, then stop.
    targets += [("creator %d" % i,
                 then(lambda i=i: creator_loop(org, creators[i], ledger,
                                               random.Random(seed + 100 + i), made),
                      creating, done)) for i in range(CREATORS)]
    targets += [("router %d" % i,
                 then(lambda i=i: router_loop(org, routers[i], ledger,
                                              random.Random(seed + 200 + i), done),
                      routing, routing_done)) for i in (0, 1)]
    targets += [("racer", then(lambda: racer_loop(org, racers, ledger, random.Random(seed + 300),
                                                  race_outcome), routing, routing_done))]
    targets += [("accept racer", then(lambda: accept_racer_loop(
        org, accept_racers, ledger, random.Random(seed + 500), accept_races),
        routing, routing_done))]
    targets += [("clock", lambda: clock_loop((a, b), [r.session_id for r in racers], ledger,
                                             random.Random(seed + 400), done))]
    started = time.monotonic()
    failed = run_threads(targets)
    took = time.monotonic() - started
    summary = sorted(ledger.outcomes.items())
    print("load: %d calls in %.1f s, %d Cases; races won by 0/1/2 agents: %s; accept races "
          "(accepted, pushed again): %s" % (ledger.total, took, made[0], dict(race_outcome),
                                             dict(accept_races)))
    for (what, outcome), n in summary:
        print("  %-32s %-28s %d" % (what, outcome, n))
    for (what, message), n in sorted(ledger.refusals.items()):
        print("  refused %4d %s: %s" % (n, what, message[:150]))
    assert not failed, failed
    assert not ledger.problems, ledger.problems[:20]
    locked = ledger.count("UNABLE_TO_LOCK_ROW")
    assert locked <= LOCK_ROW_BOUND * ledger.total, "UNABLE_TO_LOCK_ROW %d of %d calls" % (
        locked, ledger.total)
    assert made[0] >= CREATORS * CREATOR_CALLS  # the load was really there
    assert ledger.outcomes[("acceptAgentWork", "success")] > 0
    assert ledger.outcomes[("closeAgentWork", "success")] > 0
    assert ledger.outcomes[("declineAgentWork", "success")] > 0
    assert ledger.outcomes[("create AgentWork", "success")] > 0
    assert ledger.outcomes[("create AgentWork", "FIELD_INTEGRITY_EXCEPTION")] > 0

    # The committed history, the same through both processes, replayed in commit order.
    log_a = change_log(a, routers[0].session_id)
    log_b = change_log(b, routers[1].session_id)
    assert log_a == log_b
    capacities = {key(ag.user_id): ag.capacity for ag in org["agents"]}
    h = check_history(log_a, capacities, agents=capacities)
    print("replayed %d changes; pushes by routing model: %s, %d to logged-out agents; fullest "
          "agent at %.0f%%" % (len(log_a), dict(h.pushes), h.offline_pushes,
                               100 * max(h.max_load.values() or [0])))
    for v in h.violations[:30] + h.violations[30:][-10:]:  # the end's checks come last
        print("  VIOLATION", v)
    if h.violations:  # the evidence, for whoever reads the failure
        dump = os.path.join(BUILD, "routing-concurrency-changes.json")
        with open(dump, "w") as f:
            json.dump(log_a, f, indent=1)
        print("  the change log is in", dump)
    assert not h.violations, "%d violations, the first: %s" % (len(h.violations),
                                                               h.violations[:10])
    # The org itself routed queue-based work (LeastActive and MostAvailable), and agents ended
    # up full at some point: the capacity checks were exercised, not idle.
    assert h.pushes["LeastActive"] > 0 and h.pushes["MostAvailable"] > 0, dict(h.pushes)
    assert h.pushes["ExternalRouting"] > 0
    assert max(h.max_load.values()) >= 1.0 - EPS

    # The end state through SOQL, the same in both processes and as the replay left it.
    state_a, state_b = end_state(routers[0]), end_state(routers[1])
    assert state_a == state_b
    works, online = state_a
    replayed = {rid: (w["Status"], key(w["UserId"]), key(w["WorkItemId"]))
                for rid, w in h.records["AgentWork"].items() if w is not None}
    assert works == replayed
    assert online == sorted(u for u in capacities if h.current_presences(u))
