#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_logs_troubleshoot
short_description: Answer "why can't A reach B?" from the flow logs of one target
version_added: 1.1.0
description:
  - The one task of the C(troubleshoot) entry point of the P(flowlogs.aws.flow_logs#role) role, run by the
    C(flowlogs.aws.troubleshoot_flowlogs) playbook. It reads the flow-log records of one target - one AWS account in
    one region - for a time window, keeps the records between the queried addresses (and port), groups them into
    flows and gives a verdict. It writes nothing in AWS.
  - Every variable is converted and checked before any AWS call, each message naming the variable; a C(flow_logs_*)
    variable the role does not know fails the target, naming the closest known one.
  - "How the records are read: the region's flow logs to CloudWatch Logs (C(ec2:DescribeFlowLogs)) give the log
    groups and the record format of each (the default version 2 format when a flow log has none); with none, the
    group O(flowlogs.aws.flow_logs#role:troubleshoot:flow_logs_log_group_name) is read in the default format. Each
    group is read with C(logs:FilterLogEvents) for the window, once per direction, narrowed server-side by a
    space-delimited filter pattern on the format's field positions, at most 10,000 events and 25 pages per read (the
    result says when a bound cut a read). Every record is then matched again here, by field name, so the verdict
    does not depend on what the server did with the pattern."
  - "Direction: a request goes towards the queried port (from the source to the destination when no port is
    given); a reply comes back from it. Verdict of a conversation: V(rejected) when a record of either direction
    says REJECT; V(accepted) when replies were accepted; V(accepted_no_reply) when requests were accepted and no
    reply came back in the window. The target's verdict is its most telling conversation's
    (V(rejected) > V(accepted_no_reply) > V(accepted)), or V(no_records)."
  - C(reasons) say what to check next, and why records may be missing - no flow log to CloudWatch Logs in the
    region, delivery FAILED, a traffic type that hides the action, a window shorter than the 5 to 10 minute delivery
    delay, a bound that cut a read, traffic AWS never logs (the Amazon DNS server at the VPC's base + 2 and
    169.254.169.253, instance metadata at 169.254.169.254, time sync at 169.254.169.123, Windows license activation,
    DHCP, the VPC router at a subnet's base + 1).
  - With a non-local connection the variables are converted on the controller and the module runs on the remote host
    with O(variables).
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  variables:
    description:
      - The role's variables of the C(troubleshoot) entry point, already converted. Set by the action on the
        controller; not for use in playbooks.
    type: dict
    required: true
  target:
    description: Name of the target in the result (the inventory host).
    type: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: It only reads; check mode changes nothing in what it does.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description: When run twice in a row with the same arguments, the second invocation indicates no change.
    support: full
    details: Never changes anything.
notes:
  - Runs on the controller when the connection is local (as in the role), in the worker process.
  - "IAM permissions: C(ec2:DescribeFlowLogs), C(logs:FilterLogEvents) on the flow-log groups, and - only when there
    are no records and a queried address is a private host - C(ec2:DescribeVpcs) and C(ec2:DescribeSubnets)."
seealso:
  - module: flowlogs.aws.troubleshoot_report
  - module: flowlogs.aws.vpc_flow_log_info
"""

EXAMPLES = r"""
# The flowlogs.aws.troubleshoot_flowlogs playbook runs it through the role; in a play of your own:
- name: Why can't the ECS task reach S3?
  ansible.builtin.import_role:
    name: flowlogs.aws.flow_logs
    tasks_from: troubleshoot
    rolespec_validate: false
  vars:
    flow_logs_query_src: 10.0.1.25
    flow_logs_query_dst: 52.219.204.42
    flow_logs_query_port: 443
    flow_logs_query_since: 2h

- name: The same, as a task (it reads the target's flow_logs_* variables itself)
  flowlogs.aws.flow_logs_troubleshoot:
  vars:
    flow_logs_query_src: 10.0.1.0/24
    flow_logs_query_dst: 10.0.2.15
    flow_logs_query_port: 5432
    flow_logs_query_start: "2026-11-22T09:00:00Z"
    flow_logs_query_end: "2026-11-22T10:00:00Z"
  register: flow_logs_troubleshoot_result
"""

RETURN = r"""
result_version:
  description: Version of this result's layout; it changes only when a key changes meaning or goes away.
  returned: always
  type: int
  sample: 1
target:
  description: The inventory host.
  returned: always
  type: str
  sample: prod-eu-west-1
account_id:
  description:
    - The account the target is configured for (its C(flow_logs_account_id) variable), else the account its
      credentials resolve to. A target whose credentials reached another account names both in its error.
  returned: always
  type: str
  sample: "111111111111"
region:
  description: The target's region.
  returned: always
  type: str
  sample: eu-west-1
query:
  description: The question, checked - addresses as CIDRs, the window in UTC (null when the variables were refused).
  returned: always
  type: dict
  sample: {src: 10.0.1.25/32, dst: 52.219.204.42/32, port: 443, protocol: tcp, since: 1h,
           start: "2026-11-22T09:00:00Z", end: "2026-11-22T10:00:00Z"}
verdict:
  description: V(rejected), V(accepted_no_reply), V(accepted) or V(no_records).
  returned: always
  type: str
  sample: accepted_no_reply
records:
  description: How many flow-log records matched the question.
  returned: always
  type: int
  sample: 4
flows:
  description:
    - The matched records summed per conversation, interface, direction and action. C(src), C(dst) and C(dst_port)
      are the conversation's, oriented as its requests (client -> server:port) for both directions;
      C(direction) says whether the records are the requests or the replies.
  returned: always
  type: list
  elements: dict
  contains:
    src:
      description: The client (the packet-level address when the record format has it).
      type: str
    dst:
      description: The server.
      type: str
    dst_port:
      description: The server's port (null for protocols without ports).
      type: int
    protocol:
      description: V(tcp), V(udp), V(icmp), V(icmpv6) or the IANA number.
      type: str
    interface_id:
      description: The network interface whose flow log recorded it.
      type: str
    direction:
      description: V(request) or V(reply).
      type: str
    action:
      description: V(ACCEPT) or V(REJECT).
      type: str
    packets:
      description: Packets, summed.
      type: int
    bytes:
      description: Bytes, summed.
      type: int
    records:
      description: Records summed into this flow.
      type: int
    first_seen:
      description: Start of the earliest record (UTC).
      type: str
    last_seen:
      description: End of the latest record (UTC).
      type: str
    flow_direction:
      description: V(ingress) or V(egress) when the record format has C(flow-direction), else null.
      type: str
    reject_reason:
      description: The C(reject-reason) field (V(BPA) for VPC Block Public Access) when the format has it, else null.
      type: str
    traffic_path:
      description: The C(traffic-path) field when the format has it, else null.
      type: str
    verdict:
      description: The verdict of the flow's conversation.
      type: str
  sample:
    - {src: 10.0.1.25, dst: 52.219.204.42, dst_port: 443, protocol: tcp, interface_id: eni-0a1b2c3d4e5f60718,
       direction: request, action: ACCEPT, packets: 12, bytes: 720, records: 3,
       first_seen: "2026-11-22T09:41:00Z", last_seen: "2026-11-22T09:44:00Z", flow_direction: egress,
       reject_reason: null, traffic_path: "8", verdict: accepted_no_reply}
reasons:
  description:
    - What the flows say to check next, and why records may be missing, each a C(code) and a C(message) in words.
    - "Codes: V(rejected_request), V(rejected_reply), V(no_reply), V(never_logged), V(no_flow_log),
      V(not_in_cloudwatch_logs), V(delivery_failed), V(traffic_type), V(log_group_missing), V(format_unusable),
      V(truncated), V(window_too_short), V(not_delivered_yet), V(vpc_layout_unread) (DescribeVpcs or
      DescribeSubnets refused), V(invalid_variables) (nothing was read),
      V(read_failed) (an AWS call failed)."
  returned: always
  type: list
  elements: dict
  sample:
    - code: no_reply
      message: "requests to 52.219.204.42:443/tcp from 10.0.1.25 were accepted outbound at eni-0a1b2c3d4e5f60718 but
        no reply came back in the window: ..."
log_groups:
  description:
    - What was read - per log group, the flow logs writing to it, its record formats, the filter patterns used, the
      events read, and whether a bound cut the read (C(truncated)) or the group is C(missing). C(fallback) is true
      for the group read because no flow log writes to CloudWatch Logs.
  returned: always
  type: list
  elements: dict
error:
  description: Why the target failed (null when it did not), naming the variable or the AWS call, account and region.
  returned: always
  type: str
counts:
  description: The AWS API calls made, and how many botocore retried.
  returned: always
  type: dict
  sample: {api_calls: 4, api_retries: 0}
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import (
    BOTO3_IMPORT_ERROR,
    HAS_BOTO3,
    Clients,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._role.variables import connection_options
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.target import troubleshoot_target

ARGUMENT_SPEC = dict(
    variables=dict(type="dict", required=True),
    target=dict(type="str"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    if not HAS_BOTO3:
        module.fail_json(
            msg=missing_required_lib("boto3 and botocore"),
            exception="".join(traceback.format_exception(BOTO3_IMPORT_ERROR)),
        )
    variables = module.params["variables"]
    result = troubleshoot_target(Clients(connection_options(variables)), variables, module.params["target"])
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
