"""A server of the transport suite's own, started per test with the options the test needs.

Each test gets a real omni-emulator on its embedded PostgreSQL (one data dir reused across the
suite, so only the first start pays for initdb), talks to it over real sockets, and stops it.
"""
import glob
import os
import shutil
import re
import signal
import socket
import weakref
import subprocess
import sys
import tempfile

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import omni_process  # noqa: E402  (tests/support)

BUILD = os.environ.get("OMNI_BUILD_DIR", "build")
PORT = int(os.environ.get("OMNI_TRANSPORT_PORT", "18047"))
DATA = os.path.join(BUILD, "transport-data")
SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"

ENV = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:p="urn:partner.soap.sforce.com" xmlns:s="urn:sobject.partner.soap.sforce.com">'
       '<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>'
       '</soapenv:Envelope>')
LOGIN = ENV.format(header="", body='<p:login><p:username>admin@omni.local</p:username>'
                                   '<p:password>password</p:password></p:login>')


class Server:
    def __init__(self, *args, port=PORT, database_url=None):
        self.port = port
        self.base = "http://localhost:%d" % port
        log = open(os.path.join(BUILD, "transport-server.log"), "a")
        log.write("---- start %s\n" % (args,))
        log.flush()
        started = omni_process.start(port, args, data_dir=None if database_url else DATA,
                                     database_url=database_url, log=log)
        self.proc, self.db_url = started.proc, started.db_url

    def post(self, body, path="/services/Soap/u/44.0", timeout=30, **kw):
        headers = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'}
        headers.update(kw.pop("headers", {}))
        return requests.post(self.base + path, data=body, headers=headers, timeout=timeout, **kw)

    def login(self):
        r = self.post(LOGIN)
        assert r.status_code == 200, r.text[:300]
        return re.search(r"sessionId>([^<]+)<", r.text).group(1)

    def create_body(self, session, name):
        header = "<p:SessionHeader><p:sessionId>%s</p:sessionId></p:SessionHeader>" % session
        return ENV.format(header=header, body=(
            "<p:create><p:sObjects><s:type>ServicePresenceStatus</s:type>"
            "<s:DeveloperName>%s</s:DeveloperName><s:MasterLabel>%s</s:MasterLabel>"
            "</p:sObjects></p:create>" % (name, name)))

    def retrieve_body(self, session, rec):
        header = "<p:SessionHeader><p:sessionId>%s</p:sessionId></p:SessionHeader>" % session
        return ENV.format(header=header, body=(
            "<p:retrieve><p:fieldList>DeveloperName</p:fieldList>"
            "<p:sObjectType>ServicePresenceStatus</p:sObjectType><p:ids>%s</p:ids></p:retrieve>"
            % rec))

    def create(self, session, name, timeout=30):
        r = self.post(self.create_body(session, name), timeout=timeout)
        assert r.status_code == 200, r.text[:500]
        assert "<p:success>true</p:success>" in r.text or "<success>true</success>" in r.text, \
            r.text[:500]
        return re.search(r"<(?:p:)?id>([^<]+)<", r.text).group(1)

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def server_factory():
    started = []

    def start(*args, **kw):
        s = Server(*args, **kw)
        started.append(s)
        return s
    yield start
    for s in started:
        s.stop()


def connect():
    return socket.create_connection(("localhost", PORT), timeout=10)


# Bytes read past the end of a response, per socket: pipelined answers can arrive in one recv,
# and the next read_response must start with them rather than wait for bytes already taken.
_unread = weakref.WeakKeyDictionary()


def read_response(sock, timeout=10):
    """Reads one HTTP response (Content-Length framed); returns (status, headers, body) or None
    when the server closed the connection first. What follows the response stays for the next
    call on the same socket."""
    sock.settimeout(timeout)
    data = _unread.pop(sock, b"")
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    if len(rest) > length:
        _unread[sock] = rest[length:]
    return status, headers, rest[:length]


def closed_by_peer(sock, timeout=10):
    """True when the server closes the connection (EOF or reset) within timeout."""
    sock.settimeout(timeout)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def _pg_bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL server binaries not found"
    return os.path.dirname(found[-1])


@pytest.fixture(scope="module")
def external_postgres():
    """A PostgreSQL cluster that no omni-emulator owns, started by the test itself, as the
    unprivileged omni-pg user when the test runs as root (PostgreSQL refuses root)."""
    bindir = _pg_bindir()
    root = tempfile.mkdtemp(prefix="omni-extpg-")
    run = os.path.join(root, "run")
    os.makedirs(run)
    prefix = []
    if os.geteuid() == 0:
        if subprocess.run(["id", "omni-pg"], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "--no-create-home", "omni-pg"], check=True)
        subprocess.run(["chown", "-R", "omni-pg", root], check=True)
        prefix = ["runuser", "-u", "omni-pg", "--"]
    data = os.path.join(root, "pg")
    subprocess.run(prefix + [bindir + "/initdb", "-D", data, "-U", "omni", "--auth=trust",
                             "-E", "UTF8", "--no-locale"], check=True, capture_output=True)
    subprocess.run(prefix + [bindir + "/pg_ctl", "-D", data, "-l", os.path.join(root, "log"),
                             "-o", "-k %s -c listen_addresses= -c fsync=off" % run, "-w",
                             "start"], check=True, capture_output=True)
    subprocess.run(prefix + [bindir + "/createdb", "-h", run, "-U", "omni", "omni"], check=True)
    try:
        yield "postgresql:///omni?host=%s&user=omni" % run
    finally:
        subprocess.run(prefix + [bindir + "/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
