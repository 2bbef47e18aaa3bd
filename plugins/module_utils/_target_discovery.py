# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A target's discovery: its resources of every covered type, their flow logs, a verdict per unit.

Private to the collection: not a public API, it may change in any release. A unit is one resource type with one
destination (see _role_destinations). The resources are listed once per type and their flow logs read once for
all of them; each unit then judges the same flow logs against its own desired flow log.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils import _role_destinations as rd
from ansible_collections.flowlogs.aws.plugins.module_utils import _role_variables as rv
from ansible_collections.flowlogs.aws.plugins.module_utils._audit import (
    judge_resources,
    list_vpcs,
    owned,
    read_flow_logs,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_spec import AUDIT, flow_log_spec

#: How each resource type other than VPC is listed (VPCs follow flow_logs_vpc_ids and the tag filters).
LISTERS = {
    "TransitGateway": ec2_api.describe_transit_gateways,
    "TransitGatewayAttachment": ec2_api.describe_transit_gateway_attachments,
    "RegionalNatGateway": ec2_api.describe_regional_nat_gateways,
}


def list_resources(clients, v, role_arn):
    """Resource type -> its resources in the target, sorted by id, each with ``resource_id`` and ``vpc_id`` (the
    key the report's rows have always had)."""
    found = {}
    for resource_type in rd.resource_types(v):
        if resource_type == "VPC":
            listed = [
                dict(vpc, resource_type="VPC", resource_id=vpc["vpc_id"])
                for vpc in list_vpcs(clients, rv.discovery_options(v, role_arn))
            ]
        else:
            listed = sorted(LISTERS[resource_type](clients("ec2")), key=lambda r: r["resource_id"])
            listed = [dict(r, vpc_id=r["resource_id"]) for r in listed]
        found[resource_type] = listed
    return found


def unit_spec(v, dest, resource_type, role_arn):
    """The flow log a unit's resources should have, as an audit compares it (unset settings not compared)."""
    return flow_log_spec(rv.flow_log_options(v, role_arn, [], dest, resource_type), AUDIT)


def discover_units(clients, v, role_arn):
    """(units, every flow log read): per resource type and destination, vpc_flow_log_info's result for it."""
    account = clients.identity()["account"]
    resources = list_resources(clients, v, role_arn)
    own = [r["resource_id"] for listed in resources.values() for r in listed if owned(r, account)]
    known = read_flow_logs(clients, own)
    units = []
    for resource_type, listed in resources.items():
        for dest in rd.destinations(v):
            rows, counts = judge_resources(
                listed, "resource_id", unit_spec(v, dest, resource_type, role_arn), account, known
            )
            before = dict(changed=False, account_id=account, region=clients.region, vpcs=rows, counts=counts)
            units.append(dict(resource_type=resource_type, destination=dest["label"], dest=dest, before=before))
    return units, [f for flow_logs in known[0].values() for f in flow_logs]
