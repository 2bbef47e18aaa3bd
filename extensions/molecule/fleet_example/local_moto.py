"""Start and stop a moto server for this Molecule scenario, recorded in a state directory (Molecule's ephemeral
directory): ``moto.pid``, ``moto.url`` and ``moto.log``. Needs ``moto[server]`` in the Python that runs it.

python local_moto.py start STATE_DIR   # prints "started moto server pid N at URL" (or "already running ...")
python local_moto.py stop STATE_DIR    # prints "stopped moto server pid N" (or "no moto server recorded")
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

READY_SECONDS = 30
STOP_SECONDS = 10


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url):
    try:
        with urllib.request.urlopen(url + "/moto-api/", timeout=2):
            return True
    except OSError:
        return False


def alive(pid):
    """True while ``pid`` runs; a zombie (exited, not yet reaped by its new parent) counts as stopped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path("/proc/{}/stat".format(pid)).read_text()
    except OSError:
        return True  # no /proc (macOS): kill(pid, 0) is all there is
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def is_moto(pid):
    """Whether ``pid`` is a moto server (not another process that got the recorded PID after a reboot)."""
    try:
        return b"moto" in Path("/proc/{}/cmdline".format(pid)).read_bytes()
    except OSError:
        return alive(pid)


def recorded(state):
    try:
        return int((state / "moto.pid").read_text()), (state / "moto.url").read_text().strip()
    except (OSError, ValueError):
        return None, None


def launch(state, port):
    """moto server in a session of its own (it outlives this script and Ansible's task); its PID, or None."""
    with open(state / "moto.log", "ab") as log:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with  # it must outlive this script
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = "http://127.0.0.1:{}".format(port)
    deadline = time.monotonic() + READY_SECONDS
    while proc.poll() is None and time.monotonic() < deadline:
        if answers(url):
            return proc.pid, url
        time.sleep(0.2)
    if proc.poll() is None:
        proc.kill()
    return None, url  # exited: most likely another process took the port between the probe and moto's bind


def start(state):
    state.mkdir(parents=True, exist_ok=True)
    pid, url = recorded(state)
    if pid and alive(pid) and is_moto(pid) and answers(url):
        return "already running: moto server pid {} at {}".format(pid, url)
    for _attempt in range(5):
        pid, url = launch(state, free_port())
        if pid:
            (state / "moto.pid").write_text(str(pid))
            (state / "moto.url").write_text(url)
            return "started moto server pid {} at {}".format(pid, url)
    sys.exit("moto server did not start (is moto[server] installed?); see {}".format(state / "moto.log"))


def stop(state):
    pid, _url = recorded(state)
    if not pid:
        return "no moto server recorded in {}".format(state)
    if alive(pid) and is_moto(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    for name in ("moto.pid", "moto.url"):
        (state / name).unlink()
    return "stopped moto server pid {}".format(pid)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        sys.exit("usage: local_moto.py start|stop STATE_DIR")
    print((start if argv[1] == "start" else stop)(Path(argv[2])))


if __name__ == "__main__":
    main(sys.argv)
