"""make bench: fleet-scale speed of the collection against the raw-API floor, on moto server.

Every converge gets a fresh moto server seeded with the same fleet shape. Calls are counted by a
proxy in front of moto. Wall time is the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support import fleet, motoctl
from tests.support.aws_proxy import CountingProxy
from tests.support.paths import COLLECTIONS, REPO, ensure_collection_link

RESULTS = REPO / "benchmarks" / "results"
MUTATING = ("Create", "Delete", "Put", "Update", "Tag", "Untag", "Associate", "Disassociate", "Attach", "Detach")
BIN = Path(sys.executable).parent


def accounts_for(n):
    return [str(i) * 12 if i < 10 else "{:012d}".format(i) for i in range(1, n + 1)]


REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2", "us-west-2", "sa-east-1")


class Fleet:
    """A fresh moto server with ``accounts`` x ``regions`` targets and ``vpcs`` extra VPCs each."""

    def __init__(self, accounts, regions, vpcs):
        self.accounts, self.regions, self.vpcs = accounts_for(accounts), REGIONS[:regions], vpcs
        self.state = Path(tempfile.mkdtemp(prefix="flowlogs-bench-"))

    def __enter__(self):
        self.moto = motoctl.start(self.state)
        self.proxy = CountingProxy(self.moto).start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self._seed, [(a, r) for a in self.accounts for r in self.regions]))
        self.proxy.reset()
        return self

    def _seed(self, target):
        account, region = target
        ec2 = fleet.session(self.moto, account, region).client("ec2", endpoint_url=self.moto)
        for i in range(self.vpcs):
            ec2.create_vpc(CidrBlock="10.{}.{}.0/24".format(i // 250, i % 250))

    def __exit__(self, *exc):
        self.proxy.stop()
        motoctl.stop(self.state)

    @property
    def targets(self):
        return [dict(account=a, region=r) for a in self.accounts for r in self.regions]

    @property
    def total_vpcs(self):
        return len(self.targets) * (self.vpcs + 1)  # each region has its default VPC

    def inventory(self, path):
        return fleet.write_inventory(path, self.proxy.url, self.accounts, self.regions)

    def flow_logs(self):
        count = 0
        for t in self.targets:
            ec2 = fleet.session(self.moto, t["account"], t["region"]).client("ec2", endpoint_url=self.moto)
            count += len([f for f in ec2.describe_flow_logs()["FlowLogs"] if f.get("LogGroupName") == "vpc-flow-logs"])
        return count


def measure(cmd, env=None):
    """Run ``cmd``; returns (wall seconds, peak RSS in MiB of the process tree's largest process, output)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("{} failed:\n{}".format(" ".join(map(str, cmd)), out[-6000:]))
    return wall, usage.ru_maxrss / 1024.0, out


def ansible_env(tmp):
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="us-east-1",
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_HOME=str(Path(tmp) / "ansible-home"),
        ANSIBLE_NOCOLOR="1",
    )
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        env.pop(key, None)
    return env


def playbook(name, inventory, tmp, forks):
    return [
        str(BIN / "ansible-playbook"),
        "-i",
        str(inventory),
        str(REPO / "playbooks" / name),
        "--forks",
        str(forks),
        "-e",
        "flow_logs_report_dir={}".format(tmp),
    ]


def calls_summary(counts):
    mutating = {k: v for k, v in counts.items() if k.split(":", 1)[1].startswith(MUTATING)}
    return dict(total=sum(counts.values()), by_action=counts, mutating=sum(mutating.values()))


def run_floor(shape):
    with Fleet(*shape) as f:
        wall, rss, _out = measure([sys.executable, "-m", "benchmarks.floor", f.proxy.url, json.dumps(f.targets)])
        assert f.flow_logs() == f.total_vpcs, "floor did not converge"
        return dict(wall=wall, rss_mib=rss, calls=calls_summary(f.proxy.counts()))


def run_collection(shape, forks, with_rerun=True):
    out = {}
    with Fleet(*shape) as f, tempfile.TemporaryDirectory() as tmp:
        env = ansible_env(tmp)
        inventory = f.inventory(Path(tmp) / "inventory.json")
        wall, rss, _o = measure(playbook("enable_flowlogs.yml", inventory, tmp, forks), env)
        out["enable"] = dict(wall=wall, rss_mib=rss, calls=calls_summary(f.proxy.counts()))
        assert f.flow_logs() == f.total_vpcs, "enable did not converge"
        if with_rerun:
            for name, book in (("rerun", "enable_flowlogs.yml"), ("audit", "audit_flowlogs.yml")):
                f.proxy.reset()
                wall, rss, _o = measure(playbook(book, inventory, tmp, forks), env)
                out[name] = dict(wall=wall, rss_mib=rss, calls=calls_summary(f.proxy.counts()))
    return out


PER_VPC_PLAY = """
- name: The naive way, one vpc_flow_log task per VPC
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/flowlogs.aws.flowlogs:
      region: "{{ region }}"
      endpoint_url: "{{ endpoint }}"
      assume_role_arn: "arn:aws:iam::{{ account }}:role/OrganizationAccountAccessRole"
  tasks:
    - name: Delivery role
      flowlogs.aws.flow_log_role: {name: vpc-flow-logs-delivery, log_group_names: [vpc-flow-logs]}
      register: role
    - name: Log group
      flowlogs.aws.flow_log_group: {name: vpc-flow-logs, retention_in_days: 90}
    - name: Find the VPCs
      flowlogs.aws.vpc_flow_log_info: {}
      register: found
    - name: One task per VPC
      flowlogs.aws.vpc_flow_log:
        resource_ids: ["{{ item }}"]
        log_group_name: vpc-flow-logs
        deliver_logs_role_arn: "{{ role.role.arn }}"
      loop: "{{ found.vpcs | map(attribute='vpc_id') | list }}"
"""


def run_per_vpc(shape):
    """The naive loop on one target of the shape, extrapolated to all targets (said in the output)."""
    accounts, regions, vpcs = shape
    with Fleet(1, 1, vpcs) as f, tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "per_vpc.yml"
        book.write_text(PER_VPC_PLAY)
        t = f.targets[0]
        cmd = [
            str(BIN / "ansible-playbook"),
            str(book),
            "-e",
            json.dumps(dict(region=t["region"], endpoint=f.proxy.url, account=t["account"])),
        ]
        wall, rss, _o = measure(cmd, ansible_env(tmp))
        factor = accounts * regions
        return dict(
            wall=wall * factor,
            measured_wall=wall,
            extrapolated_from="1 target x {} VPCs, times {} targets".format(vpcs + 1, factor),
            rss_mib=rss,
            calls=calls_summary({k: v * factor for k, v in f.proxy.counts().items()}),
        )


def median_of(runs):
    return dict(runs[0], wall=statistics.median(r["wall"] for r in runs), walls=[round(r["wall"], 2) for r in runs])


def table(results, floor_wall):
    lines = [
        "{:<8} {:>9} {:>8} {:>7} {:>9} {:>9}  {}".format(
            "run", "wall s", "x floor", "calls", "mutating", "peak MiB", "calls by action"
        ),
    ]
    for name in ("floor", "per-vpc", "enable", "rerun", "audit"):
        r = results.get(name)
        if not r:
            continue
        by_action = ", ".join("{}={}".format(k.split(":", 1)[1], v) for k, v in sorted(r["calls"]["by_action"].items()))
        lines.append(
            "{:<8} {:>9.2f} {:>8.2f} {:>7} {:>9} {:>9.0f}  {}".format(
                name,
                r["wall"],
                r["wall"] / floor_wall,
                r["calls"]["total"],
                r["calls"]["mutating"],
                r["rss_mib"],
                by_action,
            )
        )
    return lines


def _slope(points):
    """Least-squares slope of (x, y) points."""
    n = len(points)
    mx = sum(x for x, _y in points) / n
    my = sum(y for _x, y in points) / n
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _y in points)


def chart(scales, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [s["vpcs"] for s in scales]
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(xs, [s["floor"] for s in scales], marker="o", label="floor (raw boto3, threads)")
    ax.plot(xs, [s["enable"] for s in scales], marker="o", label="enable_flowlogs.yml")
    ax.set_xscale("log")
    ax.set_xlabel("VPCs in the fleet (20 targets; 10 targets at 10 VPCs)")
    ax.set_ylabel("wall seconds")
    ax.set_title("flowlogs.aws: converge time vs fleet size (moto server, 2 cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--vpcs", type=int, default=50, help="VPCs per target, besides the default VPC")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--forks", type=int, default=20)
    parser.add_argument("--scales", default="10,100,1000,3000", help="fleet sizes (VPCs) for the chart; '' skips it")
    parser.add_argument(
        "--target-counts", default="5,10,20,40", help="targets (10 VPCs each) for the per-target cost; '' skips it"
    )
    args = parser.parse_args()
    ensure_collection_link()
    RESULTS.mkdir(parents=True, exist_ok=True)
    shape = (args.accounts, args.regions, args.vpcs)
    print(
        "fleet: {} accounts x {} regions x {} VPCs (+1 default each), {} repeats".format(*shape, args.repeat),
        flush=True,
    )

    floors, collections = [], []
    for i in range(args.repeat):
        floors.append(run_floor(shape))
        collections.append(run_collection(shape, args.forks))
        print(
            "  repeat {}: floor {:.2f}s enable {:.2f}s rerun {:.2f}s audit {:.2f}s".format(
                i + 1,
                floors[-1]["wall"],
                collections[-1]["enable"]["wall"],
                collections[-1]["rerun"]["wall"],
                collections[-1]["audit"]["wall"],
            ),
            flush=True,
        )
    results = {"floor": median_of(floors)}
    for name in ("enable", "rerun", "audit"):
        results[name] = median_of([c[name] for c in collections])
    results["per-vpc"] = run_per_vpc(shape)
    floor_wall = results["floor"]["wall"]
    print("\n".join(table(results, floor_wall)))

    scales = []
    for total in [int(s) for s in args.scales.split(",") if s]:
        # 20 targets where the size allows; the default VPC of each target counts.
        targets = min(20, total)
        accounts, regions = (5, 4) if targets == 20 else (targets, 1)
        per_target = max(0, total // targets - 1)
        s_shape = (accounts, regions, per_target)
        floor = run_floor(s_shape)["wall"]
        enable_run = run_collection(s_shape, args.forks, with_rerun=False)["enable"]
        enable = enable_run["wall"]
        scales.append(
            dict(
                vpcs=targets * (per_target + 1),
                targets=targets,
                floor=floor,
                enable=enable,
                calls_per_target=enable_run["calls"]["total"] / targets,
            )
        )
        print(
            "  scale {:>5} VPCs: floor {:.2f}s enable {:.2f}s ({:.2f}x)".format(
                scales[-1]["vpcs"], floor, enable, enable / floor
            ),
            flush=True,
        )

    # API calls of one target must not grow with its VPC count (up to 300 VPCs in a region).
    calls_by_size = {}
    for size in (10, 300):
        calls_by_size[size] = run_collection((1, 1, size - 1), args.forks, with_rerun=False)["enable"]["calls"]
        by_action = calls_by_size[size]["by_action"]
        print(
            "  one target, {:>3} VPCs: {} API calls ({})".format(
                size,
                calls_by_size[size]["total"],
                ", ".join("{}={}".format(k.split(":", 1)[1], v) for k, v in sorted(by_action.items())),
            ),
            flush=True,
        )

    per_target = []
    for count in [int(c) for c in args.target_counts.split(",") if c]:
        regions = min(4, count)
        t_shape = (count // regions, regions, 9)
        enable = run_collection(t_shape, args.forks, with_rerun=False)["enable"]
        per_target.append(dict(targets=count, vpcs=count * 10, enable=enable["wall"], calls=enable["calls"]["total"]))
        print("  targets {:>3} (10 VPCs each): enable {:.2f}s".format(count, enable["wall"]), flush=True)
    slope = _slope([(p["targets"], p["enable"]) for p in per_target]) if len(per_target) > 1 else None
    if slope is not None:
        print("  marginal cost per target: {:.3f}s (least squares over {} runs)".format(slope, len(per_target)))

    ratios = dict(
        enable_vs_floor=results["enable"]["wall"] / floor_wall,
        rerun_vs_floor=results["rerun"]["wall"] / floor_wall,
        per_vpc_vs_enable=results["per-vpc"]["wall"] / results["enable"]["wall"],
        rerun_mutating_calls=results["rerun"]["calls"]["mutating"],
        calls_300_vs_10_vpcs=calls_by_size[300]["total"] / calls_by_size[10]["total"],
    )
    targets = dict(
        enable_within_2x_floor=ratios["enable_vs_floor"] <= 2.0,
        rerun_within_2x_floor=ratios["rerun_vs_floor"] <= 2.0,
        per_vpc_at_least_10x_slower=ratios["per_vpc_vs_enable"] >= 10.0,
        rerun_zero_mutating_calls=ratios["rerun_mutating_calls"] == 0,
        calls_independent_of_vpc_count=calls_by_size[300]["total"] == calls_by_size[10]["total"],
    )
    report = dict(
        machine=dict(cpus=os.cpu_count(), python=sys.version.split()[0]),
        shape=dict(
            accounts=args.accounts,
            regions=args.regions,
            vpcs_per_target=args.vpcs + 1,
            total_vpcs=args.accounts * args.regions * (args.vpcs + 1),
        ),
        results=results,
        ratios=ratios,
        targets=targets,
        scales=scales,
        per_target=dict(runs=per_target, seconds_per_target=slope, forks=args.forks),
        calls_by_vpc_count={str(k): v for k, v in calls_by_size.items()},
    )
    (REPO / "benchmarks" / "results.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    if scales:
        chart(scales, REPO / "benchmarks" / "scaling.png")
    print("ratios: " + ", ".join("{}={:.2f}".format(k, v) for k, v in ratios.items()))
    print("targets: " + ", ".join("{}={}".format(k, v) for k, v in targets.items()))
    print("wrote benchmarks/results.json" + (" and benchmarks/scaling.png" if scales else ""))
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
