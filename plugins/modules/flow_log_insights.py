#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_log_insights
short_description: Saved Logs Insights queries and Contributor Insights rules for a VPC flow-log group
version_added: 1.1.0
description:
  - Sets up analysis on a CloudWatch Logs group VPC flow logs deliver to, matching the flow logs' record format.
  - With O(queries=true) (the default), three saved CloudWatch Logs Insights queries scoped to the group, named
    C(<name_prefix>/<log group>/<question>) (the console shows them in folders).
  - C(rejected-by-source-destination-port) counts C(REJECT) records by source address, destination address and
    destination port.
  - C(top-talkers-by-bytes) ranks source and destination pairs by bytes.
  - C(accepted-without-reply) lists accepted flows seen on an interface with no flow in the other direction - a
    request that got no reply (a security group or network ACL dropping the answer, or a silent peer).
  - With O(contributor_insights=true), two CloudWatch Contributor Insights rules on the group, named
    C(<name_prefix>-<log group>-<rule>) (the group's C(/) and C(#) written as C(-)), charged per rule and per
    matched log event.
  - C(top-source-ips-by-bytes) ranks source addresses by bytes (its report shows the top 10).
  - C(rejected-tcp-by-interface) counts rejected TCP records by network interface.
  - Every query parses the records with the flow logs' own format (O(log_format)) - C(parse @message "* * ..." as
    ...), every field in order - so custom formats work. Fields are named as CloudWatch names the fields it
    discovers - letters and digits, C(interface-id) is C(interfaceId). The Contributor Insights rules read
    space-delimited records (C(LogFormat CLF)), naming the positions of the fields they use.
  - A question needs fields (see O(log_format)). When the format lacks one, the module refuses before any AWS call,
    naming the query or rule and the field, instead of saving a query that finds nothing.
  - The module owns exactly these names; other saved queries and rules are left alone. Saved queries are matched by
    name; one that differs is updated in place (same query definition id), extra copies with the same name are
    deleted.
  - Every option is validated before any AWS call.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  log_group_name:
    description: The CloudWatch Logs group VPC flow logs deliver to. It need not exist yet.
    type: str
    required: true
  log_format:
    description:
      - Record format of the flow logs delivering to the group (space-separated C(${field}) tokens), when not the
        AWS default (C(${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport}
        ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status})).
      - The saved queries need C(${action}), C(${srcaddr}), C(${dstaddr}), C(${srcport}), C(${dstport}),
        C(${protocol}), C(${bytes}) and C(${interface-id}) - C(rejected-by-source-destination-port) reads action,
        srcaddr, dstaddr, dstport; C(top-talkers-by-bytes) reads srcaddr, dstaddr, bytes; C(accepted-without-reply)
        reads action, interface-id, protocol, srcaddr, dstaddr, srcport, dstport.
      - The Contributor Insights rules need C(${srcaddr}) and C(${bytes}) (C(top-source-ips-by-bytes)), and
        C(${interface-id}), C(${action}) and C(${protocol}) (C(rejected-tcp-by-interface)).
      - Other fields may be anywhere in the format; the queries parse them and leave them unused.
    type: str
  queries:
    description:
      - Manage the three saved Logs Insights queries of the group - create or update them with O(state=present),
        delete them with O(state=absent).
      - V(false) leaves saved queries as they are, and reads none.
    type: bool
    default: true
  contributor_insights:
    description:
      - Manage the two Contributor Insights rules of the group - create, update (enabled) and tag them with
        O(state=present), delete them with O(state=absent).
      - V(false) leaves rules as they are, and reads none.
    type: bool
    default: false
  name_prefix:
    description: First part of every saved query and rule name (1 to 64 of a-z A-Z 0-9 . _ -).
    type: str
    default: flowlogs
  state:
    description:
      - V(present) creates or updates the saved queries (with O(queries=true)) and the rules (with
        O(contributor_insights=true)).
      - V(absent) deletes the module's saved queries (with O(queries=true)) and rules (with
        O(contributor_insights=true)) of the group.
    type: str
    choices: [present, absent]
    default: present
  tags:
    description:
      - Tags of the Contributor Insights rules (saved queries have none). When unset, tags are left as they are.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove rule tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
notes:
  - The queries and rules live in the region of the log group.
  - C(accepted-without-reply) groups the accepted records of each interface by protocol and port pair whichever the
    direction, and keeps the groups with a single source address. Two conversations on one interface with the same
    port pair in the time range are counted as one.
extends_documentation_fragment:
  - flowlogs.aws.connection
  - flowlogs.aws.attributes
seealso:
  - module: flowlogs.aws.flow_log_group
  - module: flowlogs.aws.flow_log_alarms
  - module: flowlogs.aws.flow_log_athena
"""

EXAMPLES = r"""
- name: Saved queries on the flow-log group (AWS default record format)
  flowlogs.aws.flow_log_insights:
    log_group_name: vpc-flow-logs

- name: Also Contributor Insights rules, tagged
  flowlogs.aws.flow_log_insights:
    log_group_name: vpc-flow-logs
    contributor_insights: true
    tags:
      team: network

- name: Flow logs with a custom record format
  flowlogs.aws.flow_log_insights:
    log_group_name: vpc-flow-logs
    log_format: >-
      ${version} ${vpc-id} ${subnet-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol}
      ${tcp-flags} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}

- name: Remove the saved queries and the rules
  flowlogs.aws.flow_log_insights:
    log_group_name: vpc-flow-logs
    contributor_insights: true
    state: absent
"""

RETURN = r"""
aws_stats:
  description: AWS API calls this task made, and how many retries (throttling, transient errors) botocore needed.
  returned: always
  type: dict
  sample: {calls: 3, retries: 0}
query_definitions:
  description:
    - The module's saved Logs Insights queries after the run (predicted in check mode), by name.
    - Empty with O(queries=false) - they are not read.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Saved query name.
      type: str
      sample: flowlogs/vpc-flow-logs/top-talkers-by-bytes
    query_definition_id:
      description: Its id (null for a query check mode would create).
      type: str
    log_group_names:
      description: The log groups the query runs on.
      type: list
      elements: str
      sample: [vpc-flow-logs]
    query_string:
      description: The query text.
      type: str
      sample: |-
        parse @message "* * * * * * * * * * * * * *" as version, accountId, interfaceId, srcaddr, dstaddr, srcport, ...
        | stats sum(bytes) as bytesTotal by srcaddr, dstaddr
        | sort bytesTotal desc
        | limit 20
insight_rules:
  description:
    - The module's Contributor Insights rules after the run (predicted in check mode), by name.
    - Empty with O(contributor_insights=false) - they are not read.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Rule name.
      type: str
      sample: flowlogs-vpc-flow-logs-top-source-ips-by-bytes
    arn:
      description: Rule ARN (null for a rule check mode would create).
      type: str
    state:
      description: C(ENABLED).
      type: str
    definition:
      description: The rule, in the CloudWatchLogRule schema.
      type: dict
      sample:
        Schema: {Name: CloudWatchLogRule, Version: 1}
        LogGroupNames: [vpc-flow-logs]
        LogFormat: CLF
        Fields: {"4": srcaddr, "10": bytes}
        Contribution: {Keys: [srcaddr], ValueOf: bytes}
        AggregateOn: Sum
    tags:
      description: Tags of the rule.
      type: dict
actions:
  description: What the run did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [create_query_definition, create_query_definition, create_query_definition]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights import converge_flow_log_insights
from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import CONNECTION_ARGSPEC
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_module

ARGUMENT_SPEC = dict(
    CONNECTION_ARGSPEC,
    log_group_name=dict(type="str", required=True),
    log_format=dict(type="str"),
    queries=dict(type="bool", default=True),
    contributor_insights=dict(type="bool", default=False),
    name_prefix=dict(type="str", default="flowlogs"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, converge_flow_log_insights)


if __name__ == "__main__":
    main()
