# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The analysis a target sets up next to its flow logs, matching the record format each destination uses.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

- ``flow_logs_insights_queries``: saved Logs Insights queries on every CloudWatch Logs destination's group
  (flowlogs.aws.flow_log_insights). Unset (the default) means *where the format can answer them*: a destination
  whose format lacks a field the queries read is skipped with a warning, so an inventory of 1.0.0 with a custom
  format keeps converging. ``true`` refuses such a format before any call; ``false`` saves none.
- ``flow_logs_contributor_insights``: the Contributor Insights rules on the same groups (charged per rule).
- ``flow_logs_athena``: a Glue table and Athena named queries over every S3 destination
  (flowlogs.aws.flow_log_athena), in the target's own account and region, projecting its own account and region.
- ``flow_logs_analysis_prefix``, ``flow_logs_athena_database``, ``flow_logs_athena_table``,
  ``flow_logs_athena_workgroup``: names.

Each step is (step key, module options, diff header, namer): the namer turns a module option in an error into
the variable that sets it.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils import _role_destinations as rd
from ansible_collections.flowlogs.aws.plugins.module_utils._athena_table import athena_param_errors
from ansible_collections.flowlogs.aws.plugins.module_utils._insights_definitions import insights_param_errors

#: A flow_log_insights / flow_log_athena option -> the role variable that sets it (the destination's own keys
#: are named by the destination).
INSIGHTS = dict(
    queries="flow_logs_insights_queries",
    contributor_insights="flow_logs_contributor_insights",
    name_prefix="flow_logs_analysis_prefix",
    tags="flow_logs_tags",
)
ATHENA = dict(
    database="flow_logs_athena_database",
    table="flow_logs_athena_table",
    workgroup="flow_logs_athena_workgroup",
    named_queries="flow_logs_athena",
)
DESTINATION_KEYS = dict(log_group_name="log_group_name", bucket_arn="bucket_arn", log_format="log_format")


def _namer(table, dest):
    def name(option):
        if option in table:
            return table[option]
        key = option.split(".", 1)[0]
        return dest["variable"](DESTINATION_KEYS.get(key, key))

    return name


def _tags(v):
    return dict(v.get("flow_logs_tags") or {}, **rd.MANAGED_TAG)


def insights_options(v, dest, state="present", queries=None):
    """flow_log_insights' options for one CloudWatch Logs destination."""
    wanted = v.get("flow_logs_insights_queries")
    return dict(
        log_group_name=dest["log_group_name"],
        log_format=dest["log_format"],
        queries=(wanted is not False) if queries is None else queries,
        contributor_insights=bool(v.get("flow_logs_contributor_insights")),
        name_prefix=v.get("flow_logs_analysis_prefix") or "flowlogs",
        state=state,
        tags=_tags(v),
        purge_tags=False,
    )


#: What to do when the saved queries the default sets up are refused or not served.
UNAVAILABLE_FIX = (
    "grant logs:DescribeQueryDefinitions and logs:PutQueryDefinition (docs/operator-policy.json) to have them, or set"
    " flow_logs_insights_queries to false; the flow logs do not depend on them"
)


def asked_for(v, options):
    """Whether the user asked for this analysis step (a failure then fails the target) rather than getting it
    by default (best effort: refused or unsupported, it is a warning)."""
    return v.get("flow_logs_insights_queries") is True or bool(options.get("contributor_insights"))


def _answers_queries(v, dest):
    """The fields the saved queries need that ``dest``'s format lacks, in words; None when it has them all."""
    options = dict(insights_options(v, dest), contributor_insights=False)
    missing = [e for e in insights_param_errors(options) if e.option == "log_format"]
    return missing[0].detail if missing else None


def insights_steps(v, state="present"):
    """(key, options, header, namer) of each CloudWatch Logs destination that gets saved queries or rules, and the
    warnings of the destinations the default skips."""
    wanted = v.get("flow_logs_insights_queries")
    steps, warnings = [], []
    groups = rd.cloudwatch_destinations(v)
    for dest in groups:
        queries = wanted is not False
        if wanted is None and state == "present":
            gap = _answers_queries(v, dest)
            if gap:
                queries = False
                warnings.append(
                    "flow_logs_insights_queries: no saved queries on log group {} - {}. Add the fields to {} or set "
                    "flow_logs_insights_queries to false".format(
                        dest["log_group_name"], gap, dest["variable"]("log_format")
                    )
                )
        options = insights_options(v, dest, state, queries)
        if not options["queries"] and not options["contributor_insights"]:
            continue
        key = "insights" if dest is groups[0] else "insights:" + dest["label"]
        steps.append((key, options, "analysis: log group " + dest["log_group_name"], _namer(INSIGHTS, dest)))
    return steps, warnings


def athena_options(v, dest, number, state="present"):
    """flow_log_athena's options for the ``number``-th S3 destination (1, 2, ...): its own table."""
    table = v.get("flow_logs_athena_table") or "flow_logs"
    s3 = dest["destination_options"] or {}
    return dict(
        bucket_arn=dest["log_destination"],
        log_format=dest["log_format"],
        file_format=s3.get("file_format") or "plain-text",
        hive_compatible_partitions=bool(s3.get("hive_compatible_partitions")),
        per_hour_partition=bool(s3.get("per_hour_partition")),
        database=v.get("flow_logs_athena_database") or "vpc_flow_logs",
        table=table if number == 1 else "{}_{}".format(table, number),
        workgroup=v.get("flow_logs_athena_workgroup") or "primary",
        named_queries=True,
        state=state,
    )


def athena_steps(v):
    if not v.get("flow_logs_athena"):
        return []
    steps = []
    s3 = [d for d in rd.destinations(v) if d["type"] == "s3"]
    for number, dest in enumerate(s3, start=1):
        options = athena_options(v, dest, number)
        key = "athena" if number == 1 else "athena:" + dest["label"]
        header = "analysis: Athena table {}.{}".format(options["database"], options["table"])
        steps.append((key, options, header, _namer(ATHENA, dest)))
    return steps


def analysis_problems(v):
    """Problems with the analysis variables of a present target, each naming the variable."""
    problems = []
    for _key, options, _header, name in insights_steps(v)[0]:
        problems += ["{}: {}".format(name(e.option), e.detail) for e in insights_param_errors(options)]
    for _key, options, _header, name in athena_steps(v):
        problems += ["{}: {}".format(name(e.option), e.detail) for e in athena_param_errors(options)]
    if v.get("flow_logs_athena") and not any(d["type"] == "s3" for d in rd.destinations(v)):
        problems.append("flow_logs_athena: Athena reads flow logs in S3, and this target has no s3 destination")
    return problems
