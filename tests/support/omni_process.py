"""Starting an omni-emulator process for the suites that run servers of their own (transport,
durability, fault injection, PostgreSQL supervision, sessions, clock, presence on the clock).

start() runs `omni-emulator serve` with the given options, reads its standard output until the
"ready" line (noting the embedded PostgreSQL's URL), keeps draining it in the background so the
server never blocks on a full pipe, and waits until /_emulator/health answers 200.
"""
import os
import re
import subprocess
import threading
import time

import requests

BUILD = os.environ.get("OMNI_BUILD_DIR", "build")


class Started:
    def __init__(self, proc, db_url, base):
        self.proc = proc
        self.db_url = db_url  # the embedded PostgreSQL's URL (None with --database-url)
        self.base = base


def healthy(base, timeout=2):
    try:
        return requests.get(base + "/_emulator/health", timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


def start(port, args=(), data_dir=None, database_url=None, log=None, health_seconds=20):
    """Starts a server on `port` over data_dir (embedded PostgreSQL) or database_url; `log` is a
    file object for its standard error. Raises AssertionError when it does not come up."""
    cmd = [os.path.join(BUILD, "omni-emulator"), "serve", "--port", str(port)]
    if database_url:
        cmd += ["--database-url", database_url]
    elif data_dir:
        cmd += ["--data-dir", data_dir]
    proc = subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE, stderr=log, text=True)
    db_url = None
    deadline = time.time() + 90
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"embedded PostgreSQL at (\S+)", line)
        if m:
            db_url = m.group(1)
        if "omni-emulator ready" in line:
            break
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    base = "http://localhost:%d" % port
    deadline = time.time() + health_seconds
    while time.time() < deadline:
        if healthy(base):
            return Started(proc, db_url, base)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    raise AssertionError("server on %d did not become healthy" % port)
