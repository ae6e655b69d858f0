"""Long-lived connections: many idle keep-alive connections and parked long-polls cost no
worker, and SIGTERM with all of them open still stops the server within its grace period."""
import json
import threading
import time

import requests

from conftest import connect, read_response


def open_idle(n):
    socks = []
    for _ in range(n):
        c = connect()
        c.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(c)[0] == 200
        socks.append(c)
    return socks


def park(session, after, timeout):
    c = connect()
    c.sendall(("GET /_emulator/changes?after=%d&timeout=%d HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer %s\r\n\r\n" % (after, timeout, session)).encode())
    return c


def head_position(s, session):
    r = requests.get(s.base + "/_emulator/changes?timeout=0",
                     headers={"Authorization": "Bearer " + session}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["position"]


def test_changes_long_poll_wakes_on_commit(server_factory):
    s = server_factory()
    session = s.login()
    head = head_position(s, session)
    c = park(session, head, 30)
    time.sleep(0.5)
    t0 = time.time()
    rec = s.create(session, "Poll%d" % int(time.time() * 1000 % 1e6))
    status, _, body = read_response(c, timeout=10)
    assert status == 200
    page = json.loads(body)
    assert time.time() - t0 < 5
    assert [ch["id"] for ch in page["changes"]] == [rec]
    change = page["changes"][0]
    assert change["kind"] == "created" and change["object"] == "ServicePresenceStatus"
    assert change["position"] > head and page["position"] == change["position"]
    assert change["before"] is None and change["after"]["Id"] == rec
    c.close()


def test_changes_long_poll_times_out_empty(server_factory):
    s = server_factory()
    session = s.login()
    head = head_position(s, session)
    t0 = time.time()
    r = requests.get(s.base + "/_emulator/changes?after=%d&timeout=1" % head,
                     headers={"Authorization": "Bearer " + session}, timeout=10)
    assert r.status_code == 200 and r.json() == {"position": head, "changes": []}
    assert 0.8 < time.time() - t0 < 5
    r = requests.get(s.base + "/_emulator/changes", headers={"Authorization": "Bearer nope"},
                     timeout=10)
    assert r.status_code == 401 and r.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_thousand_idle_and_two_hundred_parked_then_sigterm(server_factory):
    s = server_factory("--shutdown-grace", "3")  # default workers
    session = s.login()
    head = head_position(s, session)
    idle = open_idle(1000)
    parked = [park(session, head, 110) for _ in range(200)]
    time.sleep(1)
    # A new client is served while all of those are open.
    t0 = time.time()
    fresh = s.login()
    rec = s.create(fresh, "Busy%d" % int(time.time() * 1000 % 1e6), timeout=15)
    assert time.time() - t0 < 15
    # The commit wakes every parked long-poll with the change.
    woken = 0
    for c in parked:
        status, _, body = read_response(c, timeout=15)
        assert status == 200
        assert rec in [ch["id"] for ch in json.loads(body)["changes"]]
        woken += 1
    assert woken == 200
    # Park them again and stop the server with everything open.
    head = head_position(s, session)
    parked = [park(session, head, 110) for _ in range(200)]
    time.sleep(1)
    t0 = time.time()
    s.proc.send_signal(15)
    s.proc.wait(timeout=20)
    elapsed = time.time() - t0
    assert elapsed < 3 + 1, elapsed
    answered = 0
    for c in parked:
        resp = read_response(c, timeout=5)
        if resp is not None and resp[0] == 200:
            answered += 1
    assert answered == 200, answered
    for c in idle + parked:
        c.close()


def test_sigterm_with_an_idle_connection_exits_fast(server_factory):
    s = server_factory()
    idle = open_idle(1)
    t0 = time.time()
    s.proc.send_signal(15)
    s.proc.wait(timeout=20)
    assert time.time() - t0 < 2
    idle[0].close()


def test_parked_requests_are_capped(server_factory):
    s = server_factory("--max-parked", "2")
    session = s.login()
    head = head_position(s, session)
    held = [park(session, head, 30) for _ in range(2)]
    time.sleep(0.5)
    extra = park(session, head, 30)
    status, headers, _ = read_response(extra, timeout=5)
    assert status == 503 and headers.get("retry-after") == "1"
    # A parked client that goes away frees its place at once.
    held.pop().close()
    time.sleep(0.5)
    again = park(session, head, 30)
    time.sleep(0.5)
    rec = s.create(session, "Cap%d" % int(time.time() * 1000 % 1e6))
    for c in held + [again]:
        status, _, body = read_response(c, timeout=10)
        assert status == 200 and rec in [ch["id"] for ch in json.loads(body)["changes"]]
        c.close()
