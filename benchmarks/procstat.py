"""Run a command and measure it: wall time, CPU time, and peak memory two ways.

- ``max_rss_mib``: the largest single process of the tree (``os.wait4``'s ru_maxrss: the command and every
  descendant it reaped - for ansible-playbook, the strategy process or its largest fork worker).
- ``tree_rss_mib``: the peak of the SUM of the resident sets of the whole process tree, sampled every
  ``interval`` seconds from /proc (ansible forks workers: 20 of them at once are 20 resident sets). Pages
  shared copy-on-write between a parent and its forks count once per process, as ``ps`` and most container
  memory reports count them; short-lived processes between two samples are missed.
- ``tree_pss_mib`` (for information): the peak of the sum of proportional set sizes (shared pages split
  between the processes sharing them: what the tree really holds), from /proc/PID/smaps_rollup, read only
  every ``PSS_EVERY``-th sample because it costs ~1 ms per process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time

PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / (1024.0 * 1024.0)
INTERVAL = 0.2
PSS_EVERY = 5


def _children_map():
    """ppid -> [pid] over every process on the machine (one pass over /proc)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/{}/stat".format(name), "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # comm (field 2) may hold spaces and parentheses: fields after the last ')' are fixed.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(name))
    return children


def tree_pids(root):
    children = _children_map()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def rss_mib(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/{}/statm".format(pid), "rb") as handle:
                total += int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone between the two reads
    return total * PAGE_MIB


def pss_mib(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/{}/smaps_rollup".format(pid), "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024.0


class TreeSampler(threading.Thread):
    """Samples ``root``'s process tree until stopped: ``peak`` (summed RSS, MiB), ``peak_pss``, ``samples``."""

    def __init__(self, root, interval=INTERVAL):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak, self.peak_pss, self.samples = 0.0, 0.0, 0
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            pids = tree_pids(self.root)
            self.peak = max(self.peak, rss_mib(pids))
            if self.samples % PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, pss_mib(pids))
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join()


def _kill_group(proc):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def run(cmd, env=None, cwd=None, interval=INTERVAL, timeout=None):
    """Run ``cmd`` to its end (its process group is killed after ``timeout`` seconds); returns a dict: rc,
    wall, cpu (user + system of the tree, seconds), max_rss_mib, tree_rss_mib, samples, timed_out and
    output (the last 6,000 characters of stdout + stderr)."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        sampler = TreeSampler(proc.pid, interval)
        sampler.start()
        timer = threading.Timer(timeout, _kill_group, (proc,)) if timeout else None
        if timer:
            timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            sampler.stop()
            if timer:
                timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting for it again
        wall = time.perf_counter() - start
        out.seek(0)
        output = out.read()
    return dict(
        rc=proc.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mib=usage.ru_maxrss / 1024.0,
        tree_rss_mib=max(sampler.peak, usage.ru_maxrss / 1024.0),
        tree_pss_mib=sampler.peak_pss,
        samples=sampler.samples,
        timed_out=bool(timeout) and wall >= timeout,
        output=output[-6000:],
    )
