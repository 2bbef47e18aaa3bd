"""A throwaway OpenSSH server on a free loopback port, for running modules over a real ssh connection.

Everything lives in one directory: a host key and a client key made by ssh-keygen, authorized_keys,
sshd_config, the PID file and the log. sshd runs in the foreground (-D) as a child of the caller, and
stop() ends it by its own PID. It logs in the user running the tests (root in CI), with the key only.

python -m tests.support.sshd DIR   # start, print the ssh command line to use it, stop on Enter
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.motoctl import free_port

#: Debian installs sshd in /usr/sbin, which is not on every PATH.
SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")

CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {dir}/ssh_host_ed25519_key
PidFile {dir}/sshd.pid
AuthorizedKeysFile {dir}/authorized_keys
AllowUsers {user}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
X11Forwarding no
AllowTcpForwarding no
Subsystem sftp internal-sftp
LogLevel VERBOSE
"""


def find_sshd():
    """Path of sshd, or None."""
    for candidate in (shutil.which("sshd"), *SSHD_CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)  # sshd refuses to re-exec itself from a relative path
    return None


@dataclass
class Sshd:
    """A running sshd: ``ssh_args()`` logs in as ``user`` at 127.0.0.1:``port`` with ``client_key``."""

    directory: Path
    port: int
    user: str
    client_key: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def log(self):
        return self.directory / "sshd.log"

    def ssh_args(self):
        """Options for ssh(1) (and ansible_ssh_common_args): the key only, no known_hosts."""
        return [
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityFile={}".format(self.client_key),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "BatchMode=yes",
        ]

    def ssh(self, *command, timeout=30):
        """Run ``command`` over ssh; returns the CompletedProcess."""
        return subprocess.run(
            ["ssh", *self.ssh_args(), "-p", str(self.port), "{}@127.0.0.1".format(self.user), *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    def stop(self):
        """SIGTERM to our sshd (SIGKILL after 5 s), and reap it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _keygen(path, comment):
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )


def _banner(port, timeout):
    """True when 127.0.0.1:port answers with an SSH banner."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            return sock.recv(64).startswith(b"SSH-")
    except OSError:
        return False


def _log_tail(path, lines=20):
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start(directory, timeout=20.0):
    """Generate the keys and config into ``directory``, start sshd, wait until a key login works."""
    sshd = find_sshd()
    if not sshd:
        raise RuntimeError("sshd not found: install the Debian package openssh-server (make integration does)")
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    user = getpass.getuser()
    host_key = directory / "ssh_host_ed25519_key"
    client_key = directory / "client_ed25519"
    if not host_key.exists():
        _keygen(host_key, "flowlogs-aws-tests-host")
    if not client_key.exists():
        _keygen(client_key, "flowlogs-aws-tests-client")
    (directory / "authorized_keys").write_text((directory / "client_ed25519.pub").read_text())
    if os.geteuid() == 0:
        # sshd's compiled-in privilege separation directory; the package's service would create it.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)

    last_error = "no attempt"
    for _attempt in range(5):
        port = free_port()
        config = directory / "sshd_config"
        config.write_text(CONFIG.format(port=port, dir=directory, user=user))
        check = subprocess.run([sshd, "-t", "-f", str(config)], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise RuntimeError("sshd -t rejected {}: {}".format(config, check.stderr.strip()))
        with open(directory / "sshd.log", "ab") as log:
            process = subprocess.Popen(
                [sshd, "-D", "-e", "-f", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        server = Sshd(directory, port, user, client_key, process)
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline and not _banner(port, 1.0):
            time.sleep(0.05)
        if process.poll() is not None:  # port taken between our probe and sshd's bind, or a config error
            last_error = "sshd exited with {}".format(process.returncode)
            continue
        login = server.ssh("true")
        if login.returncode == 0:
            return server
        server.stop()
        last_error = "key login failed: {}".format(login.stderr.strip())
        break
    raise RuntimeError(
        "could not start sshd ({}); log {}:\n{}".format(
            last_error, directory / "sshd.log", _log_tail(directory / "sshd.log")
        )
    )


if __name__ == "__main__":
    import sys

    running = start(sys.argv[1] if len(sys.argv) > 1 else "/tmp/flowlogs-sshd")
    print("ssh", *running.ssh_args(), "-p", running.port, "{}@127.0.0.1".format(running.user))
    try:
        input("sshd running (pid {}); Enter stops it\n".format(running.process.pid))
    finally:
        running.stop()
