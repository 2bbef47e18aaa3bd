# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A target's discovery: its resources of every covered type, their flow logs, a verdict per unit, and the plan a
converge would follow - read-only.

Private to the collection: not a public API, it may change in any release. A unit is one resource type with one
destination (model.Unit). The resources are listed once per type and their flow logs read once for all of them; each
unit then judges the same flow logs against its own desired flow log, with the same judge() the audit and the report
use, and plans its converge with the same plan_flow_logs() the converge uses.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import (
    NOT_OWNED,
    judge_resources,
    list_vpcs,
    owned,
    read_flow_logs,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import ACTION_NAMES, plan_flow_logs
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import AUDIT, CONVERGE, flow_log_spec

#: How each resource type other than VPC is listed (VPCs follow flow_logs_vpc_ids and the tag filters).
LISTERS = {
    "TransitGateway": ec2_api.describe_transit_gateways,
    "TransitGatewayAttachment": ec2_api.describe_transit_gateway_attachments,
    "RegionalNatGateway": ec2_api.describe_regional_nat_gateways,
}


def _vpc_options(target, role_arn):
    """vpc_flow_log_info's options: the VPCs the target covers and its first destination's flow log."""
    options = target.flow_log_options(target.units[0], role_arn)
    return dict(
        target.vpc_selection(),
        destination_type=options["destination_type"],
        log_group_name=options["log_group_name"],
        log_destination=options["log_destination"],
        deliver_logs_role_arn=options["deliver_logs_role_arn"],
        traffic_type=options["traffic_type"],
        max_aggregation_interval=options["max_aggregation_interval"],
        log_format=options["log_format"],
        check_role_privileges=False,  # the delivery role step reads and reports the role itself
    )


def list_resources(clients, target, role_arn):
    """Resource type -> its resources in the target, sorted by id, each with ``resource_id`` and ``vpc_id`` (the
    key the report's rows have always had)."""
    found = {}
    for resource_type in target.resource_types:
        if resource_type == "VPC":
            vpcs = list_vpcs(clients, _vpc_options(target, role_arn))
            found[resource_type] = [dict(vpc, resource_type="VPC", resource_id=vpc["vpc_id"]) for vpc in vpcs]
        else:
            listed = sorted(LISTERS[resource_type](clients("ec2")), key=lambda r: r["resource_id"])
            found[resource_type] = [dict(r, vpc_id=r["resource_id"]) for r in listed]
    return found


def plan_counts(target, unit, role_arn, rows, existing):
    """What the converge of a unit would do, counted by action: the converge's own plan, made from what was read."""
    ids = [row["resource_id"] for row in rows if row["verdict"] != NOT_OWNED]
    spec = flow_log_spec(dict(target.flow_log_options(unit, role_arn, ids), purge_tags=False), CONVERGE)
    wanted = set(ids)
    plan = plan_flow_logs(
        spec, ids, [f for f in existing if f["resource_id"] in wanted], target.state, target.managed_tags, False
    )
    counts = {name: 0 for name in ACTION_NAMES.values()}
    for step in plan:
        counts[ACTION_NAMES[step["action"]]] += 1
    counts["replacing"] = sorted(step["resource_id"] for step in plan if step["action"] == "replace")
    return counts


def discover_units(clients, target, role_arn, with_plan=False):
    """(units, every flow log read): per unit, vpc_flow_log_info's result for it (``before``) as a dict the run
    carries to the converge: ``resource_type``, ``destination`` (its label), ``before`` and, ``with_plan``, ``plan``."""
    account = clients.identity()["account"]
    resources = list_resources(clients, target, role_arn)
    own = [r["resource_id"] for listed in resources.values() for r in listed if owned(r, account)]
    known = read_flow_logs(clients, own)
    existing = [f for flow_logs in known[0].values() for f in flow_logs]
    units = []
    for unit in target.units:
        spec = flow_log_spec(target.flow_log_options(unit, role_arn, []), AUDIT)
        rows, counts = judge_resources(resources[unit.resource_type], "resource_id", spec, account, known)
        before = dict(changed=False, account_id=account, region=clients.region, vpcs=rows, counts=counts)
        found = dict(resource_type=unit.resource_type, destination=unit.destination.label, before=before)
        if with_plan:
            found["plan"] = plan_counts(target, unit, role_arn, rows, existing)
        units.append(found)
    return units, existing
