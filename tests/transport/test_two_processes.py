"""Two server processes over one external PostgreSQL: a change committed through one wakes a
request parked on the other, changes arrive in commit order, and a rolled-back change never
appears."""
import json
import threading
import time

from conftest import ENV, PORT, Server, read_response
import socket

OTHER_PORT = PORT + 1


def park_on(port, session, after, timeout=30):
    c = socket.create_connection(("localhost", port), timeout=10)
    c.sendall(("GET /_emulator/changes?after=%d&timeout=%d HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer %s\r\n\r\n" % (after, timeout, session)).encode())
    return c


def changes(server, session, after, limit=2000):
    import requests
    r = requests.get(server.base + "/_emulator/changes?after=%d&timeout=0&limit=%d"
                     % (after, limit), headers={"Authorization": "Bearer " + session},
                     timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_two_servers_share_the_change_log(external_postgres, server_factory):
    a = server_factory(database_url=external_postgres)
    b = server_factory(port=OTHER_PORT, database_url=external_postgres)
    session = a.login()  # sessions live in the database: b honours it too
    head = changes(b, session, 0)["position"]
    head = changes(b, session, head)["position"]

    # A commit through a wakes a request parked on b.
    parked = park_on(OTHER_PORT, session, head)
    time.sleep(0.5)
    rec = a.create(session, "TwoProc%d" % int(time.time() * 1000 % 1e6))
    status, _, body = read_response(parked, timeout=10)
    assert status == 200
    page = json.loads(body)
    assert [c["id"] for c in page["changes"]] == [rec]
    head = page["position"]
    parked.close()

    # A rolled-back call (AllOrNone with one invalid record) leaves nothing in the log.
    header = ("<p:SessionHeader><p:sessionId>%s</p:sessionId></p:SessionHeader>"
              "<p:AllOrNoneHeader><p:allOrNone>true</p:allOrNone></p:AllOrNoneHeader>" % session)
    objs = ("<p:sObjects><s:type>ServicePresenceStatus</s:type><s:DeveloperName>Rb%d"
            "</s:DeveloperName><s:MasterLabel>x</s:MasterLabel></p:sObjects>"
            "<p:sObjects><s:type>ServicePresenceStatus</s:type><s:MasterLabel>x</s:MasterLabel>"
            "<s:Language>Bogus</s:Language></p:sObjects>" % int(time.time()))
    r = a.post(ENV.format(header=header, body="<p:create>%s</p:create>" % objs))
    assert r.status_code == 200 and "ALL_OR_NONE_OPERATION_ROLLED_BACK" in r.text
    assert changes(b, session, head)["changes"] == []

    # Concurrent creates through both servers: every committed change appears once, positions
    # strictly increase, and each is readable from either server in the same order.
    made = []
    lock = threading.Lock()

    def writer(server, tag):
        for i in range(10):
            rid = server.create(session, "%s_%d_%d" % (tag, i, int(time.time() * 1000 % 1e6)))
            with lock:
                made.append(rid)

    threads = [threading.Thread(target=writer, args=(srv, "W%d" % n))
               for n, srv in enumerate([a, b, a, b])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    via_a = changes(a, session, head)["changes"]
    via_b = changes(b, session, head)["changes"]
    assert [c["position"] for c in via_a] == [c["position"] for c in via_b]
    positions = [c["position"] for c in via_a]
    assert positions == sorted(set(positions))
    assert sorted(c["id"] for c in via_a) == sorted(made)
