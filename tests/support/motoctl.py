"""Start and stop a moto server on a free loopback port; used by make demo, make test and benchmarks.

The server is moto's own application behind tests/support/moto_server.py's protocol adapter (Athena's rest-json
for botocore 1.44.14 and newer, which moto serves only as json).

python -m tests.support.motoctl start STATE_DIR   # prints the endpoint URL
python -m tests.support.motoctl stop STATE_DIR
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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/moto-api/", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("moto server at {} did not start".format(url)) from None
            time.sleep(0.1)


def start(state_dir):
    """Start moto server in the background; returns its URL. Its PID goes to STATE_DIR/moto.pid."""
    state = Path(state_dir)
    state.mkdir(parents=True, exist_ok=True)
    repo = Path(__file__).resolve().parents[2]
    for _attempt in range(5):
        port = free_port()
        with open(state / "moto.log", "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.support.moto_server", "-H", "127.0.0.1", "-p", str(port)],
                cwd=str(repo),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        url = "http://127.0.0.1:{}".format(port)
        try:
            wait_ready(url, timeout=20)
        except RuntimeError:
            proc.kill()
            continue
        if proc.poll() is not None:
            continue  # someone else took the port between our probe and moto's bind
        (state / "moto.pid").write_text(str(proc.pid))
        (state / "moto.url").write_text(url)
        return url
    raise RuntimeError("could not start moto server; see {}".format(state / "moto.log"))


def stop(state_dir):
    pid_file = Path(state_dir) / "moto.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
        for _attempt in range(50):
            if _reaped(pid):
                break
            os.kill(pid, 0)
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    pid_file.unlink()


def _reaped(pid):
    """True once our own child ``pid`` has exited (a zombie still answers kill(pid, 0))."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:  # not our child: kill(pid, 0) tells
        return False


def reset(url):
    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", data=b"", method="POST"), timeout=10).read()


if __name__ == "__main__":
    command, directory = sys.argv[1], sys.argv[2]
    if command == "start":
        print(start(directory))
    elif command == "stop":
        stop(directory)
    else:
        sys.exit("usage: motoctl start|stop STATE_DIR")
