# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Discovery and audit: VPCs, their flow logs and a verdict per VPC against a desired spec."""

from __future__ import annotations

import contextlib

from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.check import (
    ArrivalSettings,
    add_arrival,
    check_arrival,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.rules import arrival_problems
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import iam as iam_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.bucket_delivery import (
    bucket_delivery_problems,
    read_bucket_delivery_state,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.policies import (
    FLOW_LOGS_PRINCIPAL,
    trusted_services,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.roles import role_excess
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import summary
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.fields import VERDICTS as JUDGED
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import (
    AUDIT,
    flow_log_spec,
    goes_where_wanted,
    judge,
)

#: The verdict of a VPC another account shares into this one (RAM): never written, never counted as ours.
NOT_OWNED = "not_owned"
VERDICTS = (*JUDGED, NOT_OWNED)


def owned(vpc, account):
    """True unless the VPC belongs to another account (a participant of a RAM share sees the owner's VPCs)."""
    return not vpc.get("owner_id") or vpc["owner_id"] == account


def audit_spec(params):
    """The desired spec an audit compares with: the same rules as vpc_flow_log; unset options are not
    compared. Validated before any AWS call."""
    return flow_log_spec(dict(params, resource_type="VPC"), AUDIT)


def delivery_cause(flow_log, roles, log_groups, buckets=None):
    """The likely reason a flow log cannot deliver, from what we know of its role, log group or bucket."""
    return (
        _role_cause(flow_log, roles)
        or _log_group_cause(flow_log, log_groups)
        or _s3_cause(flow_log, buckets or {})
        or flow_log.get("deliver_logs_error_message")
        or "delivery failed"
    )


def _role_cause(flow_log, roles):
    """A delivery role that was read and is missing or does not trust VPC Flow Logs, or None."""
    role_arn = flow_log.get("deliver_logs_role_arn")
    if role_arn not in roles:
        return None
    role = roles[role_arn]
    if role is None:
        return "delivery role {} does not exist".format(role_arn)
    principals = trusted_services(role.get("trust_policy"))
    if FLOW_LOGS_PRINCIPAL in principals:
        return None
    return "delivery role {} trusts {}, not {}".format(
        role["name"], ", ".join(principals) or "no service", FLOW_LOGS_PRINCIPAL
    )


def _log_group_cause(flow_log, log_groups):
    """A log group that was looked up and does not exist, or None."""
    group = flow_log.get("log_group_name")
    if flow_log.get("log_destination_type") == "cloud-watch-logs" and group in log_groups and log_groups[group] is None:
        return "log group {} does not exist".format(group)
    return None


def _s3_cause(flow_log, buckets):
    """What the bucket policy says against an S3 flow log's delivery (see _bucket_cause), or None."""
    if flow_log.get("log_destination_type") != "s3":
        return None
    return buckets.get(_bucket_key(flow_log))


def _bucket_key(flow_log):
    options = flow_log.get("destination_options") or {}
    return (flow_log.get("log_destination"), bool(options.get("hive_compatible_partitions")))


def verdict_for(spec, flow_logs, roles=None, log_groups=None, buckets=None):
    """(verdict, reason, mismatched_fields) for one VPC's flow logs. Pure.

    ``roles``, ``log_groups``: what was read of the failing flow logs' roles and groups; ``buckets``: the likely cause
    per S3 destination (see _lookup_delivery)."""
    verdict, flow_log, fields = judge(spec, flow_logs)
    if verdict == "missing":
        where = spec["log_group_name"] or spec["log_destination"] or spec["log_destination_type"]
        return verdict, "no flow log to {}".format(where), []
    if verdict == "compliant":
        return verdict, "flow log {} matches".format(flow_log["flow_log_id"]), []
    if verdict == "delivery_failed":
        return verdict, delivery_cause(flow_log, roles or {}, log_groups or {}, buckets), []
    reason = "; ".join("{} is {}, wanted {}".format(field, flow_log.get(field), spec[field]) for field in fields)
    return verdict, reason, fields


def _bucket_cause(clients, flow_log, account, states, definite=False):
    """What the bucket policy says against delivery of this account's flow logs (the bucket read once); ``definite``:
    only what was read and found wrong, not a policy that could not be read."""
    destination = flow_log["log_destination"]
    bucket = destination.split(":::", 1)[-1].split("/", 1)[0]
    if bucket not in states:
        states[bucket] = read_bucket_delivery_state(clients, bucket)
    state = states[bucket]
    if definite:
        state = dict(state, problems=[p for p in state["problems"] if p.endswith("does not exist")])
    problems = bucket_delivery_problems(
        state, account, destination, hive_compatible_partitions=_bucket_key(flow_log)[1], region=clients.region
    )
    return "; ".join(problems) or None


def _lookup_delivery(clients, failed, account, definite=False):
    """Roles (same account only), log groups and buckets behind failing flow logs, each looked up once."""
    roles, groups, buckets, states = {}, {}, {}, {}
    for flow_log in failed:
        _lookup_role(clients, flow_log, account, roles)
        _lookup_log_group(clients, flow_log, groups)
        _lookup_bucket(clients, flow_log, account, buckets, states, definite)
    return roles, groups, buckets


def _lookup_role(clients, flow_log, account, roles):
    """Add the flow log's delivery role to ``roles`` (None: it does not exist) unless another account owns it."""
    arn = flow_log.get("deliver_logs_role_arn")
    if arn and arn not in roles and arn.split(":")[4] == account:
        # Not allowed to read IAM: the cause stays AWS's own message.
        with contextlib.suppress(AwsError):
            roles[arn] = iam_api.get_role(clients("iam"), arn.rsplit("/", 1)[-1])


def _lookup_log_group(clients, flow_log, groups):
    """Add the flow log's log group to ``groups`` (None: it does not exist)."""
    group = flow_log.get("log_group_name")
    if group and group not in groups and flow_log.get("log_destination_type") == "cloud-watch-logs":
        with contextlib.suppress(AwsError):
            groups[group] = logs_api.describe_log_group(clients("logs"), group)


def _lookup_bucket(clients, flow_log, account, buckets, states, definite=False):
    """Add what the bucket policy says against an S3 flow log's delivery to ``buckets`` (the bucket read once)."""
    if flow_log.get("log_destination_type") == "s3" and flow_log.get("log_destination"):
        key = _bucket_key(flow_log)
        if key not in buckets:
            buckets[key] = _bucket_cause(clients, flow_log, account, states, definite)


def audit_vpcs(clients, params, check_mode=False):
    """Discover VPCs (ids / EC2 filters / all), read their flow logs, judge each VPC - and with ``check_arrival``,
    whether each flow log's records arrive. Only reads, so check mode changes nothing."""
    settings = arrival_settings(params)
    found, flow_logs = discover(clients, params)
    if params.get("check_deletion_protection"):
        found["log_groups"] = log_groups_protection(clients, flow_logs)
    if settings is None:
        return found
    account = found["account_id"]
    flow_logs = with_wanted_options(flow_logs, audit_spec(params))
    causes = None
    if params.get("check_delivery", True):

        def causes(silent):
            return found_delivery_problems(clients, silent, account)

    return add_arrival(found, flow_logs, check_arrival(clients, flow_logs, settings, causes=causes))


def log_groups_protection(clients, flow_logs):
    """The log groups the CloudWatch Logs flow logs of this account deliver to, each read once (no tags): name,
    whether it exists and whether it is protected from deletion (``deletion_protection``; an endpoint without the
    feature answers without it: false)."""
    names = sorted({f["log_group_name"] for f in flow_logs if f.get("log_group_name") and _delivers_here(f)})
    found = []
    for name in names:
        group = logs_api.read_log_group(clients("logs"), name)
        found.append(
            dict(name=name, exists=group is not None, deletion_protection=(group or {}).get("deletion_protection"))
        )
    return found


def _delivers_here(flow_log):
    """A CloudWatch Logs flow log to this account's own log group (another account's cannot be read from here)."""
    return flow_log.get("log_destination_type") in (None, "cloud-watch-logs") and not flow_log.get(
        "deliver_cross_account_role"
    )


def with_wanted_options(flow_logs, spec):
    """The flow logs, those to the spec's S3 destination whose options the endpoint did not report (moto does not)
    given the spec's: where their files are depends on them (Hive-compatible prefixes, per-hour partitions)."""
    wanted = spec.get("destination_options")
    if not wanted:
        return flow_logs
    return [
        dict(f, destination_options=wanted)
        if f.get("log_destination_type") == "s3" and not f.get("destination_options") and goes_where_wanted(spec, f)
        else f
        for f in flow_logs
    ]


def arrival_settings(params):
    """The arrival check ``params`` ask for (None: not asked), its options checked before any AWS call."""
    problems = arrival_problems(params)
    if problems:
        raise problems[0]
    if not params.get("check_arrival"):
        return None
    return ArrivalSettings(window=params.get("delivery_window") or 30, prices=params.get("price_table"))


def found_delivery_problems(clients, flow_logs, account):
    """Flow log id -> what the delivery checks find wrong with its delivery role (this account's), log group or
    bucket policy, in words; flow logs with nothing found are left out. Unlike delivery_cause, a policy that could
    not be read is not a finding."""
    roles, groups, buckets = _lookup_delivery(clients, flow_logs, account, definite=True)
    found = {}
    for flow_log in flow_logs:
        cause = _role_cause(flow_log, roles) or _log_group_cause(flow_log, groups) or _s3_cause(flow_log, buckets)
        if cause:
            found[flow_log["flow_log_id"]] = cause
    return found


def list_vpcs(clients, params):
    """The VPCs ``params`` select (ids / EC2 filters / all, less the excluded ones), sorted by id; named ids that do
    not exist fail, naming them."""
    vpcs = ec2_api.describe_vpcs(clients("ec2"), params.get("vpc_ids") or None, params.get("filters") or None)
    missing = sorted(set(params.get("vpc_ids") or []) - {v["vpc_id"] for v in vpcs})
    if missing and not params.get("filters"):
        raise ParameterError(
            "vpc_ids",
            "{} not found in {} of account {}".format(
                ", ".join(missing), clients.region, clients.identity()["account"]
            ),
        )
    excluded = set(params.get("exclude_vpc_ids") or [])
    return sorted((v for v in vpcs if v["vpc_id"] not in excluded), key=lambda v: v["vpc_id"])


def read_flow_logs(clients, ids, check_delivery=True):
    """(resource id -> its flow logs, roles and log groups behind the failing ones) for ``ids``."""
    by_resource = {}
    for flow_log in ec2_api.describe_flow_logs(clients("ec2"), ids) if ids else []:
        by_resource.setdefault(flow_log["resource_id"], []).append(flow_log)
    roles, groups, buckets = {}, {}, {}
    if check_delivery:
        failed = [f for fls in by_resource.values() for f in fls if f.get("deliver_logs_status") == "FAILED"]
        if failed:
            roles, groups, buckets = _lookup_delivery(clients, failed, clients.identity()["account"])
    return by_resource, roles, groups, buckets


def judge_resources(resources, id_key, spec, account, known):
    """(rows, counts): each resource (a copy) with its flow logs, verdict, reason and drifted fields against
    ``spec``; ``known`` is read_flow_logs()' answer. Resources another account owns are ``not_owned``. Pure."""
    by_resource, roles, groups, buckets = known
    counts = {v: 0 for v in VERDICTS}
    rows = []
    for resource in resources:
        flow_logs = by_resource.get(resource[id_key], [])
        if owned(resource, account):
            verdict, reason, fields = verdict_for(spec, flow_logs, roles, groups, buckets)
        else:
            verdict, fields = NOT_OWNED, []
            reason = "shared with this account by {}: only its owner can log it".format(resource["owner_id"])
        counts[verdict] += 1
        rows.append(
            dict(
                resource,
                flow_logs=[
                    dict(
                        summary(f),
                        resource_id=f["resource_id"],
                        deliver_logs_error_message=f.get("deliver_logs_error_message"),
                    )
                    for f in flow_logs
                ],
                verdict=verdict,
                reason=reason,
                mismatched_fields=fields,
            )
        )
    counts["total"] = len(rows)
    return rows, counts


def discover(clients, params):
    """(audit_vpcs' result, every flow log read on the target's own VPCs): the converge that follows a discovery
    plans from these flow logs instead of reading them again."""
    spec = audit_spec(params)
    vpcs = list_vpcs(clients, params)
    account = clients.identity()["account"]
    # A VPC shared into the account through RAM: only its owner can create flow logs on it.
    known = read_flow_logs(
        clients, [v["vpc_id"] for v in vpcs if owned(v, account)], params.get("check_delivery", True)
    )
    vpcs, counts = judge_resources(vpcs, "vpc_id", spec, account, known)
    by_vpc = known[0]
    found = dict(changed=False, account_id=account, region=clients.region, vpcs=vpcs, counts=counts)
    if params.get("check_role_privileges", True):
        found["delivery_roles"] = _delivery_roles(clients, spec, by_vpc, account)
        found["warnings"] = [
            "delivery role {} grants more than delivery: {}".format(r["arn"], "; ".join(r["excess_privileges"]))
            for r in found["delivery_roles"]
            if r["excess_privileges"]
        ]
    return found, [f for flow_logs in by_vpc.values() for f in flow_logs]


def _delivery_roles(clients, spec, by_vpc, account):
    """The delivery roles (this account's) of the flow logs to the wanted destination, each with what it grants
    beyond delivery."""
    arns = sorted(
        {
            f["deliver_logs_role_arn"]
            for fls in by_vpc.values()
            for f in fls
            if f.get("deliver_logs_role_arn") and goes_where_wanted(spec, f)
        }
    )
    roles = []
    for arn in arns:
        if arn.split(":")[4] != account:
            continue
        with contextlib.suppress(AwsError):  # not allowed to read IAM: nothing to flag
            roles.append(dict(arn=arn, excess_privileges=role_excess(clients("iam"), arn.rsplit("/", 1)[-1])))
    return roles
