"""Sessions and logins as Salesforce keeps them (issue 7 item 5), against real servers started here.

* A session expires after the session timeout without a call (--session-timeout; login's
  sessionSecondsValid says it), and any call after that gets Salesforce's INVALID_SESSION_ID
  fault, in every server process over the database.
* A call moves the expiry once more than half of the timeout has passed since it last moved.
* After --lockout-attempts wrong passwords in a row the user is locked out for
  --lockout-duration seconds with PASSWORD_LOCKOUT (a LoginFault), even with the right
  password, counted in the database so that a second process agrees; a right password ends a run.
* Without a cryptographic random source the server refuses to start.

Ports: OMNI_SESSIONS_PORT and the next one (CTest derives them from OMNI_TEST_PORT).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import omni_process  # noqa: E402  (tests/support)
from lxml import etree

BUILD = os.environ.get("OMNI_BUILD_DIR", "build")
PORT = int(os.environ.get("OMNI_SESSIONS_PORT", "18053"))
SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
FAULT_NS = "urn:fault.partner.soap.sforce.com"
ADMIN, PASSWORD = "admin@omni.local", "password"

ENV = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:p="urn:partner.soap.sforce.com" xmlns:s="urn:sobject.partner.soap.sforce.com">'
       '<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>'
       '</soapenv:Envelope>')
INVALID_SESSION = "Invalid Session ID found in SessionHeader: Illegal Session"
INVALID_LOGIN = "Invalid username, password, security token; or user locked out."
LOCKOUT = ("The user has exceeded the allowed number of login attempts. The user must contact the "
           "administrator to regain login access.")


def local(tag):
    return etree.QName(tag).localname


def find(root, name):
    """The first element of this local name (whatever its prefix or namespace)."""
    for e in root.iter():
        if isinstance(e.tag, str) and local(e.tag) == name:
            return e
    return None


class Server:
    def __init__(self, port, *args, data_dir=None, database_url=None):
        self.port = port
        self.base = "http://localhost:%d" % port
        self.log = open(os.path.join(BUILD, "sessions-server-%d.log" % port), "a")
        try:
            started = omni_process.start(port, ["--workers", "4", *args], data_dir=data_dir,
                                         database_url=database_url, log=self.log)
        except AssertionError:
            self.log.close()
            raise
        self.proc, self.db_url = started.proc, started.db_url

    def post(self, header, body):
        r = requests.post(self.base + "/services/Soap/u/44.0",
                          data=ENV.format(header=header, body=body).encode(),
                          headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
                          timeout=30)
        return r, etree.fromstring(r.content)

    def login(self, username=ADMIN, password=PASSWORD):
        return self.post("", "<p:login><p:username>%s</p:username><p:password>%s</p:password>"
                             "</p:login>" % (username, password))

    def session(self):
        r, root = self.login()
        assert r.status_code == 200, r.text[:500]
        return find(root, "sessionId").text, root

    def server_timestamp(self, session):
        return self.post("<p:SessionHeader><p:sessionId>%s</p:sessionId></p:SessionHeader>"
                         % session, "<p:getServerTimestamp/>")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def assert_ok(r, root):
    assert r.status_code == 200, r.text[:500]
    assert find(root, "Fault") is None, r.text[:500]


def assert_fault(r, root, code, message, detail_type, faultcode):
    """Salesforce's fault shape: faultcode, faultstring "<code>: <message>", and a detail element
    of the fault's type in the fault namespace with exceptionCode and exceptionMessage."""
    assert r.status_code == 500, r.text[:500]
    fault = find(root, "Fault")
    assert fault is not None, r.text[:500]
    assert find(fault, "faultcode").text == faultcode, r.text[:500]
    assert find(fault, "faultstring").text == "%s: %s" % (code, message)
    detail = find(fault, "detail")
    [typed] = list(detail)
    assert etree.QName(typed.tag) == etree.QName(FAULT_NS, detail_type), r.text[:500]
    xsi_type = typed.get("{http://www.w3.org/2001/XMLSchema-instance}type")
    assert xsi_type is not None and xsi_type.split(":")[-1] == detail_type
    assert find(typed, "exceptionCode").text == code
    assert find(typed, "exceptionMessage").text == message


def assert_invalid_session(r, root):
    assert_fault(r, root, "INVALID_SESSION_ID", INVALID_SESSION, "UnexpectedErrorFault",
                 "sf:INVALID_SESSION_ID")


def server_factory(default_port, prefix):
    """A fixture body: yields start(*args, port=..., database_url=None), which starts a server
    over one fresh data directory (or database_url); every server is stopped and the directory
    removed afterwards."""
    data = tempfile.mkdtemp(prefix=prefix, dir=BUILD)
    started = []

    def start(*args, port=default_port, database_url=None):
        s = Server(port, *args, data_dir=None if database_url else data,
                   database_url=database_url)
        started.append(s)
        return s

    yield start
    for s in reversed(started):
        s.stop()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def data_dir():
    d = tempfile.mkdtemp(prefix="omni-sessions-", dir=BUILD)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def servers(data_dir, tmp_path):
    """Starts servers; fresh=True gives the server a database of its own (for a test that leaves
    the admin locked out)."""
    started = []

    def start(*args, port=PORT, database_url=None, fresh=False):
        own = None if database_url else (str(tmp_path / "data") if fresh else data_dir)
        s = Server(port, *args, data_dir=own, database_url=database_url)
        started.append(s)
        return s
    yield start
    for s in reversed(started):
        s.stop()


def test_default_timeout_is_two_hours(servers):
    a = servers()
    _, root = a.session()
    assert find(root, "sessionSecondsValid").text == "7200"


def test_session_expires_after_the_timeout_in_every_process(servers):
    a = servers("--session-timeout", "4")
    b = servers("--session-timeout", "4", port=PORT + 1, database_url=a.db_url)
    session, root = a.session()
    assert find(root, "sessionSecondsValid").text == "4"
    info_r, info = a.post("<p:SessionHeader><p:sessionId>%s</p:sessionId></p:SessionHeader>"
                          % session, "<p:getUserInfo/>")
    assert_ok(info_r, info)
    assert find(info, "sessionSecondsValid").text == "4"
    # Both processes honour it (b from the database, then from its cache).
    for s in (a, b, a, b):
        assert_ok(*s.server_timestamp(session))
    time.sleep(4.5)
    # No call for longer than the timeout: every process refuses it, with Salesforce's fault.
    for s in (a, b):
        assert_invalid_session(*s.server_timestamp(session))
    # A fresh login works again.
    fresh, _ = b.session()
    assert_ok(*a.server_timestamp(fresh))


def test_calls_keep_a_session_alive(servers):
    """A call after half of the timeout moves the expiry: calls every 2.5 s keep a 4 s session
    alive well past 4 s; in the other process too (it finds the moved expiry in the database)."""
    a = servers("--session-timeout", "4")
    b = servers("--session-timeout", "4", port=PORT + 1, database_url=a.db_url)
    session, _ = a.session()
    started = time.time()
    for s in (a, b, a, b):
        time.sleep(2.5)
        assert_ok(*s.server_timestamp(session))
    assert time.time() - started > 9
    time.sleep(4.5)
    assert_invalid_session(*a.server_timestamp(session))
    assert_invalid_session(*b.server_timestamp(session))


def test_a_call_before_half_the_timeout_does_not_extend(servers):
    """Salesforce's rule: activity in the first half of the timeout does not move the expiry."""
    a = servers("--session-timeout", "6")
    session, _ = a.session()
    time.sleep(1)
    assert_ok(*a.server_timestamp(session))  # at 1 s of 6: no extension
    time.sleep(5.5)
    assert_invalid_session(*a.server_timestamp(session))


def test_lockout_after_wrong_passwords_in_every_process(servers):
    a = servers("--lockout-attempts", "3", "--lockout-duration", "4")
    b = servers("--lockout-attempts", "3", "--lockout-duration", "4", port=PORT + 1,
                database_url=a.db_url)

    def login_fault(server, password, code, message):
        r, root = server.login(password=password)
        assert_fault(r, root, code, message, "LoginFault", code)

    # Two wrong passwords, then the right one: the run ends, nothing is locked.
    login_fault(a, "wrong1", "INVALID_LOGIN", INVALID_LOGIN)
    login_fault(b, "wrong2", "INVALID_LOGIN", INVALID_LOGIN)
    assert_ok(*a.login())
    # Three wrong passwords in a row, through both processes: the third locks the user out.
    login_fault(b, "wrong3", "INVALID_LOGIN", INVALID_LOGIN)
    login_fault(a, "wrong4", "INVALID_LOGIN", INVALID_LOGIN)
    login_fault(b, "wrong5", "INVALID_LOGIN", INVALID_LOGIN)
    # Locked out everywhere, even with the right password.
    login_fault(a, PASSWORD, "PASSWORD_LOCKOUT", LOCKOUT)
    login_fault(b, PASSWORD, "PASSWORD_LOCKOUT", LOCKOUT)
    login_fault(a, "wrong6", "PASSWORD_LOCKOUT", LOCKOUT)
    # An unknown user is still INVALID_LOGIN (nothing to lock).
    r, root = a.login(username="nobody@omni.local", password="x")
    assert_fault(r, root, "INVALID_LOGIN", INVALID_LOGIN, "LoginFault", "INVALID_LOGIN")
    time.sleep(4.5)
    # The lockout is over: the right password logs in, and a new run starts from zero.
    assert_ok(*b.login())
    login_fault(a, "wrong7", "INVALID_LOGIN", INVALID_LOGIN)
    assert_ok(*a.login())


def test_default_lockout_is_ten_attempts(servers):
    a = servers(fresh=True)  # leaves the admin locked out for 15 minutes
    for i in range(9):
        r, root = a.login(password="bad%d" % i)
        assert_fault(r, root, "INVALID_LOGIN", INVALID_LOGIN, "LoginFault", "INVALID_LOGIN")
    assert_ok(*a.login())  # nine in a row do not lock
    for i in range(10):
        r, root = a.login(password="bad%d" % i)
        assert_fault(r, root, "INVALID_LOGIN", INVALID_LOGIN, "LoginFault", "INVALID_LOGIN")
    r, root = a.login()
    assert_fault(r, root, "PASSWORD_LOCKOUT", LOCKOUT, "LoginFault", "PASSWORD_LOCKOUT")


def test_session_ids_are_random_and_distinct(servers):
    a = servers()
    ids = {a.session()[0] for _ in range(20)}
    assert len(ids) == 20
    for sid in ids:
        org, token = sid.split("!", 1)
        assert len(org) == 15 and len(token) == 96
        assert re.fullmatch(r"[A-Za-z0-9._]+", token)


SHIM = textwrap.dedent("""
    #include <errno.h>
    #include <sys/types.h>
    ssize_t getrandom(void *buf, size_t n, unsigned int flags) {
      (void)buf; (void)n; (void)flags;
      errno = EPERM;
      return -1;
    }
""")


def test_no_random_source_no_server(data_dir, tmp_path):
    """getrandom(2) refused (as a seccomp filter would): the server says why and exits non-zero
    before it listens."""
    src = tmp_path / "norandom.c"
    src.write_text(SHIM)
    lib = tmp_path / "libnorandom.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    env = dict(os.environ, LD_PRELOAD=str(lib))
    p = subprocess.run([os.path.join(BUILD, "omni-emulator"), "serve", "--port", str(PORT),
                        "--data-dir", data_dir], env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode != 0
    assert "no cryptographic random source for session ids" in p.stderr, p.stderr
    with pytest.raises(requests.RequestException):
        requests.get("http://localhost:%d/_emulator/health" % PORT, timeout=2)
