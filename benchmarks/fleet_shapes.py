"""The fleet shapes of make bench, and a fresh moto server seeded with one of them.

A target is one account in one region (one inventory host). Every region of every account has its default
VPC (moto makes it when the region is first used); ``vpcs`` more are created per target.

Seeding happens inside the moto server's process before it answers (benchmarks/moto_seeded.py: 2 s for
1,500 VPCs); if that fails, over HTTP from a pool of threads. Seeding over HTTP and checking go straight
to moto (not through the counting proxy), with one client per region and per service shared by all
threads; the account of each call is named by moto's ``x-moto-account-id`` request header, so no
AssumeRole and no client per account x region is needed (building a botocore client costs ~20-40 ms of
CPU, more than the call). moto runs with ``MOTO_EC2_LOAD_DEFAULT_AMIS=false``: otherwise the first EC2
call in each account x region loads ~1,300 AMIs (~0.3 s of moto's CPU and memory per target, 100 s for
340 targets) that nothing here uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import botocore.session
from botocore.exceptions import ClientError

from benchmarks import floor
from tests.support import motoctl
from tests.support.latency_proxy import LatencyProxy
from tests.support.paths import REPO
from tests.support.propagation_proxy import PropagationProxy

#: 17 regions of the aws partition that moto knows (all enabled by default in a new account).
REGIONS = (
    "us-east-1",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "sa-east-1",
)
ACCESS_ROLE = floor.ACCESS_ROLE
SEED_THREADS = 6
CHECK_THREADS = 6
FAKE = dict(aws_access_key_id="bench", aws_secret_access_key="bench")


@dataclass(frozen=True)
class Shape:
    key: str
    accounts: int
    regions: int
    vpcs: int  # per target, besides the default VPC
    latency_ms: float = 0.0
    title: str = ""
    #: Seconds a new delivery role cannot be passed to CreateFlowLogs (IAM propagation, tests/support/propagation_proxy)
    propagation_s: float = 0.0

    @property
    def targets(self):
        return self.accounts * self.regions

    @property
    def total_vpcs(self):
        return self.targets * (self.vpcs + 1)

    def describe(self):
        latency = ", +{:g} ms per AWS call".format(self.latency_ms) if self.latency_ms else ""
        if self.propagation_s:
            latency += ", no delivery role yet, a new one usable after {:g} s".format(self.propagation_s)
        return "{} accounts x {} regions x {} VPCs = {} targets, {} VPCs{}".format(
            self.accounts, self.regions, self.vpcs + 1, self.targets, self.total_vpcs, latency
        )


def shapes(latency_ms=50.0, propagation_s=5.0):
    return {
        "A": Shape("A", 5, 4, 50, title="20 targets x 51 VPCs"),
        "B": Shape("B", 20, 17, 1, title="340 targets x 2 VPCs"),
        "C": Shape("C", 1, 1, 1499, title="1 target x 1,500 VPCs"),
        "D": Shape("D", 20, 17, 1, latency_ms=latency_ms, title="B, +{:g} ms per call".format(latency_ms)),
        "E": Shape(
            "E",
            20,
            17,
            1,
            latency_ms=latency_ms,
            propagation_s=propagation_s,
            title="D, IAM propagation {:g} s".format(propagation_s),
        ),
    }


def account_ids(n):
    return ["{:012d}".format(100000000000 + i) for i in range(1, n + 1)]


def host_name(account, region):
    return "t-{}-{}".format(account, region)


class _AccountHeader:
    """Clients shared by threads; each thread names the account of its next calls in ``self.local``."""

    def __init__(self, url):
        self.url = url
        self.local = threading.local()
        self.core = botocore.session.Session()
        self._clients = {}
        self._lock = threading.Lock()

    def _header(self, request, **_kwargs):
        request.headers["x-moto-account-id"] = self.local.account

    def client(self, service, region):
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                c = self.core.create_client(service, region_name=region, endpoint_url=self.url, **FAKE)
                c.meta.events.register("before-send", self._header)
                self._clients[key] = c
            return self._clients[key]

    def as_account(self, account):
        self.local.account = account
        return self


class Fleet:
    """A fresh moto server seeded with ``shape``, behind a counting (and, for latency_ms > 0, slow) proxy."""

    def __init__(self, shape):
        self.shape = shape
        self.accounts = account_ids(shape.accounts)
        self.regions = REGIONS[: shape.regions]
        self.state = Path(tempfile.mkdtemp(prefix="flowlogs-bench-"))
        self.seed_seconds = None

    @property
    def targets(self):
        return [dict(account=a, region=r) for a in self.accounts for r in self.regions]

    def __enter__(self):
        os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"  # for the moto server started below
        start = time.perf_counter()
        self.moto = self._start_seeded()
        try:
            if not (self.state / "seeded").exists():
                self.seed()  # over HTTP: slower, public API only
            self.seed_seconds = time.perf_counter() - start
            if self.shape.propagation_s:  # a brand-new organisation: no delivery role exists before the run
                self.proxy = PropagationProxy(
                    self.moto, self.shape.latency_ms, self.shape.propagation_s, unknown_roles="refuse"
                ).start()
            else:
                self.proxy = LatencyProxy(self.moto, self.shape.latency_ms).start()
        except BaseException:
            motoctl.stop(self.state)
            raise
        return self

    def __exit__(self, *exc):
        self.proxy.stop()
        motoctl.stop(self.state)

    def _start_seeded(self, timeout=300.0):
        """benchmarks.moto_seeded in the background; its URL once it serves (motoctl.stop stops it)."""
        spec = self.state / "spec.json"
        spec.write_text(json.dumps(dict(targets=self.targets, vpcs=self.shape.vpcs)))
        with open(self.state / "moto.log", "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.moto_seeded", str(spec), str(self.state)],
                cwd=str(REPO),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        (self.state / "moto.pid").write_text(str(proc.pid))
        url_file, deadline = self.state / "moto.url", time.monotonic() + timeout
        while not url_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                motoctl.stop(self.state)
                raise RuntimeError("moto server did not start; see {}".format(self.state / "moto.log"))
            time.sleep(0.05)
        url = url_file.read_text().strip()
        motoctl.wait_ready(url, timeout=30)
        return url

    def moto_cpu(self):
        """CPU seconds (user + system) moto server has used so far: its share of a run's cost."""
        pid = (self.state / "moto.pid").read_text().strip()
        with open("/proc/{}/stat".format(pid), "rb") as handle:
            stat = handle.read()
        fields = stat[stat.rindex(b")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def seed(self):
        """Over HTTP: ``vpcs`` VPCs per target from a pool of threads (moto makes the default VPC on first use)."""
        aws = _AccountHeader(self.moto)
        work = [(t["account"], t["region"], i) for i in range(max(1, self.shape.vpcs)) for t in self.targets]

        def one(item):
            account, region, i = item
            ec2 = aws.as_account(account).client("ec2", region)
            if self.shape.vpcs:
                ec2.create_vpc(CidrBlock="10.{}.{}.0/24".format(i // 250, i % 250))
            else:
                ec2.describe_vpcs()

        with ThreadPoolExecutor(max_workers=SEED_THREADS) as pool:
            list(pool.map(one, work))

    def inventory(self, path):
        hosts = {
            host_name(t["account"], t["region"]): dict(
                flow_logs_region=t["region"],
                flow_logs_account_id=t["account"],
                flow_logs_assume_role_arn="arn:aws:iam::{}:role/{}".format(t["account"], ACCESS_ROLE),
                flow_logs_endpoint_url=self.proxy.url,
                flow_logs_insights_queries=False,  # moto has no saved queries; the floor saves none either
            )
            for t in self.targets
        }
        inventory = {
            "all": {
                "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                "children": {"flow_logs_targets": {"hosts": hosts}},
            }
        }
        Path(path).write_text(json.dumps(inventory, indent=1))
        return path

    def targets_file(self, path):
        Path(path).write_text(json.dumps(self.targets))
        return path

    def check(self):
        """What differs from the end state every converge must reach (empty when converged)."""
        aws = _AccountHeader(self.moto)
        with ThreadPoolExecutor(max_workers=CHECK_THREADS) as pool:
            problems = list(pool.map(lambda a: _check_account(aws, a), self.accounts))
            problems += list(pool.map(lambda t: _check_target(aws, self.shape, **t), self.targets))
        return [p for group in problems for p in group]


def _check_account(aws, account):
    iam = aws.as_account(account).client("iam", "us-east-1")
    try:
        role = iam.get_role(RoleName=floor.ROLE)["Role"]
    except ClientError:
        return ["{}: no role {}".format(account, floor.ROLE)]
    problems = []
    if floor.canonical(role["AssumeRolePolicyDocument"]) != floor.canonical(floor.trust_policy(account)):
        problems.append("{}: trust policy {}".format(account, json.dumps(role["AssumeRolePolicyDocument"])))
    tags = {t["Key"]: t["Value"] for t in role.get("Tags") or []}
    if any(tags.get(k) != v for k, v in floor.TAGS.items()):
        problems.append("{}: role tags {}".format(account, tags))
    names = iam.list_role_policies(RoleName=floor.ROLE)["PolicyNames"]
    if names != [floor.POLICY]:
        problems.append("{}: inline policies {}".format(account, names))
    else:
        policy = iam.get_role_policy(RoleName=floor.ROLE, PolicyName=floor.POLICY)["PolicyDocument"]
        if floor.canonical(policy) != floor.canonical(floor.delivery_policy(account)):
            problems.append("{}: delivery policy {}".format(account, json.dumps(policy)))
    attached = iam.list_attached_role_policies(RoleName=floor.ROLE)["AttachedPolicies"]
    if attached:
        problems.append("{}: attached policies {}".format(account, attached))
    return problems


def _check_target(aws, shape, account, region):
    where = "{}/{}".format(account, region)
    role_arn = "arn:aws:iam::{}:role/{}".format(account, floor.ROLE)
    aws.as_account(account)
    ec2, logs = aws.client("ec2", region), aws.client("logs", region)
    problems = []
    vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    if len(vpcs) != shape.vpcs + 1:
        problems.append("{}: {} VPCs, seeded {}".format(where, len(vpcs), shape.vpcs + 1))
    ours = [f for f in ec2.describe_flow_logs()["FlowLogs"] if f.get("LogGroupName") == floor.GROUP]
    right = [
        f
        for f in ours
        if f.get("TrafficType") == "ALL"
        and f.get("MaxAggregationInterval") == floor.INTERVAL
        and f.get("DeliverLogsPermissionArn") == role_arn
        and all({t["Key"]: t["Value"] for t in f.get("Tags") or []}.get(k) == v for k, v in floor.TAGS.items())
    ]
    covered = {f["ResourceId"] for f in right}
    if covered != vpcs or len(ours) != len(vpcs):
        problems.append(
            "{}: {} VPCs, {} flow logs to {} ({} as wanted, {} VPCs without)".format(
                where, len(vpcs), len(ours), floor.GROUP, len(right), len(vpcs - covered)
            )
        )
    groups = logs.describe_log_groups(logGroupNamePrefix=floor.GROUP)["logGroups"]
    groups = [g for g in groups if g["logGroupName"] == floor.GROUP]
    if not groups:
        return [*problems, "{}: no log group {}".format(where, floor.GROUP)]
    if groups[0].get("retentionInDays") != floor.RETENTION:
        problems.append("{}: retention {}".format(where, groups[0].get("retentionInDays")))
    arn = groups[0].get("logGroupArn") or groups[0]["arn"].rstrip("*").rstrip(":")
    tags = logs.list_tags_for_resource(resourceArn=arn).get("tags") or {}
    if any(tags.get(k) != v for k, v in floor.TAGS.items()):
        problems.append("{}: log group tags {}".format(where, tags))
    return problems
