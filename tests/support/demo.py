"""make demo: moto server, a small broken fleet, enable_flowlogs.yml twice, the fleet report, stop.

Everything runs against moto server on 127.0.0.1; nothing reaches AWS.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support import fleet, motoctl
from tests.support.paths import COLLECTIONS, REPO, ensure_collection_link

WORK = REPO / ".cache" / "demo"


def banner(text):
    print("\n" + "=" * 100 + "\n" + text + "\n" + "=" * 100, flush=True)


def run_enable(inventory, report_dir):
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID="demo",
        AWS_SECRET_ACCESS_KEY="demo",
        AWS_REGION="us-east-1",
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_HOME=str(WORK / "ansible-home"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORKS="10",
    )
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        env.pop(key, None)
    cmd = [
        str(Path(sys.executable).with_name("ansible-playbook")),
        "-i",
        str(inventory),
        str(REPO / "playbooks" / "enable_flowlogs.yml"),
        "-e",
        "flow_logs_report_dir={}".format(report_dir),
    ]
    print("$ " + " ".join(cmd[1:]), flush=True)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    recap = done.stdout[done.stdout.rfind("PLAY RECAP") :]
    return done, recap


def main():
    ensure_collection_link()
    WORK.mkdir(parents=True, exist_ok=True)
    state = WORK / "moto"
    banner("1. moto server on a free loopback port")
    url = motoctl.start(state)
    print("moto server: {}".format(url))
    try:
        banner("2. Seed a broken fleet: 3 accounts x 2 regions")
        planted = fleet.seed(url)
        for name, entry in planted.items():
            print(
                "  {:24} {} VPCs{}{}".format(
                    name,
                    len(entry["vpcs"]) + 1,
                    ", REJECT-only flow log + group without retention + role trusting ec2.amazonaws.com"
                    if "reject_only_flow_log" in entry
                    else "",
                    ", another team's flow log (must survive)" if entry["kept_flow_logs"] else "",
                )
            )
        inventory = fleet.write_inventory(WORK / "inventory.json", url)

        banner("3. ansible-playbook playbooks/enable_flowlogs.yml")
        first, recap = run_enable(inventory, WORK)
        print(recap)
        print(
            (WORK / "flowlogs-report.txt").read_text()
            if (WORK / "flowlogs-report.txt").exists()
            else first.stdout[-5000:]
        )
        if first.returncode != 0:
            print(first.stdout[-8000:], first.stderr[-4000:])
            return 1

        banner("4. Run it again: nothing changes")
        second, recap = run_enable(inventory, WORK)
        print(recap)
        print((WORK / "flowlogs-report.txt").read_text())
        # The report files on localhost are rewritten each run; the targets must not change.
        changed = [int(n) for host, n in re.findall(r"^(\S+)\s+:.*?changed=(\d+)", recap, re.M) if host != "localhost"]
        if second.returncode != 0 or any(changed):
            print("second run changed something or failed:\n" + second.stdout[-8000:])
            return 1
        print("Second run: changed=0 on every host.")
        print("Reports: {}/flowlogs-report.json, .html, .txt".format(WORK))
        return 0
    finally:
        banner("5. Stop moto server")
        motoctl.stop(state)
        print("stopped")


if __name__ == "__main__":
    sys.exit(main())
