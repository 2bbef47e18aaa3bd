#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_log_bucket
short_description: Bucket and key policy statements that let VPC flow logs of many accounts deliver to one S3 bucket
version_added: 1.1.0
description:
  - Converges, on an B(existing) S3 bucket - typically the central log-archive bucket of a log-archive account -
    the bucket-policy statements flow-log delivery needs, as the Amazon VPC User Guide documents them.
    The module never creates or deletes a bucket.
  - Statement C(FlowLogsAWSLogDeliveryWrite) lets C(delivery.logs.amazonaws.com) C(s3:PutObject) under
    C(<prefix>AWSLogs/<account>/) for each of O(source_accounts) (under C(<prefix>AWSLogs/) for a whole
    organization given by O(source_org_id) alone). Statement C(FlowLogsAWSLogDeliveryAclCheck) lets it
    C(s3:GetBucketAcl) and C(s3:ListBucket) on the bucket. Both are scoped with C(aws:SourceAccount) and/or
    C(aws:SourceOrgID), so no other account can have its logs delivered here.
  - The write statement requires C(s3:x-amz-acl = bucket-owner-full-control) only while the bucket still uses ACLs.
    When the bucket's object ownership is C(BucketOwnerEnforced) (ACLs disabled, the default for new buckets)
    delivery sends no ACL, and that condition would deny every write; the module leaves it out then.
  - Every other statement of the bucket policy is kept exactly as it is. The module's statements are found by their
    Sids and compared semantically (order, single value or list, JSON formatting do not count), so a second run
    changes nothing.
  - With O(kms_key_id) (the bucket's default encryption is SSE-KMS with a customer managed key), statement
    C(FlowLogsAWSLogDeliveryUseKey) of the key policy lets C(delivery.logs.amazonaws.com) use
    C(kms:GenerateDataKey*), with the same source scoping; the key policy's other statements are kept.
  - Every option is validated before any AWS call; invalid input changes nothing.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  name:
    description: Name of the existing bucket (not its ARN), for example C(acme-flow-logs-archive).
    type: str
    required: true
    aliases: [bucket]
  state:
    description:
      - V(present) puts the delivery statements into the bucket policy (and the key policy).
      - V(absent) removes only the module's statements. When nothing else is left in the bucket policy, the
        bucket policy is deleted. A key policy cannot be empty - when the module's statement is the only one, it
        stays and the module warns.
    type: str
    choices: [present, absent]
    default: present
  source_accounts:
    description:
      - The 12-digit ids of the accounts whose flow logs deliver to the bucket. Each gets its own
        C(AWSLogs/<account>/*) resource, and only they pass the C(aws:SourceAccount) condition.
      - Quote the ids in YAML, so an id with leading zeros stays a string.
      - O(state=present) needs O(source_accounts), O(source_org_id) or both (both means accounts of that
        organization, and only the listed ones).
    type: list
    elements: str
  source_org_id:
    description:
      - AWS Organizations id (C(o-) and 10 to 32 lowercase letters or digits). Deliveries on behalf of any account of
        the organization pass the C(aws:SourceOrgID) condition.
      - Without O(source_accounts) the write statement covers C(<prefix>AWSLogs/*), so accounts that join the
        organization later can deliver without a change to the bucket policy.
    type: str
  prefix:
    description:
      - The folder flow logs write under, before C(AWSLogs/) - the part after the bucket name in the flow logs'
        destination ARN C(arn:aws:s3:::<bucket>/<prefix>). Unset or empty means the bucket's top level.
      - It may not start with C(/) or contain a folder named C(AWSLogs) (AWS adds it itself).
    type: str
  hive_compatible_partitions:
    description:
      - Also cover the Hive-compatible key layout C(AWSLogs/aws-account-id=<account>/) used by flow logs created
        with C(hive_compatible_partitions) (see M(flowlogs.aws.vpc_flow_log)). Only matters with O(source_accounts).
    type: bool
    default: false
  kms_key_id:
    description:
      - The customer managed KMS key of the bucket's SSE-KMS default encryption, as a key id or key ARN (not an alias,
        since a key policy belongs to the key). The key must be in the account and region the task runs in.
      - When unset, no key policy is read or changed.
    type: str
notes:
  - The module needs the bucket owner's credentials (C(s3:GetBucketPolicy), C(s3:PutBucketPolicy),
    C(s3:DeleteBucketPolicy), C(s3:GetBucketOwnershipControls); with O(kms_key_id) C(kms:DescribeKey),
    C(kms:GetKeyPolicy), C(kms:PutKeyPolicy)). See C(docs/operator-policy-bucket.json) in the collection.
  - Every S3 call names the caller's account as the expected bucket owner, so a bucket of the same name in another
    account is never read or changed.
  - Flow logs in the source accounts are then created with M(flowlogs.aws.vpc_flow_log) (or the C(flow_logs) role)
    with O(flowlogs.aws.vpc_flow_log#module:destination_type=s3) and the bucket ARN (plus C(/<prefix>)) as
    O(flowlogs.aws.vpc_flow_log#module:log_destination).
extends_documentation_fragment:
  - flowlogs.aws.connection
  - flowlogs.aws.attributes
seealso:
  - module: flowlogs.aws.vpc_flow_log
  - module: flowlogs.aws.vpc_flow_log_info
  - name: Amazon S3 bucket permissions for flow logs
    description: What AWS documents for the bucket policy.
    link: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html
"""

EXAMPLES = r"""
- name: Let the flow logs of two accounts deliver to the archive bucket
  flowlogs.aws.flow_log_bucket:
    name: acme-flow-logs-archive
    source_accounts:
      - "111111111111"
      - "222222222222"

- name: Every account of the organization, under a folder, with the bucket's SSE-KMS key
  flowlogs.aws.flow_log_bucket:
    name: acme-flow-logs-archive
    source_org_id: o-a1b2c3d4e5
    prefix: vpc-flow-logs
    kms_key_id: arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab

- name: Show what would change in the bucket policy, change nothing
  flowlogs.aws.flow_log_bucket:
    name: acme-flow-logs-archive
    source_org_id: o-a1b2c3d4e5
  check_mode: true
  diff: true

- name: Take the delivery statements out again (other statements stay)
  flowlogs.aws.flow_log_bucket:
    name: acme-flow-logs-archive
    state: absent
"""

RETURN = r"""
aws_stats:
  description: AWS API calls this task made, and how many retries (throttling, transient errors) botocore needed.
  returned: always
  type: dict
  sample: {calls: 4, retries: 0}
bucket:
  description: The bucket after the run (predicted in check mode).
  returned: success
  type: dict
  contains:
    name:
      description: Bucket name.
      type: str
      sample: acme-flow-logs-archive
    arn:
      description: Bucket ARN, the flow logs' C(log_destination) (add C(/<prefix>) when a prefix is used).
      type: str
      sample: arn:aws:s3:::acme-flow-logs-archive
    exists:
      description: Whether the bucket exists (false only with O(state=absent) on a bucket that is not there).
      type: bool
    object_ownership:
      description:
        - The bucket's object ownership (C(BucketOwnerEnforced), C(BucketOwnerPreferred), C(ObjectWriter)); null when
          the bucket has no ownership controls, or with O(state=absent), where it is not read.
      type: str
      sample: BucketOwnerEnforced
    acl_condition:
      description: Whether the write statement requires C(s3:x-amz-acl = bucket-owner-full-control).
      type: bool
      sample: false
    policy:
      description: The whole bucket policy (null when the bucket has none).
      type: dict
      sample:
        Version: "2012-10-17"
        Statement:
          - Sid: FlowLogsAWSLogDeliveryWrite
            Effect: Allow
            Principal: {Service: delivery.logs.amazonaws.com}
            Action: s3:PutObject
            Resource: arn:aws:s3:::acme-flow-logs-archive/AWSLogs/111111111111/*
            Condition: {StringEquals: {"aws:SourceAccount": "111111111111"}}
          - Sid: FlowLogsAWSLogDeliveryAclCheck
            Effect: Allow
            Principal: {Service: delivery.logs.amazonaws.com}
            Action: [s3:GetBucketAcl, s3:ListBucket]
            Resource: arn:aws:s3:::acme-flow-logs-archive
            Condition: {StringEquals: {"aws:SourceAccount": "111111111111"}}
kms_key:
  description: The KMS key of O(kms_key_id) with its key policy after the run (predicted in check mode).
  returned: success and O(kms_key_id) is set
  type: dict
  contains:
    key_id:
      description: Key id.
      type: str
      sample: 1234abcd-12ab-34cd-56ef-1234567890ab
    arn:
      description: Key ARN.
      type: str
    policy:
      description: The whole key policy.
      type: dict
actions:
  description: What the run did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [put_bucket_policy, put_key_policy]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import CONNECTION_ARGSPEC
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_module
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.buckets import converge_flow_log_bucket

ARGUMENT_SPEC = dict(
    CONNECTION_ARGSPEC,
    name=dict(type="str", required=True, aliases=["bucket"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    source_accounts=dict(type="list", elements="str"),
    source_org_id=dict(type="str"),
    prefix=dict(type="str"),
    hive_compatible_partitions=dict(type="bool", default=False),
    kms_key_id=dict(type="str"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, converge_flow_log_bucket)


if __name__ == "__main__":
    main()
