"""Supervision of the embedded PostgreSQL, against a real server and its real cluster.

- postmaster SIGKILLed: calls meanwhile fail fast with a fault (or succeed once healed), the same
  server heals by itself (health 200 again, no restart of the emulator), the data committed
  before is still there, new writes work, no zombie child is left, and SIGTERM then stops the
  emulator quickly and leaves no postgres running.
- emulator SIGKILLed (alone, and together with its postmaster, and with the stale lock's pid
  taken by an unrelated process): a new server on the same data dir starts, and the data is there.
- --durability: full runs the cluster with fsync on, the default with fsync off.

Runs its own servers on its own port and data dir (it kills them), talks raw SOAP over HTTP, and
reads the cluster's postmaster.pid and the server's printed psql URL.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import omni_process  # noqa: E402  (tests/support)

BUILD = os.path.abspath(os.environ.get("OMNI_BUILD_DIR", "build"))
PORT = int(os.environ.get("OMNI_PG_SUPERVISION_PORT", "18246"))
BASE = f"http://localhost:{PORT}"
DATA = os.path.join(BUILD, "pg-supervision-data")
LOG = os.path.join(BUILD, "pg-supervision-server.log")
SOAP = BASE + "/services/Soap/u/44.0"
FAST = 5.0  # "answered quickly": a generous bound, not a performance assertion
# Every request on its own connection: a kept-alive idle connection would hold the HTTP server's
# shutdown (a transport matter), and the stop time measured here is the embedded cluster's.
HEADERS = {"Connection": "close"}

ENV = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:p="urn:partner.soap.sforce.com" xmlns:s="urn:sobject.partner.soap.sforce.com">'
       '<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>'
       '</soapenv:Envelope>')


class Server:
    def __init__(self, *extra):
        self.log = open(LOG, "a")
        started = omni_process.start(PORT, ["--workers", "4", *extra], data_dir=DATA,
                                     log=self.log, health_seconds=30)
        self.proc, self.db_url = started.proc, started.db_url
        assert self.db_url, "server did not report its database (see %s)" % LOG
        self.session = login()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()

    def terminate(self):
        """SIGTERM; returns the seconds until the process exited."""
        start = time.time()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        finally:
            self.log.close()
        return time.time() - start


def health():
    try:
        return requests.get(BASE + "/_emulator/health", headers=HEADERS, timeout=FAST).status_code
    except requests.RequestException:
        return None


def wait_healthy(seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if health() == 200:
            return True
        time.sleep(0.1)
    return False


def post(header, body, timeout=30):
    return requests.post(SOAP, data=ENV.format(header=header, body=body),
                         headers={"Content-Type": "text/xml", **HEADERS}, timeout=timeout)


def login():
    r = post("", '<p:login><p:username>admin@omni.local</p:username>'
                 '<p:password>password</p:password></p:login>')
    m = re.search(r"sessionId>([^<]+)<", r.text)
    assert m, "login failed: %s" % r.text[:300]
    return m.group(1)


def session_header(session):
    return f"<p:SessionHeader><p:sessionId>{session}</p:sessionId></p:SessionHeader>"


def create(session, name, timeout=30):
    """Returns the response of a create of one ServicePresenceStatus named `name`."""
    obj = (f"<p:sObjects><s:type>ServicePresenceStatus</s:type>"
           f"<s:DeveloperName>{name}</s:DeveloperName><s:MasterLabel>{name}</s:MasterLabel>"
           f"</p:sObjects>")
    return post(session_header(session), f"<p:create>{obj}</p:create>", timeout=timeout)


def created_id(r):
    if r.status_code != 200 or "<success>true</success>" not in r.text.replace("p:", ""):
        return None
    m = re.search(r"<(?:\w+:)?id>([^<]+)</", r.text)
    return m.group(1) if m else None


def create_ok(session, name):
    r = create(session, name)
    rid = created_id(r)
    assert rid, "create failed: %s %s" % (r.status_code, r.text[:400])
    return rid


def retrieve_name(session, rid):
    body = (f"<p:retrieve><p:fieldList>Id, DeveloperName</p:fieldList>"
            f"<p:sObjectType>ServicePresenceStatus</p:sObjectType><p:ids>{rid}</p:ids>"
            f"</p:retrieve>")
    r = post(session_header(session), body)
    assert r.status_code == 200, "retrieve failed: %s %s" % (r.status_code, r.text[:400])
    m = re.search(r"DeveloperName[^>]*>([^<]+)</", r.text)
    return m.group(1) if m else None


def postmaster_pid():
    with open(os.path.join(DATA, "pg", "postmaster.pid")) as f:
        return int(f.readline())


def proc_stat(pid):
    """(state, ppid) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    rest = text[text.rindex(")") + 2:].split()
    return rest[0], int(rest[1])


def zombie_children(parent):
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[0] == "Z" and st[1] == parent:
                out.append(int(name))
    return out


def cluster_processes():
    """Live (non-zombie) processes working in the cluster directory: postgres and its backends."""
    cluster = os.path.realpath(os.path.join(DATA, "pg"))
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{name}/cwd")
        except OSError:
            continue
        st = proc_stat(int(name))
        if cwd == cluster and st and st[0] != "Z":
            out.append(int(name))
    return out


def wait_no_cluster_processes(seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if not cluster_processes():
            return True
        time.sleep(0.05)
    return not cluster_processes()


def psql(db_url, sql):
    return subprocess.run(["psql", db_url, "-X", "-At", "-c", sql], capture_output=True,
                          text=True, check=True).stdout.strip()


def fresh_data():
    subprocess.run(["rm", "-rf", DATA], check=True)


def test_postmaster_sigkill_heals():
    fresh_data()
    server = Server()
    try:
        tag = "sup" + uuid.uuid4().hex[:8]
        before_id = create_ok(server.session, tag + "_before")
        old_pm = postmaster_pid()
        assert proc_stat(old_pm)[1] == server.proc.pid, "postmaster is not the emulator's child"

        # A writer keeps creating through the kill: every create answered with success must
        # still be there afterwards (commits reach the kernel before the reply, even with fsync
        # off, and crash recovery replays them).
        stop_writer = threading.Event()
        acknowledged, slow = [], []

        def writer():
            i = 0
            while not stop_writer.is_set():
                name = f"{tag}_load_{i}"
                start = time.time()
                try:
                    r = create(server.session, name, timeout=FAST + 5)
                    if created_id(r):
                        acknowledged.append(name)
                except requests.RequestException:
                    pass
                if time.time() - start >= FAST:
                    slow.append(name)
                i += 1

        load = threading.Thread(target=writer)
        load.start()
        time.sleep(0.5)
        os.kill(old_pm, signal.SIGKILL)
        # Calls right after the kill: each is answered quickly, with success (already healed)
        # or the opaque fault, never a hang, an HTTP error page or a half answer.
        outcomes = {"ok": 0, "fault": 0}
        saw_unhealthy = False
        healed_at = None
        deadline = time.time() + 30
        n = 0
        while time.time() < deadline:
            start = time.time()
            r = create(server.session, f"{tag}_during_{n}", timeout=FAST + 5)
            took = time.time() - start
            assert took < FAST, "a call took %.1f s while the database was down" % took
            if created_id(r):
                outcomes["ok"] += 1
            else:
                assert r.status_code == 500 and "UNKNOWN_EXCEPTION" in r.text, \
                    "unexpected answer while the database was down: %s %s" % (
                        r.status_code, r.text[:400])
                outcomes["fault"] += 1
            n += 1
            h = health()
            if h != 200:
                saw_unhealthy = True
            elif outcomes["ok"] and healed_at is None:
                healed_at = time.time()
                break
            time.sleep(0.02)
        time.sleep(0.5)
        stop_writer.set()
        load.join()
        assert healed_at, "not healthy again within 30 s (outcomes %s)" % outcomes
        assert not slow, "writer calls that took 5 s or more: %s" % slow
        print(f"  after the kill: {outcomes}, health seen failing: {saw_unhealthy}")

        assert server.proc.poll() is None, "the emulator itself stopped"
        new_pm = postmaster_pid()
        assert new_pm != old_pm
        assert proc_stat(new_pm)[1] == server.proc.pid, "restarted postmaster is not our child"
        assert proc_stat(old_pm) is None or proc_stat(old_pm)[1] != server.proc.pid, \
            "the killed postmaster was not reaped"

        # The record committed before the kill survived it (WAL replayed), and writes work.
        assert retrieve_name(server.session, before_id) == tag + "_before"
        after_id = create_ok(server.session, tag + "_after")
        assert retrieve_name(server.session, after_id) == tag + "_after"
        assert psql(server.db_url, "SELECT count(*) FROM sobj_servicepresencestatus WHERE "
                                   f"developername = '{tag}_before'") == "1"
        stored = set(psql(server.db_url, "SELECT developername FROM sobj_servicepresencestatus "
                                         f"WHERE developername LIKE '{tag}_load_%'").split())
        lost = [n for n in acknowledged if n not in stored]
        assert len(acknowledged) > 5, "too few writes around the kill to mean anything"
        assert not lost, "creates answered with success but lost: %s" % lost
        print(f"  writer: {len(acknowledged)} creates acknowledged, all stored")
        time.sleep(0.2)
        zombies = zombie_children(server.proc.pid)
        assert not zombies, "zombie children of the emulator: %s" % zombies

        took = server.terminate()
        assert server.proc.returncode == 0, "exit code %s" % server.proc.returncode
        assert took < 2.0, "SIGTERM took %.1f s" % took
        assert wait_no_cluster_processes(1.0), \
            "postgres still running after stop: %s" % cluster_processes()
        assert not os.path.exists(os.path.join(DATA, "pg", "postmaster.pid"))
    finally:
        server.kill()


def test_restart_after_emulator_sigkill():
    fresh_data()
    server = Server()
    tag = "kil" + uuid.uuid4().hex[:8]
    try:
        first_id = create_ok(server.session, tag + "_1")
        # 1. The emulator alone: its postmaster is told to stop (parent-death signal); a new
        # server on the same data dir may find it still shutting down, and starts all the same.
        server.kill()
        server = Server()
        assert retrieve_name(server.session, first_id) == tag + "_1"
        second_id = create_ok(server.session, tag + "_2")

        # 2. The emulator and its postmaster together (SIGKILL both): postmaster.pid stays
        # behind with a dead pid, and the old backends exit by themselves.
        pm = postmaster_pid()
        os.kill(server.proc.pid, signal.SIGKILL)
        os.kill(pm, signal.SIGKILL)
        server.kill()
        lock = os.path.join(DATA, "pg", "postmaster.pid")
        assert os.path.exists(lock), "no stale postmaster.pid to test with"
        with open(lock) as f:
            stale = f.read()
        server = Server()
        assert retrieve_name(server.session, first_id) == tag + "_1"
        assert retrieve_name(server.session, second_id) == tag + "_2"
        third_id = create_ok(server.session, tag + "_3")

        # 3. As after a reboot: the stale lock's pid now belongs to an unrelated live process,
        # which would make postgres refuse to start ("lock file already exists").
        pm = postmaster_pid()
        os.kill(server.proc.pid, signal.SIGKILL)
        os.kill(pm, signal.SIGKILL)
        server.kill()
        assert wait_no_cluster_processes(10), "old backends did not exit"
        squatter = subprocess.Popen(["sleep", "60"])
        try:
            lines = stale.split("\n")
            lines[0] = str(squatter.pid)
            with open(lock, "w") as f:
                f.write("\n".join(lines))
            server = Server()
            assert retrieve_name(server.session, third_id) == tag + "_3"
            create_ok(server.session, tag + "_4")
            assert squatter.poll() is None, "the unrelated process was harmed"
        finally:
            squatter.kill()
            squatter.wait()
        server.terminate()
        assert server.proc.returncode == 0
    finally:
        server.kill()


def test_durability_option():
    fresh_data()
    server = Server("--durability", "full")
    try:
        settings = psql(server.db_url, "SELECT current_setting('fsync') || ',' || "
                                       "current_setting('full_page_writes') || ',' || "
                                       "current_setting('synchronous_commit')")
        assert settings == "on,on,on", "full durability runs with %s" % settings
        server.terminate()
        server = Server()
        settings = psql(server.db_url, "SELECT current_setting('fsync') || ',' || "
                                       "current_setting('full_page_writes') || ',' || "
                                       "current_setting('synchronous_commit')")
        assert settings == "off,off,on", "default durability runs with %s" % settings
        server.terminate()
    finally:
        server.kill()
    bad = subprocess.run([os.path.join(BUILD, "omni-emulator"), "serve", "--port", str(PORT),
                          "--data-dir", DATA, "--durability", "sometimes"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--durability" in bad.stderr, (bad.returncode, bad.stderr)


def main():
    tests = [test_postmaster_sigkill_heals, test_restart_after_emulator_sigkill,
             test_durability_option]
    passed = failed = 0
    for test in tests:
        print(test.__name__)
        try:
            test()
            passed += 1
            print("  ok")
        except (AssertionError, subprocess.CalledProcessError, requests.RequestException) as e:
            failed += 1
            print("  FAILED:", repr(e))
            traceback.print_exc(file=sys.stdout)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
