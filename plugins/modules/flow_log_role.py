#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_log_role
short_description: IAM role that VPC Flow Logs assumes to deliver to CloudWatch Logs
version_added: 1.0.0
description:
  - Creates or updates the IAM role VPC Flow Logs uses to write to CloudWatch Logs, or deletes it.
  - The trust policy allows only C(vpc-flow-logs.amazonaws.com). A role that trusts anything else, such as the
    classic C(ec2.amazonaws.com) mistake that makes delivery fail with I(Access error) while the flow log
    still says ACTIVE, is corrected, and the diff shows the old and the new principal.
  - By default the trust statement also carries C(aws:SourceAccount) and C(aws:SourceArn) conditions, so only
    flow logs of this account can use the role (confused-deputy protection).
  - The inline policy grants only what delivery needs - C(logs:CreateLogStream), C(logs:PutLogEvents) and
    C(logs:DescribeLogStreams) only on the named log groups, never on C(*); and C(logs:DescribeLogGroups) in a
    statement of its own on C(*), the only resource IAM grants it on.
  - Policies are compared semantically (statement order, single value or list, C(Sid)), so a re-run reports no change.
  - Safe when several runs create the same role at once, for example one per region of an account.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  name:
    description: Name of the role.
    type: str
    required: true
  state:
    description:
      - Whether the role should exist. O(state=absent) deletes the role with its inline and attached policies.
    type: str
    choices: [present, absent]
    default: present
  path:
    description: IAM path of a new role. The path of an existing role is not changed.
    type: str
    default: /
  description:
    description: Description of the role. When unset, an existing description is left as it is.
    type: str
  log_group_names:
    description:
      - The log groups the role may write to, in every region of the account. The inline policy is scoped to
        C(arn:<partition>:logs:*:<account>:log-group:<name>:*) for each.
      - When unset, the inline policy of an existing role is left as it is and a new role gets none.
    type: list
    elements: str
  policy_name:
    description: Name of the inline policy the module manages (1 to 128 characters).
    type: str
    default: flow-logs-delivery
  purge_policies:
    description:
      - Delete the role's other inline policies and detach its managed policies, so that the role ends
        least-privilege - it exists for delivery only. The diff shows each one (C(other_policies),
        C(managed_policies)).
      - With V(false) they stay, and RV(excess_privileges) (and a warning) says what the role grants beyond
        delivery.
      - Unset (the default), they are removed when the credentials may list the role's policies
        (C(iam:ListRolePolicies), C(iam:ListAttachedRolePolicies)); when that is refused (1.0.0's documented operator
        policy did not grant it), the role's own policy is still converged and a warning says the others were not
        checked. V(true) requires the listing, and the task fails when it is refused.
    type: bool
    version_added: 1.1.0
  source_conditions:
    description:
      - Add C(aws:SourceAccount) and C(aws:SourceArn) conditions to the trust statement so that only this
        account's flow logs can assume the role.
    type: bool
    default: true
  permissions_boundary:
    description:
      - ARN of a managed policy to set as permissions boundary. An empty string removes the boundary.
      - When unset, the boundary of an existing role is left as it is.
    type: str
    aliases: [boundary]
  tags:
    description: Tags of the role. When unset, tags are left as they are.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
extends_documentation_fragment:
  - flowlogs.aws.connection
  - flowlogs.aws.attributes
notes:
  - IAM is global; O(region) only selects the STS endpoint used to find the account.
  - A new role can take a minute to be usable by VPC Flow Logs; M(flowlogs.aws.vpc_flow_log) waits for it.
  - Reads the role with C(iam:GetRole), C(iam:ListRolePolicies), C(iam:GetRolePolicy) and
    C(iam:ListAttachedRolePolicies); O(purge_policies) also needs C(iam:DeleteRolePolicy) and C(iam:DetachRolePolicy).
seealso:
  - module: flowlogs.aws.vpc_flow_log
  - name: IAM role for publishing flow logs to CloudWatch Logs
    description: AWS documentation of the trust and permission policies.
    link: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
"""

EXAMPLES = r"""
- name: Delivery role for the vpc-flow-logs group
  flowlogs.aws.flow_log_role:
    name: vpc-flow-logs-delivery
    log_group_names:
      - vpc-flow-logs
  register: delivery_role

- name: Same, in another account of the organization
  flowlogs.aws.flow_log_role:
    name: vpc-flow-logs-delivery
    log_group_names: [vpc-flow-logs]
    assume_role_arn: arn:aws:iam::222222222222:role/OrganizationAccountAccessRole
    tags:
      owner: network-team

- name: Show what would change on a role created from a blog recipe
  flowlogs.aws.flow_log_role:
    name: flowlogsRole
    log_group_names: [vpc-flow-logs]
  check_mode: true
  diff: true

- name: Remove the role
  flowlogs.aws.flow_log_role:
    name: vpc-flow-logs-delivery
    state: absent
"""

RETURN = r"""
aws_stats:
  description: AWS API calls this task made, and how many retries (throttling, transient errors) botocore needed.
  returned: always
  type: dict
  sample: {calls: 4, retries: 0}
role:
  description: The role after the run (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Role name.
      type: str
      sample: vpc-flow-logs-delivery
    arn:
      description:
        - Role ARN, to pass to M(flowlogs.aws.vpc_flow_log) as
          O(flowlogs.aws.vpc_flow_log#module:deliver_logs_role_arn).
      type: str
      sample: arn:aws:iam::111111111111:role/vpc-flow-logs-delivery
    path:
      description: IAM path.
      type: str
      sample: /
    description:
      description: Description.
      type: str
    trust_policy:
      description: The trust (assume role) policy document.
      type: dict
    policy:
      description: The managed inline policy document, normalized; null when the role has none.
      type: dict
    permissions_boundary:
      description: ARN of the permissions boundary, or null.
      type: str
    tags:
      description: Tags of the role.
      type: dict
    role_id:
      description: Stable role ID.
      type: str
    create_date:
      description: When the role was created.
      type: str
    other_policies:
      description: Inline policies other than O(policy_name), by name (none left with O(purge_policies)).
      type: dict
      version_added: 1.1.0
    managed_policies:
      description: ARNs of the managed policies attached (none left with O(purge_policies)).
      type: list
      elements: str
      version_added: 1.1.0
purged_policies:
  description: The inline policy names and managed policy ARNs the run removed (or would remove in check mode).
  returned: always
  type: list
  elements: str
  sample: [hand-made, arn:aws:iam::aws:policy/CloudWatchLogsFullAccess]
  version_added: 1.1.0
excess_privileges:
  description:
    - What the role grants beyond delivery after the run, in words; empty for a least-privilege role.
  returned: always
  type: list
  elements: str
  sample: ["inline policy hand-made allows logs:* on *"]
  version_added: 1.1.0
principals_before:
  description:
    - The service principals the role trusted before the run corrected its trust policy.
    - Null when the trust policy was already right.
  returned: always
  type: list
  elements: str
  sample: [ec2.amazonaws.com]
actions:
  description: What the run did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [update_trust_policy, put_role_policy, delete_role_policy, detach_role_policy]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import CONNECTION_ARGSPEC
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_module
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.roles import converge_role

ARGUMENT_SPEC = dict(
    CONNECTION_ARGSPEC,
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    path=dict(type="str", default="/"),
    description=dict(type="str"),
    log_group_names=dict(type="list", elements="str"),
    policy_name=dict(type="str", default="flow-logs-delivery"),
    purge_policies=dict(type="bool"),
    source_conditions=dict(type="bool", default=True),
    permissions_boundary=dict(type="str", aliases=["boundary"]),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, converge_role)


if __name__ == "__main__":
    main()
