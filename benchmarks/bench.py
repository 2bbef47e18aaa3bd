"""make bench: speed of enable_flowlogs.yml at real fleet shapes, against the raw-boto3 floor, on moto server.

Shapes (benchmarks/fleet_shapes.py): A 5 accounts x 4 regions x 51 VPCs; B 20 accounts x 17 regions x
2 VPCs (340 targets); C 1 account x 1 region x 1,500 VPCs; D shape B behind a proxy that adds
``--latency-ms`` to every AWS call; E shape D as a brand-new organisation meets it on AWS - no delivery role yet, and
CreateFlowLogs refuses a new role for ``--propagation-s`` seconds (IAM propagation), against a floor that makes every
account's role first and waits once. For each shape, the floor (benchmarks/floor.py) and the collection
(``ansible-playbook --forks N playbooks/enable_flowlogs.yml``) each get a FRESH moto server seeded with
the shape; each converges it (enable), the end state is checked, and each runs again on the converged
fleet (rerun). Calls are counted by service:Action by a proxy in front of moto. Wall time is the median of
``--repeat`` runs. Then the flowlogs.aws.accounts inventory of an organisation of ``--inventory-accounts`` accounts,
tags on, cache cold and warm, concurrent and one at a time (benchmarks/inventory_bench.py). Results:
benchmarks/results.json and benchmarks/scaling.png; the exit code is 1 when a target of the issue is missed (the whole
table is printed first).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import inventory_bench, procstat
from benchmarks.fleet_shapes import Fleet, shapes
from tests.support.paths import COLLECTIONS, REPO, ensure_collection_link

MUTATING = ("Create", "Delete", "Put", "Update", "Tag", "Untag", "Associate", "Disassociate", "Attach", "Detach")
BIN = Path(sys.executable).parent
RUNS = ("floor", "floor-rerun", "enable", "rerun")
BASELINE = {"floor": "floor", "floor-rerun": "floor-rerun", "enable": "floor", "rerun": "floor-rerun"}
#: The targets of the issue "Fleet speed at real fleet shapes".
MAX_WALL_RATIO = 1.3
MAX_CALLS_RATIO = 1.1
MAX_TREE_MIB_AT_340 = 600.0
RUN_TIMEOUT = 1800


def calls_summary(counts):
    mutating = sum(v for k, v in counts.items() if k.split(":", 1)[1].startswith(MUTATING))
    return dict(total=sum(counts.values()), mutating=mutating, by_action=counts)


def ansible_env(tmp):
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="us-east-1",
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_HOME=str(Path(tmp) / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(Path(tmp) / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
    )
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "MOTO_ACCOUNT_ID"):
        env.pop(key, None)
    return env


def playbook_cmd(book, inventory, tmp, forks):
    return [
        str(BIN / "ansible-playbook"),
        "-i",
        str(inventory),
        str(book),
        "--forks",
        str(forks),
        "-e",
        "flow_logs_report_dir={}".format(tmp),
    ]


def measured(fleet, cmd, env):
    """One run of ``cmd`` against ``fleet``: procstat's numbers plus the AWS calls it made."""
    fleet.proxy.reset()
    load, moto_cpu = os.getloadavg()[0], fleet.moto_cpu()
    result = procstat.run(cmd, env=env, cwd=str(REPO), timeout=RUN_TIMEOUT)
    result.update(
        calls=calls_summary(fleet.proxy.counts()),
        moto_cpu=round(fleet.moto_cpu() - moto_cpu, 2),
        load_before=round(load, 2),
    )
    result["ok"] = result["rc"] == 0
    if result["ok"]:
        result.pop("output")
    return result


def converge_twice(fleet, cmd, env, names):
    """Enable then rerun with ``cmd``; the end state is checked after the enable run."""
    first = measured(fleet, cmd, env)
    start = time.perf_counter()
    problems = fleet.check()
    first.update(converged=not problems, problems=problems[:10], check_s=round(time.perf_counter() - start, 2))
    second = measured(fleet, cmd, env)
    for r in (first, second):
        r["seed_s"] = round(fleet.seed_seconds, 2)
    return {names[0]: first, names[1]: second}


def run_floor(shape, threads):
    with Fleet(shape) as fleet, tempfile.TemporaryDirectory(prefix="flowlogs-bench-") as tmp:
        targets = fleet.targets_file(Path(tmp) / "targets.json")
        cmd = [sys.executable, "-m", "benchmarks.floor", fleet.proxy.url, str(targets), "--threads", str(threads)]
        if shape.propagation_s:  # the floor knows the wait: every role first, one wait, then the flow logs
            cmd += ["--roles-first", str(shape.propagation_s)]
        return converge_twice(fleet, cmd, dict(os.environ), ("floor", "floor-rerun"))


def run_collection(shape, forks):
    with Fleet(shape) as fleet, tempfile.TemporaryDirectory(prefix="flowlogs-bench-") as tmp:
        inventory = fleet.inventory(Path(tmp) / "inventory.json")
        cmd = playbook_cmd(REPO / "playbooks" / "enable_flowlogs.yml", inventory, tmp, forks)
        return converge_twice(fleet, cmd, ansible_env(tmp), ("enable", "rerun"))


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
    """The naive loop on ONE target of the shape, extrapolated to all of its targets (said in the result)."""
    one = type(shape)("per-vpc", 1, 1, shape.vpcs)
    with Fleet(one) as fleet, tempfile.TemporaryDirectory(prefix="flowlogs-bench-") as tmp:
        book = Path(tmp) / "per_vpc.yml"
        book.write_text(PER_VPC_PLAY)
        t = fleet.targets[0]
        extra = json.dumps(dict(region=t["region"], endpoint=fleet.proxy.url, account=t["account"]))
        cmd = [str(BIN / "ansible-playbook"), str(book), "-e", extra]
        r = measured(fleet, cmd, ansible_env(tmp))
    factor = shape.targets
    r.update(
        measured_wall=r["wall"],
        wall=r["wall"] * factor,
        extrapolated_from="1 target x {} VPCs, times {} targets".format(shape.vpcs + 1, factor),
        calls=calls_summary({k: v * factor for k, v in r["calls"]["by_action"].items()}),
    )
    return r


def median_run(runs):
    """The run of median wall time (the lower one for an even count), with every run's wall time."""
    ordered = sorted(runs, key=lambda r: r["wall"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen.update(walls=[round(r["wall"], 2) for r in runs], wall_median=statistics.median(r["wall"] for r in runs))
    chosen["wall"] = chosen["wall_median"]
    return chosen


def per_target(shape, runs):
    out = {}
    for name in RUNS:
        r = runs.get(name)
        if r:
            out[name] = dict(
                wall_ms=round(1000.0 * r["wall"] / shape.targets, 1),
                cpu_ms=round(1000.0 * r["cpu"] / shape.targets, 1),
                tree_rss_mib=round(r["tree_rss_mib"] / shape.targets, 2),
                tree_pss_mib=round(r["tree_pss_mib"] / shape.targets, 2),
                calls=round(r["calls"]["total"] / shape.targets, 2),
            )
    return out


def _check(checks, shape, name, value, ok, detail):
    checks.append(dict(shape=shape, check=name, value=value, passed=bool(ok), detail=detail))


def checks_for(key, shape, runs):
    checks = []
    for name in RUNS:
        r = runs[name]
        if not r["ok"]:
            _check(checks, key, "{} ran without error".format(name), r["rc"], False, "exit code {}".format(r["rc"]))
    for name in ("floor", "enable"):
        r = runs[name]
        detail = "; ".join(r["problems"][:3]) or "every target as wanted"
        _check(checks, key, "{} reaches the end state".format(name), len(r["problems"]), r["converged"], detail)
    for name in ("floor-rerun", "rerun"):
        m = runs[name]["calls"]["mutating"]
        _check(checks, key, "{}: 0 mutating calls".format(name), m, m == 0, "{} mutating calls".format(m))
    for name in ("enable", "rerun"):
        base = runs[BASELINE[name]]
        ratio = runs[name]["wall"] / base["wall"]
        _check(
            checks,
            key,
            "{} wall <= {}x floor".format(name, MAX_WALL_RATIO),
            round(ratio, 2),
            ratio <= MAX_WALL_RATIO,
            "{:.2f}x: {:.1f} s vs {:.1f} s".format(ratio, runs[name]["wall"], base["wall"]),
        )
        calls, base_calls = runs[name]["calls"]["total"], base["calls"]["total"]
        ratio = calls / max(1, base_calls)
        _check(
            checks,
            key,
            "{} API calls <= {}x floor".format(name, MAX_CALLS_RATIO),
            round(ratio, 2),
            ratio <= MAX_CALLS_RATIO,
            "{:.2f}x: {} vs {}".format(ratio, calls, base_calls),
        )
    if shape.targets == 340:
        for name in ("enable", "rerun"):
            # The memory the run takes from the machine: PSS, shared pages split between the processes sharing
            # them. Summed RSS counts the pages Ansible's forked workers share copy-on-write with the controller
            # once per worker (shown next to it, not judged).
            mib = runs[name]["tree_pss_mib"]
            _check(
                checks,
                key,
                "{} peak memory (process tree PSS) <= {:g} MiB".format(name, MAX_TREE_MIB_AT_340),
                round(mib),
                mib <= MAX_TREE_MIB_AT_340,
                "{:.0f} MiB PSS (summed RSS {:.0f} MiB, largest process {:.0f} MiB)".format(
                    mib, runs[name]["tree_rss_mib"], runs[name]["max_rss_mib"]
                ),
            )
        pt = per_target(shape, runs)
        for name in ("enable", "rerun"):
            p = pt[name]
            _check(
                checks,
                key,
                "{} per-target time and memory reported".format(name),
                p,
                True,
                "{wall_ms} ms wall, {cpu_ms} ms CPU, {tree_rss_mib} MiB tree RSS, {calls} calls per target".format(**p),
            )
    return checks


COLUMNS = (
    # header, format, value of (run, baseline run)
    ("wall s", "{:>8.2f}", lambda r, b: r["wall"]),
    ("x floor", "{:>7.2f}", lambda r, b: r["wall"] / b["wall"]),
    ("calls", "{:>6}", lambda r, b: r["calls"]["total"]),
    ("x floor", "{:>7.2f}", lambda r, b: r["calls"]["total"] / max(1, b["calls"]["total"])),
    ("mutating", "{:>8}", lambda r, b: r["calls"]["mutating"]),
    ("max MiB", "{:>7.0f}", lambda r, b: r["max_rss_mib"]),
    ("tree MiB", "{:>8.0f}", lambda r, b: r["tree_rss_mib"]),
    ("pss MiB", "{:>7.0f}", lambda r, b: r["tree_pss_mib"]),
    ("cpu s", "{:>7.1f}", lambda r, b: r["cpu"]),
    ("moto cpu", "{:>8.1f}", lambda r, b: r["moto_cpu"]),
    ("load", "{:>5.1f}", lambda r, b: r["load_before"]),
)


def _end_state(r):
    if not r["ok"]:
        return "rc={}".format(r["rc"])
    if "converged" not in r:
        return ""
    return "ok" if r["converged"] else "WRONG"


def table(results):
    """One line per shape and run; x floor compares enable with the floor, rerun with the floor's rerun."""
    head = "{:<5} {:<12} ".format("shape", "run")
    head += " ".join("{:>{}}".format(h, len(f.format(0))) for h, f, _v in COLUMNS) + "  end state"
    lines = [head, "-" * len(head)]
    for key, shape_result in results.items():
        runs = shape_result["runs"]
        for name in (*RUNS, "per-vpc"):
            r = runs.get(name)
            if r:
                base = runs[BASELINE.get(name, "floor")]
                values = " ".join(f.format(v(r, base)) for _h, f, v in COLUMNS)
                lines.append("{:<5} {:<12} {}  {}".format(key, name, values, _end_state(r)))
        lines.append("")
    return [*lines, *LEGEND]


LEGEND = (
    "x floor: enable vs floor, rerun vs floor-rerun (wall time, then API calls). max MiB: largest single process",
    "(wait4 ru_maxrss). tree MiB: peak of the summed RSS of the process tree (sampled every 0.2 s); pss MiB: the",
    "same with shared pages split between sharers (information). cpu s: user + system CPU of the tree; moto cpu:",
    "moto server's CPU during the run; load: 1-minute load average before the run. per-vpc: one vpc_flow_log task",
    "per VPC on one target of shape A, times its targets.",
    "",
)


def calls_table(key, runs):
    names = [n for n in RUNS if n in runs]
    actions = sorted({a for n in names for a in runs[n]["calls"]["by_action"]})
    lines = ["shape {} calls by action".format(key).ljust(36) + "".join("{:>13}".format(n) for n in names)]
    for action in actions:
        lines.append(
            "  {:<34}".format(action)
            + "".join("{:>13}".format(runs[n]["calls"]["by_action"].get(action, 0)) for n in names)
        )
    return lines


def chart(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(results)
    fig, (ax, mem) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw=dict(width_ratios=[3, 2]))
    width = 0.2
    colours = {"floor": "#4c72b0", "floor-rerun": "#8fb0e0", "enable": "#dd8452", "rerun": "#f2b38a"}
    for i, name in enumerate(RUNS):
        xs = [k + (i - 1.5) * width for k in range(len(keys))]
        walls = [results[k]["runs"][name]["wall"] for k in keys]
        bars = ax.bar(xs, walls, width, label=name, color=colours[name])
        if name in ("enable", "rerun"):
            for rect, k in zip(bars, keys):
                base = results[k]["runs"][BASELINE[name]]["wall"]
                ax.annotate(
                    "{:.1f}x".format(rect.get_height() / base),
                    (rect.get_x() + rect.get_width() / 2, rect.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                )
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels(["{}\n{}".format(k, results[k]["shape"]["title"]) for k in keys], fontsize=8)
    ax.set_ylabel("wall seconds")
    ax.set_title("Converge time per fleet shape (labels: x floor)")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    for i, name in enumerate(RUNS):
        xs = [k + (i - 1.5) * width for k in range(len(keys))]
        mem.bar(xs, [results[k]["runs"][name]["tree_pss_mib"] for k in keys], width, color=colours[name], label=name)
    mem.axhline(MAX_TREE_MIB_AT_340, color="red", linestyle="--", linewidth=1, label="600 MiB (340 targets)")
    mem.set_xticks(range(len(keys)))
    mem.set_xticklabels(keys)
    mem.set_ylabel("MiB")
    mem.set_title("Peak RSS, sum over the process tree")
    mem.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    mem.grid(True, axis="y", alpha=0.3)
    fig.suptitle("flowlogs.aws vs raw boto3 floor (moto server, {} cores)".format(os.cpu_count()), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def machine_info():
    import ansible
    import boto3
    import botocore
    import moto

    return dict(
        cores=os.cpu_count(),
        python=platform.python_version(),
        ansible_core=ansible.__version__,
        botocore=botocore.__version__,
        boto3=boto3.__version__,
        moto=moto.__version__,
        platform=platform.platform(),
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        load_average_at_start=[round(x, 2) for x in os.getloadavg()],
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", default="A,B,C,D,E", help="which shapes to run, e.g. A,C (default A,B,C,D,E)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per shape; wall time is their median")
    parser.add_argument("--forks", type=int, default=20, help="ansible-playbook --forks")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to every AWS call in shapes D and E")
    parser.add_argument(
        "--propagation-s", type=float, default=5.0, help="seconds a new delivery role is refused in shape E"
    )
    parser.add_argument(
        "--floor-threads", type=int, default=64, help="the floor's cap on threads (one per target up to it)"
    )
    parser.add_argument("--no-per-vpc", action="store_true", help="skip the naive one-task-per-VPC run (shape A)")
    parser.add_argument(
        "--inventory-accounts",
        type=int,
        default=inventory_bench.DEFAULT_ACCOUNTS,
        help="accounts of the organisation the inventory benchmark lists (0: no inventory benchmark)",
    )
    parser.add_argument(
        "--inventory-regions", type=int, default=inventory_bench.DEFAULT_REGIONS, help="regions given to the inventory"
    )
    parser.add_argument("--output", default=str(REPO / "benchmarks" / "results.json"))
    parser.add_argument("--chart", default=str(REPO / "benchmarks" / "scaling.png"), help="'' for no chart")
    args = parser.parse_args(argv)
    known = shapes(args.latency_ms, args.propagation_s)
    args.shape_keys = [k.strip().upper() for k in args.shapes.split(",") if k.strip()]
    unknown = [k for k in args.shape_keys if k not in known]
    if unknown or not args.shape_keys:
        parser.error("unknown shape(s) {}; choose from {}".format(",".join(unknown), ",".join(known)))
    return args, known


def run_shape(key, shape, args):
    repeats = []
    for i in range(args.repeat):
        started = time.perf_counter()
        runs = run_floor(shape, args.floor_threads)
        runs.update(run_collection(shape, args.forks))
        repeats.append(runs)
        print(
            "  {} repeat {}: ".format(key, i + 1)
            + ", ".join("{} {:.1f}s".format(n, runs[n]["wall"]) for n in RUNS)
            + " (seeding {:.0f}s x2; {:.0f}s in all)".format(runs["floor"]["seed_s"], time.perf_counter() - started),
            flush=True,
        )
    runs = {name: median_run([r[name] for r in repeats]) for name in RUNS}
    if key == "A" and not args.no_per_vpc:
        runs["per-vpc"] = run_per_vpc(shape)
        print("  {} per-vpc: {:.1f}s measured".format(key, runs["per-vpc"]["measured_wall"]), flush=True)
    return runs


def run_inventory(report, args):
    """The inventory benchmark, its results and checks into ``report``."""
    print("inventory: {} accounts (repeat {})".format(args.inventory_accounts, args.repeat), flush=True)
    found = inventory_bench.run(
        args.inventory_accounts,
        args.inventory_regions,
        args.latency_ms,
        args.repeat,
        say=lambda line: print(line, flush=True),
    )
    report["inventory"] = found
    for check, passed, detail in inventory_bench.checks(found):
        _check(report["checks"], "INV", check, passed, passed, detail)


def main(argv=None):
    args, known = parse_args(argv)
    bench_start = time.perf_counter()
    ensure_collection_link()
    report = dict(
        machine=machine_info(),
        settings=dict(
            repeat=args.repeat,
            forks=args.forks,
            floor_threads=args.floor_threads,
            latency_ms=args.latency_ms,
            limits=dict(wall_ratio=MAX_WALL_RATIO, calls_ratio=MAX_CALLS_RATIO, tree_mib_at_340=MAX_TREE_MIB_AT_340),
        ),
        shapes={},
        checks=[],
    )
    for key in args.shape_keys:
        shape = known[key]
        print("shape {}: {} (repeat {})".format(key, shape.describe(), args.repeat), flush=True)
        started = time.perf_counter()
        runs = run_shape(key, shape, args)
        report["shapes"][key] = dict(
            shape=dict(
                title=shape.title,
                description=shape.describe(),
                accounts=shape.accounts,
                regions=shape.regions,
                vpcs_per_target=shape.vpcs + 1,
                targets=shape.targets,
                total_vpcs=shape.total_vpcs,
                latency_ms=shape.latency_ms,
            ),
            runs=runs,
            per_target=per_target(shape, runs),
            bench_seconds=round(time.perf_counter() - started, 1),
        )
        report["checks"] += checks_for(key, shape, runs)
        print("  shape {} took {:.0f}s".format(key, time.perf_counter() - started), flush=True)

    if args.inventory_accounts:
        run_inventory(report, args)

    print()
    print("\n".join(table(report["shapes"])))
    for key, s in report["shapes"].items():
        print("\n".join(calls_table(key, s["runs"])))
        print()
    for key, s in report["shapes"].items():
        if s["shape"]["targets"] >= 100:
            for name, p in s["per_target"].items():
                print(
                    "shape {} per target, {:<12} {wall_ms:>7} ms wall {cpu_ms:>7} ms CPU "
                    "{tree_rss_mib:>6} MiB tree RSS {calls:>5} calls".format(key, name, **p)
                )
    if "inventory" in report:
        print("\n".join(inventory_bench.table(report["inventory"])))
    print()
    for c in report["checks"]:
        print("{}  {}  {:<52} {}".format("PASS" if c["passed"] else "FAIL", c["shape"], c["check"], c["detail"]))
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["bench_seconds"] = round(time.perf_counter() - bench_start, 1)
    Path(args.output).write_text(json.dumps(report, indent=2, default=str) + "\n")
    wrote = [args.output]
    if args.chart:
        chart(report["shapes"], args.chart)
        wrote.append(args.chart)
    failed = sum(not c["passed"] for c in report["checks"])
    print(
        "\n{} of {} checks passed; bench took {:.0f}s; wrote {}".format(
            len(report["checks"]) - failed, len(report["checks"]), report["bench_seconds"], " and ".join(wrote)
        )
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
