#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_log_group
short_description: CloudWatch Logs group that receives VPC flow logs, with retention, KMS and tags
version_added: 1.0.0
description:
  - Creates, updates or deletes the CloudWatch Logs group that VPC Flow Logs delivers to.
  - Sets the retention policy so that logs are not kept (and billed) forever, associates a KMS key on a new
    B(and) an existing group, and manages tags.
  - Every option is validated before any AWS call. Invalid input never changes, let alone deletes, a group;
    the group is deleted only with O(state=absent).
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  name:
    description: Name of the log group.
    type: str
    required: true
  state:
    description: Whether the log group should exist.
    type: str
    choices: [present, absent]
    default: present
  retention_in_days:
    description:
      - How many days CloudWatch Logs keeps the events. Only the values AWS accepts are allowed.
      - V(0) removes the retention policy, so events never expire.
      - When unset, the retention of an existing group is left as it is, and a new group gets none.
    type: int
    choices: [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
              3653]
  kms_key_id:
    description:
      - ARN of the KMS key that encrypts the group's data, on a new group and on an existing one.
      - An empty string disassociates the key from an existing group.
      - When unset, the key of an existing group is left as it is.
    type: str
  log_group_class:
    description:
      - Log class of a new group. The class of an existing group cannot change; asking for another class
        fails without touching the group.
    type: str
    choices: [STANDARD, INFREQUENT_ACCESS]
  tags:
    description:
      - Tags of the log group. When unset, tags are left as they are.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
  deletion_protection:
    description:
      - >-
        V(true) turns on CloudWatch Logs deletion protection - on a new group as it is created, on an existing group
        with C(logs:PutLogGroupDeletionProtection) - so that no one deletes the group, and the flow logs in it, until
        the protection is turned off again. V(false) turns it off.
      - When unset, the protection of an existing group is left as it is, and a new group gets none.
      - >-
        With O(state=absent), a protected group is not deleted (the task fails before any call that changes
        something) unless O(deletion_protection=false), which lifts the protection and then deletes the group.
      - >-
        Needs a botocore that knows the API (releases since November 2025); with an older one, setting this option
        fails before any call, naming the installed version.
    type: bool
    version_added: 2.0.0
extends_documentation_fragment:
  - flowlogs.aws.connection
  - flowlogs.aws.attributes
seealso:
  - module: flowlogs.aws.flow_log_role
  - module: flowlogs.aws.vpc_flow_log
"""

EXAMPLES = r"""
- name: Log group for flow logs, kept 90 days
  flowlogs.aws.flow_log_group:
    name: vpc-flow-logs
    retention_in_days: 90
    tags:
      team: network

- name: Encrypt an existing group with a KMS key, keep a year
  flowlogs.aws.flow_log_group:
    name: vpc-flow-logs
    retention_in_days: 365
    kms_key_id: arn:aws:kms:eu-west-1:111111111111:key/0b4e8f5c-1234-4a6b-9d1e-123456789abc

- name: Keep events forever (remove the retention policy) and stop encrypting with KMS
  flowlogs.aws.flow_log_group:
    name: vpc-flow-logs
    retention_in_days: 0
    kms_key_id: ""

- name: Delete the group and every event in it
  flowlogs.aws.flow_log_group:
    name: vpc-flow-logs
    state: absent

- name: Protect the group (and the audit trail in it) from deletion
  flowlogs.aws.flow_log_group:
    name: vpc-flow-logs
    retention_in_days: 365
    deletion_protection: true

- name: Delete a protected group - the protection is lifted first
  flowlogs.aws.flow_log_group:
    name: vpc-flow-logs
    state: absent
    deletion_protection: false
"""

RETURN = r"""
aws_stats:
  description: AWS API calls this task made, and how many retries (throttling, transient errors) botocore needed.
  returned: always
  type: dict
  sample: {calls: 4, retries: 0}
log_group:
  description: The log group after the run (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the group.
      type: str
      sample: vpc-flow-logs
    arn:
      description: ARN of the group (null for a group check mode would create).
      type: str
      sample: arn:aws:logs:eu-west-1:111111111111:log-group:vpc-flow-logs
    retention_in_days:
      description: Retention in days; null when events never expire.
      type: int
      sample: 90
    retention_policy_name:
      description:
        - The account-level retention policy that governs the group (then O(retention_in_days) is not applied, a
          warning says so, and RV(log_group.retention_in_days) is that policy's period); null when there is none.
      type: str
      version_added: 1.1.0
    kms_key_id:
      description: ARN of the KMS key, or null.
      type: str
    log_group_class:
      description: Log class of the group.
      type: str
      sample: STANDARD
    stored_bytes:
      description: Bytes stored in the group.
      type: int
    creation_time:
      description: Creation time, milliseconds since the epoch.
      type: int
    deletion_protection:
      description: Whether CloudWatch Logs deletion protection is on (false where the endpoint does not report it).
      type: bool
      sample: true
      version_added: 2.0.0
    tags:
      description: Tags of the group.
      type: dict
      sample: {team: network}
actions:
  description: What the run did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [create_log_group, put_retention_policy, put_deletion_protection]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import CONNECTION_ARGSPEC
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_module
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import (
    RETENTION_CHOICES,
    converge_log_group,
)

ARGUMENT_SPEC = dict(
    CONNECTION_ARGSPEC,
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    retention_in_days=dict(type="int", choices=list(RETENTION_CHOICES)),
    kms_key_id=dict(type="str", no_log=False),
    log_group_class=dict(type="str", choices=["STANDARD", "INFREQUENT_ACCESS"]),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
    deletion_protection=dict(type="bool"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, converge_log_group)


if __name__ == "__main__":
    main()
