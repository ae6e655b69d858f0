"""HTTP/1.1 on the event-loop transport: framing, encodings, limits and malformed input.

Every case talks to a real server over real sockets. A limit that is crossed gets its clean
answer (400, 408, 413, 415, 431, 503) and the server keeps serving everyone else.
"""
import gzip
import re
import socket
import time

import requests

from conftest import LOGIN, PORT, closed_by_peer, connect, read_response


def raw(sock, data):
    sock.sendall(data if isinstance(data, bytes) else data.encode())


def soap_request(body, extra=""):
    body = body.encode() if isinstance(body, str) else body
    return (b"POST /services/Soap/u/44.0 HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: text/xml\r\nSOAPAction: \"\"\r\n" + extra.encode() +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def test_chunked_request_body(server_factory):
    s = server_factory()
    body = LOGIN.encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 100]), body[i:i + 100])
                      for i in range(0, len(body), 100))
    sock = connect()
    raw(sock, b"POST /services/Soap/u/44.0 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml"
              b"\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
    status, headers, payload = read_response(sock)
    assert status == 200, payload[:300]
    assert b"sessionId>" in payload
    # The connection stays usable after a chunked request.
    raw(sock, b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert read_response(sock)[0] == 200
    sock.close()


def test_gzip_request_and_response(server_factory):
    s = server_factory()
    r = s.post(gzip.compress(LOGIN.encode()),
               headers={"Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
    assert r.status_code == 200, r.text[:300]
    assert r.headers.get("Content-Encoding") == "gzip"
    assert "sessionId>" in r.text  # requests inflated it
    # Without Accept-Encoding the answer is plain.
    sock = connect()
    raw(sock, soap_request(LOGIN))
    status, headers, payload = read_response(sock)
    assert status == 200 and "content-encoding" not in headers
    assert b"sessionId>" in payload
    sock.close()


def test_bad_gzip_and_unknown_encoding(server_factory):
    s = server_factory()
    r = s.post(b"this is not gzip", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400
    r = s.post(LOGIN, headers={"Content-Encoding": "br"})
    assert r.status_code == 415
    assert s.post(LOGIN).status_code == 200


def test_gzip_bomb_is_refused(server_factory):
    s = server_factory("--max-body-bytes", str(1 << 20))
    bomb = gzip.compress(b"<" + b" " * (20 << 20))  # 20 MB of spaces in ~20 KB
    r = s.post(bomb, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 413
    assert s.post(LOGIN).status_code == 200


def test_pipelined_soap_calls_are_answered_in_order(server_factory):
    s = server_factory()
    session = s.login()
    stamp = int(time.time() * 1000) % 100000
    names = ["Pipe%d_%d" % (stamp, i) for i in range(5)]
    sock = connect()
    raw(sock, b"".join(soap_request(s.create_body(session, n)) for n in names))
    ids = []
    for n in names:
        status, headers, payload = read_response(sock)
        assert status == 200, payload[:300]
        assert b"<p:success>true</p:success>" in payload or b"<success>true" in payload
        ids.append(re.search(rb"<(?:p:)?id>([^<]+)<", payload).group(1).decode())
    sock.close()
    # Each answer belongs to its own request: the records were created one after the other, in
    # the order sent, and each id names the record of that position's request.
    assert len(set(ids)) == 5
    for name, rec in zip(names, ids):
        r = s.post(s.retrieve_body(session, rec))
        assert ">%s<" % name in r.text, (name, rec, r.text[:400])


def test_garbage_http_gets_400_and_close(server_factory):
    s = server_factory()
    for junk in [b"\x00\x01\x02\x03garbage\r\n\r\n", b"GET /\r\n\r\n",
                 b"HELLO WORLD\r\n\r\n", b"GET / HTTP/1.1\r\nHost x\r\n\r\n"]:
        sock = connect()
        raw(sock, junk)
        resp = read_response(sock, timeout=5)
        assert resp is not None and resp[0] == 400, (junk, resp)
        assert closed_by_peer(sock, timeout=5), junk
        sock.close()
    assert s.post(LOGIN).status_code == 200


def test_conflicting_content_lengths_are_refused(server_factory):
    s = server_factory()
    sock = connect()
    body = LOGIN.encode()
    raw(sock, b"POST /services/Soap/u/44.0 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
              b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (len(body), len(body) - 10)
        + body)
    resp = read_response(sock, timeout=5)
    assert resp is not None and resp[0] == 400
    assert closed_by_peer(sock, timeout=5)
    sock.close()


def test_header_and_body_limits(server_factory):
    s = server_factory("--max-header-bytes", "8192", "--max-body-bytes", str(256 * 1024))
    sock = connect()
    raw(sock, b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    resp = read_response(sock, timeout=5)
    assert resp is not None and resp[0] == 431
    sock.close()
    r = s.post(b"<x>" + b"a" * (300 * 1024) + b"</x>")
    assert r.status_code == 413
    assert s.post(LOGIN).status_code == 200


def test_slow_sender_is_dropped_and_blocks_no_one(server_factory):
    s = server_factory("--workers", "1", "--header-timeout", "2")
    slow = connect()
    raw(slow, b"POST /services/Soap/u/44.0 HTTP/1.1\r\n")
    started = time.time()
    # While the slow sender dribbles its headers, another client is served at once.
    for i in range(3):
        raw(slow, b"X-Slow-%d: 1\r\n" % i)
        t0 = time.time()
        assert s.post(LOGIN, timeout=5).status_code == 200
        assert time.time() - t0 < 5
        time.sleep(0.5)
    try:
        while time.time() - started < 6:
            raw(slow, b"X: y\r\n")
            time.sleep(0.5)
    except (BrokenPipeError, ConnectionResetError):
        pass
    resp = None
    try:
        resp = read_response(slow, timeout=5)
    except (ConnectionResetError, socket.timeout):
        pass
    assert resp is None or resp[0] == 408, resp
    assert closed_by_peer(slow, timeout=5)
    assert time.time() - started < 10


def test_idle_connection_is_closed_after_idle_timeout(server_factory):
    s = server_factory("--idle-timeout", "1")
    sock = connect()
    raw(sock, b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response(sock)[0] == 200
    t0 = time.time()
    assert closed_by_peer(sock, timeout=10)
    assert 0.5 < time.time() - t0 < 8


def test_connection_limit_answers_503(server_factory):
    s = server_factory("--max-connections", "20")
    held = []
    for _ in range(20):
        c = connect()
        raw(c, b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(c)[0] == 200
        held.append(c)
    extra = connect()
    resp = read_response(extra, timeout=5)
    assert resp is not None and resp[0] == 503
    extra.close()
    held.pop().close()
    time.sleep(0.3)
    assert s.post(LOGIN).status_code == 200
    for c in held:
        c.close()


def test_expect_100_continue(server_factory):
    s = server_factory()
    sock = connect()
    body = LOGIN.encode()
    raw(sock, b"POST /services/Soap/u/44.0 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
              b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
    sock.settimeout(5)
    interim = sock.recv(100)
    assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim
    raw(sock, body)
    leftover = interim[len(b"HTTP/1.1 100 Continue\r\n\r\n"):]
    assert not leftover
    status, _, payload = read_response(sock)
    assert status == 200 and b"sessionId>" in payload
    sock.close()


def test_memory_returns_after_large_requests(server_factory):
    s = server_factory()
    session = s.login()
    big = "x" * (10 * 1024 * 1024)
    header = "<p:SessionHeader><p:sessionId>%s</p:sessionId></p:SessionHeader>" % session
    body = ("<p:create><p:sObjects><s:type>ServicePresenceStatus</s:type>"
            "<s:DeveloperName>Big</s:DeveloperName><s:MasterLabel>%s</s:MasterLabel>"
            "</p:sObjects></p:create>" % big)
    from conftest import ENV
    payload = ENV.format(header=header, body=body).encode()
    for _ in range(3):
        s.post(payload)
    idle = s.rss_kib()
    with requests.Session() as http:
        for _ in range(40):
            r = http.post(s.base + "/services/Soap/u/44.0", data=payload,
                          headers={"Content-Type": "text/xml"}, timeout=60)
            assert r.status_code == 200  # a per-record STRING_TOO_LONG, not a crash
            assert "STRING_TOO_LONG" in r.text
    time.sleep(0.5)
    after = s.rss_kib()
    print("rss idle %d KiB, after forty 10 MB creates %d KiB" % (idle, after))
    assert after < idle + 64 * 1024, (idle, after)


def test_date_header_and_no_server_software(server_factory):
    """Every answer carries a Date (HTTP/1.1 origin servers must) and, as Salesforce's own,
    names no server software or version."""
    import email.utils
    server_factory()
    sock = connect()
    for request in (soap_request(LOGIN), b"GET /no-such-page HTTP/1.1\r\nHost: localhost\r\n\r\n"):
        raw(sock, request)
        status, headers, _ = read_response(sock)
        assert status in (200, 404)
        assert "server" not in headers
        when = email.utils.parsedate_to_datetime(headers["date"])
        assert abs(time.time() - when.timestamp()) < 120
    sock.close()
