"""Fault injection: no request can crash the server, and a failed record leaves nothing behind.

Runs its own server with --fault-inject (a built-in change listener throws on every change of
ServicePresenceStatus; the dispatcher throws while saving a Group), talks raw SOAP over HTTP, and
counts rows and change-log entries straight in the embedded PostgreSQL with psql.
"""
import os
import re
import subprocess
import sys
import time
import uuid

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import omni_process  # noqa: E402  (tests/support)

BUILD = os.environ.get("OMNI_BUILD_DIR", "build")
PORT = int(os.environ.get("OMNI_FAULT_INJECT_PORT", "18345"))
BASE = f"http://localhost:{PORT}"
DATA = os.path.join(BUILD, "fault-inject-data")
LOG = os.path.join(BUILD, "fault-inject-server.log")
SOAP = BASE + "/services/Soap/u/44.0"
UNEXPECTED = "An unexpected error occurred. Please include this ErrorId if you contact support: "

ENV = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:p="urn:partner.soap.sforce.com" xmlns:s="urn:sobject.partner.soap.sforce.com">'
       '<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>'
       '</soapenv:Envelope>')


def start_server():
    log = open(LOG, "w")
    s = omni_process.start(PORT, ["--workers", "4", "--fault-inject",
                                  "listener-throw:ServicePresenceStatus,call-throw:Group"],
                           data_dir=DATA, log=log)
    assert s.db_url, "server did not report its database"
    return s.proc, s.db_url


def healthy():
    try:
        return requests.get(BASE + "/_emulator/health", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def post(body, session=None, all_or_none=False):
    header = ""
    if session:
        header += f"<p:SessionHeader><p:sessionId>{session}</p:sessionId></p:SessionHeader>"
    if all_or_none:
        header += "<p:AllOrNoneHeader><p:allOrNone>true</p:allOrNone></p:AllOrNoneHeader>"
    return requests.post(SOAP, data=ENV.format(header=header, body=body),
                         headers={"Content-Type": "text/xml", "SOAPAction": '""'}, timeout=30)


def login():
    r = post('<p:login><p:username>admin@omni.local</p:username>'
             '<p:password>password</p:password></p:login>')
    return re.search(r"sessionId>([^<]+)<", r.text).group(1)


def sps(tag):
    return (f"<p:sObjects><s:type>ServicePresenceStatus</s:type>"
            f"<s:DeveloperName>{tag}</s:DeveloperName><s:MasterLabel>{tag}</s:MasterLabel>"
            "</p:sObjects>")


def case(subject):
    return f"<p:sObjects><s:type>Case</s:type><s:Subject>{subject}</s:Subject></p:sObjects>"


def group(name):
    return (f"<p:sObjects><s:type>Group</s:type><s:Name>{name}</s:Name>"
            "<s:Type>Regular</s:Type></p:sObjects>")


def results(text):
    """[(success, statusCode or None, message or None, id or None)] of a create response."""
    out = []
    for r in re.findall(r"<(?:\w+:)?result>(.*?)</(?:\w+:)?result>", text, re.S):
        success = re.search(r"<(?:\w+:)?success>true<", r) is not None
        code = re.search(r"<(?:\w+:)?statusCode>([^<]+)<", r)
        msg = re.search(r"<(?:\w+:)?message>([^<]*)<", r)
        rid = re.search(r"<(?:\w+:)?id>([^<]+)<", r)
        out.append((success, code and code.group(1), msg and msg.group(1), rid and rid.group(1)))
    return out


def psql(db_url, sql):
    return subprocess.run(["psql", db_url, "-At", "-c", sql], capture_output=True, text=True,
                          check=True).stdout.strip()


def main():
    subprocess.run(["rm", "-rf", DATA], check=True)
    proc, db_url = start_server()
    try:
        session = login()
        tag = "f" + uuid.uuid4().hex[:8]

        # A throwing listener fails each record with UNKNOWN_EXCEPTION and an opaque ErrorId.
        r = post("<p:create>" + sps(tag + "_a") + sps(tag + "_b") + "</p:create>", session)
        assert r.status_code == 200, r.text
        res = results(r.text)
        assert len(res) == 2, r.text
        for success, code, msg, rid in res:
            assert not success and code == "UNKNOWN_EXCEPTION", r.text
            assert msg.startswith(UNEXPECTED) and rid is None, r.text
            assert "fault injection" not in r.text and "listener" not in r.text, r.text
        error_id = res[0][2][len(UNEXPECTED):]
        # Under AllOrNoneHeader the listener's throw rolls back the good record as well.
        r = post("<p:create>" + case(tag + "_rolled") + sps(tag + "_c") + "</p:create>", session,
                 all_or_none=True)
        assert r.status_code == 200, r.text
        res = results(r.text)
        assert [x[1] for x in res] == ["ALL_OR_NONE_OPERATION_ROLLED_BACK", "UNKNOWN_EXCEPTION"], \
            r.text
        # Without it, the good record of the same call is kept.
        r = post("<p:create>" + case(tag + "_kept") + sps(tag + "_d") + "</p:create>", session)
        res = results(r.text)
        assert res[0][0] and res[1][1] == "UNKNOWN_EXCEPTION", r.text
        kept_id = res[0][3]
        # An unexpected exception outside any listener is the UNKNOWN_EXCEPTION fault.
        r = post("<p:create>" + group(tag + "_g") + "</p:create>", session)
        assert r.status_code == 500, r.text
        assert "<faultcode>sf:UNKNOWN_EXCEPTION</faultcode>" in r.text, r.text
        assert UNEXPECTED in r.text and "fault injection" not in r.text, r.text

        # Nothing half-written: no rows, no change-log entries for any failed record.
        assert psql(db_url, "SELECT count(*) FROM sobj_servicepresencestatus WHERE "
                    f"developername LIKE '{tag}%'") == "0"
        assert psql(db_url, f"SELECT count(*) FROM sobj_group WHERE name LIKE '{tag}%'") == "0"
        assert psql(db_url, f"SELECT count(*) FROM sobj_case WHERE subject LIKE '{tag}%'") == "1"
        logged = psql(db_url, "SELECT object || ' ' || record_id FROM omni_change_log WHERE "
                      f"after::text LIKE '%{tag}%'")
        assert logged == "Case " + kept_id, logged

        # The server kept serving throughout, and logged the ErrorId it answered with.
        assert proc.poll() is None, "server died"
        assert healthy(), "health is not 200"
        r = post("<p:create>" + case(tag + "_after") + "</p:create>", session)
        assert results(r.text)[0][0], r.text
        time.sleep(0.2)
        assert error_id in open(LOG).read(), "ErrorId not in the server log"
        print("1 passed, 0 failed")
    finally:
        proc.terminate()
        proc.wait(timeout=60)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("fault_injection: FAILED:", e)
        print("0 passed, 1 failed")
        sys.exit(1)
