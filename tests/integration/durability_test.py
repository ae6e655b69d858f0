"""Crash durability: SIGKILL the server in the middle of a stream of allOrNone creates.

Every call is one transaction, so after a restart each call's records must be either all there
or all absent, and every call that was answered with success must be all there. Runs its own
server (it kills it), talks raw SOAP over HTTP, and counts rows straight in the embedded
PostgreSQL with psql, whose URL the server prints at start-up.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import omni_process  # noqa: E402  (tests/support)

BUILD = os.environ.get("OMNI_BUILD_DIR", "build")
PORT = int(os.environ.get("OMNI_DURABILITY_PORT", "18046"))
BASE = f"http://localhost:{PORT}"
DATA = os.path.join(BUILD, "durability-data")
PER_CALL = 5

ENV = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:p="urn:partner.soap.sforce.com" xmlns:s="urn:sobject.partner.soap.sforce.com">'
       '<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>'
       '</soapenv:Envelope>')


def start_server():
    log = open(os.path.join(BUILD, "durability-server.log"), "a")
    s = omni_process.start(PORT, ["--workers", "8"], data_dir=DATA, log=log)
    assert s.db_url, "server did not report its database"
    return s.proc, s.db_url


def login():
    body = ('<p:login><p:username>admin@omni.local</p:username>'
            '<p:password>password</p:password></p:login>')
    r = requests.post(BASE + "/services/Soap/u/44.0", data=ENV.format(header="", body=body),
                      headers={"Content-Type": "text/xml"}, timeout=30)
    return re.search(r"sessionId>([^<]+)<", r.text).group(1)


def create_call(session, tag, poison):
    """One allOrNone create of PER_CALL records tagged `tag`; `poison` makes the last invalid."""
    objs = ""
    for i in range(PER_CALL):
        relate = "Bogus" if (poison and i == PER_CALL - 1) else ""
        lang = f"<s:Language>{relate}</s:Language>" if relate else ""
        objs += (f"<p:sObjects><s:type>ServicePresenceStatus</s:type>"
                 f"<s:DeveloperName>{tag}_{i}</s:DeveloperName>"
                 f"<s:MasterLabel>{tag}</s:MasterLabel>{lang}</p:sObjects>")
    header = (f"<p:SessionHeader><p:sessionId>{session}</p:sessionId></p:SessionHeader>"
              "<p:AllOrNoneHeader><p:allOrNone>true</p:allOrNone></p:AllOrNoneHeader>")
    r = requests.post(BASE + "/services/Soap/u/44.0",
                      data=ENV.format(header=header, body=f"<p:create>{objs}</p:create>"),
                      headers={"Content-Type": "text/xml"}, timeout=30)
    return r.status_code == 200 and r.text.count("<success>true</success>") == PER_CALL


def count_rows(db_url, prefix):
    out = subprocess.run(["psql", db_url, "-At", "-c",
                          "SELECT split_part(developername, '_', 1) || '_' || "
                          "split_part(developername, '_', 2), count(*) FROM "
                          "sobj_servicepresencestatus WHERE developername LIKE '" + prefix +
                          "%' GROUP BY 1"],
                         capture_output=True, text=True, check=True).stdout
    counts = {}
    for line in out.splitlines():
        tag, n = line.split("|")
        counts[tag] = int(n)
    return counts


def main():
    subprocess.run(["rm", "-rf", DATA], check=True)
    proc, db_url = start_server()
    session = login()
    prefix = "d" + uuid.uuid4().hex[:8]
    sent, succeeded = [], []
    lock = threading.Lock()
    stop = threading.Event()

    def worker(w):
        n = 0
        while not stop.is_set():
            tag = f"{prefix}w{w}_{n}"
            poison = n % 4 == 3
            with lock:
                sent.append((tag, poison))
            try:
                if create_call(session, tag, poison):
                    with lock:
                        succeeded.append(tag)
            except requests.RequestException:
                return  # the server died under us: expected
            n += 1

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stop.set()
    for t in threads:
        t.join()

    proc, db_url = start_server()
    try:
        counts = count_rows(db_url, prefix)
        bad = {t: c for t, c in counts.items() if c not in (0, PER_CALL)}
        lost = [t for t in succeeded if counts.get(t, 0) != PER_CALL]
        poisoned = [t for t, p in sent if p and counts.get(t, 0) != 0]
        print(f"calls sent {len(sent)}, answered success {len(succeeded)}, "
              f"stored {sum(1 for c in counts.values() if c == PER_CALL)}")
        assert len(succeeded) > 10, "too few calls completed before the kill to mean anything"
        assert not bad, f"half-written calls after SIGKILL: {bad}"
        assert not lost, f"calls answered with success but lost: {lost}"
        assert not poisoned, f"allOrNone calls with an invalid record left rows: {poisoned}"
        # And the restarted server still serves the data through the API.
        assert login()
        print("1 passed, 0 failed")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("durability: FAILED:", e)
        print("0 passed, 1 failed")
        sys.exit(1)
