"""The emulator clock (issue 8 item 7), against real servers started here.

* `--clock-start` freezes every new org's clock at that time: records are stamped with it, SOQL's
  date literals count from it, and it moves only through POST /_emulator/clock.
* Advancing moves every later timestamp, a set never goes back, bad parameters change nothing.
* A second server process over the same database reads the same clock, and sees a move made
  through the first at once (NOTIFY omni_clock).
* Session expiry counts on the clock: advancing past the session timeout ends a session.

Ports: OMNI_CLOCK_PORT and the next one (CTest derives them from OMNI_TEST_PORT).
"""
import os
import time

import pytest
import requests

from sessions_test import server_factory, assert_invalid_session, assert_ok, find

PORT = int(os.environ.get("OMNI_CLOCK_PORT", "18054"))
START = "2020-02-28T23:59:30.000Z"


@pytest.fixture
def servers():
    yield from server_factory(PORT, "omni-clock-")


def clock(server, session, method="GET", **params):
    r = requests.request(method, server.base + "/_emulator/clock", params=params,
                         headers={"Authorization": "Bearer " + session}, timeout=30)
    return r.status_code, r.json()


def header(session):
    return "<p:SessionHeader><p:sessionId>%s</p:sessionId></p:SessionHeader>" % session


def create_case(server, session, subject):
    r, root = server.post(header(session), "<p:create><p:sObjects><s:type>Case</s:type>"
                                           "<s:Subject>%s</s:Subject></p:sObjects></p:create>"
                          % subject)
    assert_ok(r, root)
    assert find(root, "success").text == "true", r.text[:500]
    return find(root, "id").text


def query(server, session, soql):
    r, root = server.post(header(session), "<p:query><p:queryString>%s</p:queryString>"
                                           "</p:query>" % soql)
    assert_ok(r, root)
    return root


def test_frozen_start_stamps_records_and_moves_only_on_request(servers):
    s = servers("--clock-start", "2020-02-28T23:59:30Z")
    session, _ = s.session()
    status, body = clock(s, session)
    assert status == 200 and body["frozen"] is True and body["now"] == START, body
    first = create_case(s, session, "before midnight")
    status, body = clock(s, session, "POST", advance="45.5")
    assert status == 200 and body["now"] == "2020-02-29T00:00:15.500Z", body
    second = create_case(s, session, "after midnight")
    root = query(s, session, "SELECT Id, CreatedDate, SystemModstamp FROM Case WHERE Id IN "
                             "('%s', '%s') ORDER BY CreatedDate" % (first, second))
    stamps = [(find(rec, "CreatedDate").text, find(rec, "SystemModstamp").text)
              for rec in root.iter() if isinstance(rec.tag, str) and rec.tag.endswith("records")]
    # Records are stamped in whole seconds, as an org stamps them.
    assert stamps == [(START, START), ("2020-02-29T00:00:15.000Z", "2020-02-29T00:00:15.000Z")]
    # TODAY is the clock's day (a leap day), not the machine's.
    root = query(s, session, "SELECT Id FROM Case WHERE CreatedDate = TODAY AND Id IN "
                             "('%s', '%s')" % (first, second))
    assert find(root, "size").text == "1"
    assert find(root, "Id").text == second
    # getServerTimestamp answers the clock too.
    r, root = s.post(header(session), "<p:getServerTimestamp/>")
    # (whole seconds: LIMITATIONS, gSOAP's dateTime is a time_t)
    assert find(root, "timestamp").text.startswith("2020-02-29T00:00:15"), r.text[:500]


def test_set_forward_only_and_bad_parameters_change_nothing(servers):
    s = servers("--clock-start", "2020-02-28T23:59:30Z")
    session, _ = s.session()
    status, body = clock(s, session, "POST", set="2021-06-01T12:00:00+02:00")
    assert status == 200 and body["now"] == "2021-06-01T10:00:00.000Z", body
    # Fifteen months on, the session has long expired (2 hours): a new one.
    assert clock(s, session)[0] == 401
    session, _ = s.session()
    for bad in ({"set": "2021-05-31T00:00:00Z"}, {"set": "yesterday"}, {"advance": "-1"},
                {"advance": "ten"}, {"frozen": "maybe"}, {"frozen": "false", "set": "2000-01-01"}):
        status, body = clock(s, session, "POST", **bad)
        assert status == 400, (bad, body)
        assert body[0]["errorCode"] == "INVALID_FIELD"
    status, body = clock(s, session)
    assert body["now"] == "2021-06-01T10:00:00.000Z" and body["frozen"] is True, body
    # Unfrozen, it runs on from where it stood.
    status, body = clock(s, session, "POST", frozen="false")
    assert status == 200 and body["frozen"] is False
    assert body["now"].startswith("2021-06-01T10:00:0"), body
    status, body = clock(s, "00D000000000000!not-a-session")
    assert status == 401 and body[0]["errorCode"] == "INVALID_SESSION_ID"


def test_two_processes_share_the_clock(servers):
    a = servers("--clock-start", "2020-02-28T23:59:30Z")
    b = servers("--clock-start", "2030-01-01T00:00:00Z", port=PORT + 1, database_url=a.db_url)
    session, _ = a.session()
    # The org's clock was made by the first process: the second's --clock-start does not apply.
    assert clock(b, session)[1]["now"] == START
    clock(a, session, "POST", advance="3600")
    # b hears of the move through NOTIFY omni_clock, a moment after a's commit (LIMITATIONS).
    deadline = time.time() + 2
    while True:
        status, body = clock(b, session)
        if body.get("now") != START or time.time() > deadline:
            break
        time.sleep(0.005)
    assert status == 200 and body["now"] == "2020-02-29T00:59:30.000Z", body
    made = create_case(b, session, "through b")
    root = query(a, session, "SELECT CreatedDate FROM Case WHERE Id = '%s'" % made)
    assert find(root, "CreatedDate").text == "2020-02-29T00:59:30.000Z"


def test_sessions_expire_on_the_clock(servers):
    s = servers("--clock-start", "2020-02-28T23:59:30Z", "--session-timeout", "600")
    session, _ = s.session()
    other, _ = s.session()
    assert_ok(*s.server_timestamp(session))
    clock(s, other, "POST", advance="599")
    assert_ok(*s.server_timestamp(session))  # within the timeout (and now extended)
    clock(s, other, "POST", advance="599")
    assert_ok(*s.server_timestamp(session))  # extended by the call above, 599 s ago
    clock(s, other, "POST", advance="601")  # both were last extended 601 s ago: past the timeout
    assert_invalid_session(*s.server_timestamp(session))
    assert_invalid_session(*s.server_timestamp(other))
    fresh, _ = s.session()
    assert_ok(*s.server_timestamp(fresh))
