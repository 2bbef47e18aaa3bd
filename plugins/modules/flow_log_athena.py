#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_log_athena
short_description: Athena table and named queries over VPC flow logs delivered to S3
version_added: 1.1.0
description:
  - Makes VPC flow logs that deliver to an S3 bucket queryable with Amazon Athena - a Glue database, a table whose
    columns follow the flow logs' record format, and named queries answering the usual questions.
  - The table's columns are the fields of O(log_format) in order, named as AWS's own Athena tables name them
    (C(interface-id) is C(interface_id)) and typed as the Athena User Guide's flow-log tables type them - C(version),
    C(srcport), C(dstport), C(tcp_flags) and C(traffic_path) are C(int); C(protocol), C(packets), C(bytes), C(start)
    and C(end) are C(bigint); every other field is a C(string).
  - The table reads the S3 keys flow logs are written under - C(<prefix>/AWSLogs/<account>/vpcflowlogs/<region>/
    <yyyy>/<MM>/<dd>/[<HH>/]), or with O(hive_compatible_partitions=true) C(<prefix>/AWSLogs/aws-account-id=<account>/
    aws-service=vpcflowlogs/aws-region=<region>/year=<yyyy>/month=<MM>/day=<dd>/[hour=<HH>/]) - through partition
    projection, so new days need no crawler or C(MSCK REPAIR TABLE). Partition columns - C(aws_account_id),
    C(aws_region), then C(day) (C(yyyy/MM/dd)) in AWS's layout or C(year), C(month), C(day) in the Hive layout,
    then C(hour) with O(per_hour_partition=true).
  - With O(named_queries=true) (the default), three Athena named queries on the table, named
    C(<table>-<question>) - C(rejected-by-source-destination-port), C(top-talkers-by-bytes) and
    C(accepted-without-reply) (accepted flows with no flow back with the addresses and ports swapped). They read
    today's partitions (UTC); edit the date condition to look further.
  - A named query needs fields of the record format (see O(log_format)). When the format lacks one, the module refuses
    before any AWS call, naming the query and the field.
  - The module never deletes the database (other tables may live there) nor anything in S3.
  - Every option is validated before any AWS call.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  bucket_arn:
    description:
      - The S3 bucket the flow logs deliver to, as their C(log_destination) - C(arn:<partition>:s3:::bucket) or
        C(arn:<partition>:s3:::bucket/prefix).
      - Required with O(state=present).
    type: str
  prefix:
    description: The key prefix the flow logs deliver under, when O(bucket_arn) does not carry it.
    type: str
  log_format:
    description:
      - Record format of the flow logs (space-separated C(${field}) tokens), when not the AWS default
        (C(${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol}
        ${packets} ${bytes} ${start} ${end} ${action} ${log-status})).
      - The named queries need C(${action}), C(${srcaddr}), C(${dstaddr}), C(${dstport}) and C(${bytes}), and
        C(accepted-without-reply) also C(${srcport}) and C(${protocol}).
    type: str
  file_format:
    description: The flow logs' file format, their C(destination_options.file_format).
    type: str
    choices: [plain-text, parquet]
    default: plain-text
  hive_compatible_partitions:
    description: The flow logs use Hive-compatible S3 prefixes (C(destination_options.hive_compatible_partitions)).
    type: bool
    default: false
  per_hour_partition:
    description: The flow logs partition their files per hour (C(destination_options.per_hour_partition)).
    type: bool
    default: false
  database:
    description: The Glue database of the table (1 to 255 of a-z 0-9 _); created when missing.
    type: str
    default: vpc_flow_logs
  table:
    description: The table name (1 to 255 of a-z 0-9 _).
    type: str
    default: flow_logs
  workgroup:
    description: The Athena workgroup of the named queries.
    type: str
    default: primary
  named_queries:
    description:
      - Manage the three named queries of the table - create or update them with O(state=present), delete them with
        O(state=absent).
      - V(false) leaves named queries as they are, and reads none (reading costs one call per named query of the
        workgroup).
    type: bool
    default: true
  source_accounts:
    description:
      - The accounts whose flow logs the bucket holds (partition projection enumerates them).
      - When unset, the account of the credentials.
    type: list
    elements: str
  regions:
    description:
      - The regions whose flow logs the bucket holds (partition projection enumerates them).
      - When unset, the region the module works in.
    type: list
    elements: str
  state:
    description:
      - V(present) creates or updates the database, the table and the named queries.
      - V(absent) deletes the table and (with O(named_queries=true)) the module's named queries; the database and
        the S3 data stay.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Glue tables and Athena named queries live in the region the module works in; the bucket may be elsewhere.
  - Plain-text flow-log files start with a header line; the table skips it.
extends_documentation_fragment:
  - flowlogs.aws.connection
  - flowlogs.aws.attributes
seealso:
  - module: flowlogs.aws.vpc_flow_log
  - module: flowlogs.aws.flow_log_insights
"""

EXAMPLES = r"""
- name: Athena table and named queries over flow logs in a central bucket
  flowlogs.aws.flow_log_athena:
    bucket_arn: arn:aws:s3:::central-flow-logs
    source_accounts: ["111111111111", "222222222222"]
    regions: [eu-west-1, us-east-1]

- name: Parquet files, Hive-compatible prefixes, per hour, a custom format
  flowlogs.aws.flow_log_athena:
    bucket_arn: arn:aws:s3:::central-flow-logs/vpc
    file_format: parquet
    hive_compatible_partitions: true
    per_hour_partition: true
    table: vpc_flow_logs_parquet
    log_format: >-
      ${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets}
      ${bytes} ${start} ${end} ${action} ${log-status}

- name: Remove the table and the named queries (the database and the data stay)
  flowlogs.aws.flow_log_athena:
    table: flow_logs
    state: absent
"""

RETURN = r"""
aws_stats:
  description: AWS API calls this task made, and how many retries (throttling, transient errors) botocore needed.
  returned: always
  type: dict
  sample: {calls: 6, retries: 0}
database:
  description: The Glue database (null when it does not exist).
  returned: always
  type: dict
  contains:
    name:
      description: Database name.
      type: str
      sample: vpc_flow_logs
    description:
      description: Its description.
      type: str
table:
  description: The table after the run (predicted in check mode; null when it does not exist).
  returned: always
  type: dict
  contains:
    name:
      description: Table name.
      type: str
      sample: flow_logs
    database:
      description: Its database.
      type: str
    location:
      description: Where the flow logs are.
      type: str
      sample: s3://central-flow-logs/AWSLogs/
    columns:
      description: The record fields, in order, with their types.
      type: list
      elements: dict
      sample: [{name: version, type: int}, {name: account_id, type: string}]
    partition_keys:
      description: The partition columns.
      type: list
      elements: dict
      sample: [{name: aws_account_id, type: string}, {name: aws_region, type: string}, {name: day, type: string}]
    parameters:
      description: Table properties, with the partition projection and C(storage.location.template).
      type: dict
    table_type:
      description: C(EXTERNAL_TABLE).
      type: str
    input_format:
      description: Hive input format.
      type: str
    output_format:
      description: Hive output format.
      type: str
    serde:
      description: Serialization library.
      type: str
    serde_parameters:
      description: Its parameters.
      type: dict
    description:
      description: Table description.
      type: str
named_queries:
  description:
    - The module's named queries after the run (predicted in check mode), by name.
    - Empty with O(named_queries=false) - they are not read.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Named query name.
      type: str
      sample: flow_logs-top-talkers-by-bytes
    named_query_id:
      description: Its id (null for a query check mode would create).
      type: str
    database:
      description: The database it runs in.
      type: str
    workgroup:
      description: Its workgroup.
      type: str
    description:
      description: What it answers.
      type: str
    query_string:
      description: The SQL.
      type: str
actions:
  description: What the run did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [create_database, create_table, create_named_query, create_named_query, create_named_query]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.athena import converge_flow_log_athena
from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import CONNECTION_ARGSPEC
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_module

ARGUMENT_SPEC = dict(
    CONNECTION_ARGSPEC,
    bucket_arn=dict(type="str"),
    prefix=dict(type="str"),
    log_format=dict(type="str"),
    file_format=dict(type="str", choices=["plain-text", "parquet"], default="plain-text"),
    hive_compatible_partitions=dict(type="bool", default=False),
    per_hour_partition=dict(type="bool", default=False),
    database=dict(type="str", default="vpc_flow_logs"),
    table=dict(type="str", default="flow_logs"),
    workgroup=dict(type="str", default="primary"),
    named_queries=dict(type="bool", default=True),
    source_accounts=dict(type="list", elements="str"),
    regions=dict(type="list", elements="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, converge_flow_log_athena)


if __name__ == "__main__":
    main()
