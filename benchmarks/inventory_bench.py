"""make bench, inventory: the flowlogs.aws.accounts inventory of an organisation of ``--accounts`` accounts (1,000 by
default), the time before a playbook's first target can start.

A fresh moto server holds the organisation (CreateAccount, each account tagged ``env`` and ``team``), behind the
LatencyProxy that adds ``--latency-ms`` (50 ms, as shapes D and E) to every AWS call and counts them.
``ansible-inventory --list`` runs with the accounts plugin, tags read (``with_account_tags`` and a ``keyed_groups`` on
a tag), ``--regions`` regions given (region discovery is one AssumeRole and one DescribeRegions per account more) and
the jsonfile inventory cache:

- ``cold``: the cache empty - every Organizations call, ``max_concurrency`` at its default;
- ``warm``: the cache from the cold run - no AWS call;
- ``cold, one at a time``: ``max_concurrency: 1``, as the inventory read tags before it ran them concurrently.

Wall time is the median of ``--repeat`` runs; each run's hosts, groups and variables must be the same.

    python -m benchmarks.inventory_bench --accounts 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3

from benchmarks import procstat
from benchmarks.fleet_shapes import REGIONS
from tests.support import motoctl
from tests.support.latency_proxy import LatencyProxy
from tests.support.paths import REPO, ensure_collection_link

BIN = Path(sys.executable).parent
DEFAULT_ACCOUNTS = 1000
DEFAULT_REGIONS = 2
#: (mode, max_concurrency: None for the option's default, cache emptied first).
MODES = (("cold", None, True), ("warm", None, False), ("cold, one at a time", 1, True))
TEAMS = ("net", "data", "web", "payments", "identity")
RUN_TIMEOUT = 1800


def seed_organization(url, accounts):
    """An organisation of ``accounts`` accounts, the management account included; returns the seconds it took."""
    started = time.perf_counter()
    org = boto3.client(
        "organizations", endpoint_url=url, region_name="us-east-1", aws_access_key_id="b", aws_secret_access_key="b"
    )
    org.create_organization(FeatureSet="ALL")
    for i in range(accounts - 1):
        tags = dict(env=("prod", "staging", "dev")[i % 3], team=TEAMS[i % len(TEAMS)])
        org.create_account(
            AccountName="member-{:04d}".format(i),
            Email="member-{:04d}@example.com".format(i),
            Tags=[dict(Key=k, Value=v) for k, v in tags.items()],
        )
    return time.perf_counter() - started


def write_config(path, url, regions, cache_dir, max_concurrency):
    config = {
        "plugin": "flowlogs.aws.accounts",
        "endpoint_url": url,
        "regions": list(regions),
        "with_account_tags": True,
        "keyed_groups": [dict(key="flow_logs_account_tags.team", prefix="team")],
        "cache": True,
        "cache_plugin": "ansible.builtin.jsonfile",
        "cache_connection": str(cache_dir),
        "cache_timeout": 3600,
    }
    if max_concurrency is not None:
        config["max_concurrency"] = max_concurrency
    path.write_text(json.dumps(config, indent=2))  # JSON is YAML
    return path


def listed(path):
    """The inventory ``ansible-inventory --list`` wrote: (hosts, their variables and groups, as comparable data)."""
    data = json.loads(path.read_text())
    groups = {name: sorted(body.get("hosts", [])) for name, body in data.items() if name != "_meta"}
    return data["_meta"]["hostvars"], groups


def run_mode(proxy, env, tmp, regions, mode):
    """One ansible-inventory run in ``mode``: procstat's numbers, the AWS calls and what it listed."""
    name, max_concurrency, cold = mode
    cache_dir = Path(tmp) / "cache-{}".format(max_concurrency or "default")
    if cold:
        shutil.rmtree(cache_dir, ignore_errors=True)
    config = write_config(
        Path(tmp) / "c{}.flowlogs_accounts.yml".format(max_concurrency or ""),
        proxy.url,
        regions,
        cache_dir,
        max_concurrency,
    )
    out = Path(tmp) / "listed.json"
    cmd = [str(BIN / "ansible-inventory"), "-i", str(config), "--list", "--output", str(out)]
    proxy.reset()
    result = procstat.run(cmd, env=env, cwd=str(REPO), timeout=RUN_TIMEOUT)
    counts = proxy.counts()
    result.update(mode=name, max_concurrency=max_concurrency, calls=sum(counts.values()), by_action=counts)
    result["ok"] = result["rc"] == 0 and out.exists()
    if result["ok"]:
        result.pop("output")
        result["listed"] = listed(out)
        out.unlink()
    return result


def median_of(runs):
    walls = [r["wall"] for r in runs]
    chosen = dict(sorted(runs, key=lambda r: r["wall"])[(len(runs) - 1) // 2])
    chosen.update(walls=[round(w, 2) for w in walls], wall=statistics.median(walls))
    return chosen


def run(accounts=DEFAULT_ACCOUNTS, regions=DEFAULT_REGIONS, latency_ms=50.0, repeat=1, say=print):
    """Every mode ``repeat`` times against one moto server; returns the report (JSON-able)."""
    from benchmarks.bench import ansible_env

    ensure_collection_link()
    chosen_regions = REGIONS[:regions]
    state = Path(tempfile.mkdtemp(prefix="flowlogs-inventory-bench-"))
    try:
        url = motoctl.start(state)
        seed_s = seed_organization(url, accounts)
        say("  inventory: organisation of {} accounts seeded in {:.0f}s".format(accounts, seed_s))
        proxy = LatencyProxy(url, latency_ms).start()
        try:
            with tempfile.TemporaryDirectory(prefix="flowlogs-inventory-") as tmp:
                env = ansible_env(tmp)
                runs = {mode[0]: [] for mode in MODES}
                for i in range(repeat):
                    for mode in MODES:
                        r = run_mode(proxy, env, tmp, chosen_regions, mode)
                        runs[mode[0]].append(r)
                        say("  inventory repeat {}: {} {:.1f}s, {} calls".format(i + 1, mode[0], r["wall"], r["calls"]))
        finally:
            proxy.stop()
    finally:
        motoctl.stop(state)
        shutil.rmtree(state, ignore_errors=True)
    return report(accounts, chosen_regions, latency_ms, repeat, runs)


def report(accounts, regions, latency_ms, repeat, runs):
    every = [r for mode_runs in runs.values() for r in mode_runs]
    first = next((r["listed"] for r in every if r["ok"]), None)
    same = all(r["ok"] and r["listed"] == first for r in every)
    modes = {}
    for name, mode_runs in runs.items():
        m = median_of(mode_runs)
        modes[name] = {k: m[k] for k in ("wall", "walls", "cpu", "max_rss_mib", "calls", "by_action", "ok", "rc")}
        modes[name]["max_concurrency"] = m["max_concurrency"] or "default (8)"
        modes[name]["hosts"] = len(m["listed"][0]) if m["ok"] else None
        if not m["ok"]:
            modes[name]["output"] = m.get("output", "")[-2000:]
    return dict(
        accounts=accounts, regions=list(regions), latency_ms=latency_ms, repeat=repeat, modes=modes, same_inventory=same
    )


def table(found):
    lines = [
        "inventory: {accounts} accounts x {n} regions, tags on, {latency_ms:g} ms a call, median of {repeat}".format(
            n=len(found["regions"]), **found
        ),
        "{:<22} {:>15} {:>8} {:>7} {:>7} {:>7}  {}".format(
            "mode", "max_concurrency", "wall s", "cpu s", "max MiB", "calls", "hosts"
        ),
    ]
    for name, m in found["modes"].items():
        lines.append(
            "{:<22} {:>15} {:>8.1f} {:>7.1f} {:>7.0f} {:>7}  {}".format(
                name, str(m["max_concurrency"]), m["wall"], m["cpu"], m["max_rss_mib"], m["calls"], m["hosts"]
            )
        )
    cold, one = found["modes"]["cold"], found["modes"]["cold, one at a time"]
    if cold["ok"] and one["ok"]:
        lines.append("cold: {:.1f}x faster than one at a time".format(one["wall"] / cold["wall"]))
    lines.append("same hosts, groups and variables in every run: {}".format("yes" if found["same_inventory"] else "NO"))
    return lines


def checks(found):
    """(check, passed, detail) for make bench's list."""
    out = [
        ("inventory {} ran without error".format(n), m["ok"], "exit code {}".format(m["rc"]))
        for n, m in found["modes"].items()
    ]
    out.append(("inventory: same hosts at any concurrency, cached or not", found["same_inventory"], ""))
    warm = found["modes"]["warm"]
    out.append(("inventory warm: no AWS call", warm["calls"] == 0, "{} calls".format(warm["calls"])))
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS, help="accounts in the organisation")
    parser.add_argument("--regions", type=int, default=DEFAULT_REGIONS, help="regions given to the inventory")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to every AWS call")
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode; wall time is their median")
    parser.add_argument("--output", default="", help="write the report as JSON here")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    found = run(args.accounts, args.regions, args.latency_ms, args.repeat)
    print("\n".join(table(found)))
    if args.output:
        Path(args.output).write_text(json.dumps(found, indent=2) + "\n")
    return 0 if all(passed for _c, passed, _d in checks(found)) else 1


if __name__ == "__main__":
    sys.exit(main())
