# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The analysis a target sets up next to its flow logs, matching the record format each destination uses.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

- ``flow_logs_insights_queries``: saved Logs Insights queries on every CloudWatch Logs destination's group
  (flowlogs.aws.flow_log_insights). Unset (the default) means *where the format can answer them, best effort*: a
  destination whose format lacks a field the queries read is skipped with a warning, and a refused or unsupported
  call is a warning, never a failed target. ``true`` refuses such a format before any call and fails on a refusal;
  ``false`` saves none.
- ``flow_logs_contributor_insights``: the Contributor Insights rules on the same groups (charged per rule).
- ``flow_logs_athena``: a Glue table and Athena named queries over every S3 destination
  (flowlogs.aws.flow_log_athena), in the target's own account and region, projecting its own account and region.
- ``flow_logs_analysis_prefix``, ``flow_logs_athena_database``, ``flow_logs_athena_table``,
  ``flow_logs_athena_workgroup``: names.

Each step is an ``AnalysisStep``: its key in the target's result, the module options, the diff header, and how a
module option in an error is named back to the variable that set it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.athena_table import athena_param_errors
from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights_definitions import insights_param_errors
from ansible_collections.flowlogs.aws.plugins.module_utils._role.rules import Problem, named

#: A flow_log_insights / flow_log_athena option -> the role variable that sets it (the destination's own keys are
#: named by the destination).
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
#: What to do when the saved queries the default sets up are refused or not served.
UNAVAILABLE_FIX = (
    "grant logs:DescribeQueryDefinitions and logs:PutQueryDefinition (docs/operator-policy.json) to have them, or set"
    " flow_logs_insights_queries to false; the flow logs do not depend on them"
)


@dataclass(frozen=True)
class AnalysisStep:
    key: str
    options: dict
    header: str
    table: dict  # module option -> variable
    destination: object

    def variable_of(self, option):
        if option in self.table:
            return self.table[option]
        key = option.split(".", 1)[0]
        return self.destination.variable(DESTINATION_KEYS.get(key, key))


def insights_options(target, dest, state="present", queries=None):
    """flow_log_insights' options for one CloudWatch Logs destination."""
    return dict(
        log_group_name=dest.log_group_name,
        log_format=dest.log_format,
        queries=(target.analysis.insights_queries is not False) if queries is None else queries,
        contributor_insights=target.analysis.contributor_insights,
        name_prefix=target.analysis.prefix,
        state=state,
        tags=target.managed_tags,
        purge_tags=False,
    )


def asked_for(target, options):
    """Whether the user asked for this analysis step (a failure then fails the target) rather than getting it by
    default (best effort: refused or unsupported, it is a warning)."""
    return target.analysis.insights_queries is True or bool(options.get("contributor_insights"))


def _answers_queries(target, dest):
    """The fields the saved queries need that ``dest``'s format lacks, in words; None when it has them all."""
    options = dict(insights_options(target, dest), contributor_insights=False)
    missing = [e for e in insights_param_errors(options) if e.option == "log_format"]
    return missing[0].detail if missing else None


def _queries_wanted(target, dest, state, warnings):
    wanted = target.analysis.insights_queries
    if wanted is not None or state != "present":
        return wanted is not False
    gap = _answers_queries(target, dest)
    if gap:
        warnings.append(
            "flow_logs_insights_queries: no saved queries on log group {} - {}. Add the fields to {} or set "
            "flow_logs_insights_queries to false".format(dest.log_group_name, gap, dest.variable("log_format"))
        )
    return not gap


def insights_steps(target, state="present"):
    """The AnalysisSteps of each CloudWatch Logs destination that gets saved queries or rules, and the warnings of
    the destinations the default skips."""
    steps, warnings = [], []
    groups = target.cloudwatch_destinations
    for dest in groups:
        options = insights_options(target, dest, state, _queries_wanted(target, dest, state, warnings))
        if not options["queries"] and not options["contributor_insights"]:
            continue
        key = "insights" if dest is groups[0] else "insights:" + dest.label
        steps.append(AnalysisStep(key, options, "analysis: log group " + dest.log_group_name, INSIGHTS, dest))
    return steps, warnings


def athena_options(target, dest, number, state="present"):
    """flow_log_athena's options for the ``number``-th S3 destination (1, 2, ...): its own table."""
    table = target.analysis.athena_table
    s3 = dest.destination_options or {}
    return dict(
        bucket_arn=dest.log_destination,
        log_format=dest.log_format,
        file_format=s3.get("file_format") or "plain-text",
        hive_compatible_partitions=bool(s3.get("hive_compatible_partitions")),
        per_hour_partition=bool(s3.get("per_hour_partition")),
        database=target.analysis.athena_database,
        table=table if number == 1 else "{}_{}".format(table, number),
        workgroup=target.analysis.athena_workgroup,
        named_queries=True,
        state=state,
    )


def athena_steps(target):
    if not target.analysis.athena:
        return []
    steps = []
    s3 = [d for d in target.destinations if d.type == "s3"]
    for number, dest in enumerate(s3, start=1):
        options = athena_options(target, dest, number)
        key = "athena" if number == 1 else "athena:" + dest.label
        header = "analysis: Athena table {}.{}".format(options["database"], options["table"])
        steps.append(AnalysisStep(key, options, header, ATHENA, dest))
    return steps


def analysis_problems(target):
    """Problems with the analysis variables of a present target, each naming the variable."""
    problems = []
    for step in insights_steps(target)[0]:
        problems += named(insights_param_errors(step.options), step.variable_of)
    for step in athena_steps(target):
        problems += named(athena_param_errors(step.options), step.variable_of)
    if target.analysis.athena and not any(d.type == "s3" for d in target.destinations):
        problems.append(
            Problem("flow_logs_athena", "Athena reads flow logs in S3, and this target has no s3 destination")
        )
    return problems
