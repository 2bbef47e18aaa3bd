# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What flow_log_insights sets up on a flow-log group, derived from the record format: the saved Logs Insights
queries, the Contributor Insights rules, their names, and the rules of the options. Private: may change in any
release. Pure: no AWS call."""

from __future__ import annotations

import json
import re

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError, raise_first, run_checks
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import tag_problem
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import validate_log_group_name
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.record_format import (
    check_fields,
    format_problem,
    insights_name,
    record_fields,
)

DEFAULT_PREFIX = "flowlogs"
NAME_PREFIX = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
#: PutQueryDefinition's name: 1 to 255 characters; PutInsightRule's RuleName: 1 to 128 printable ASCII characters
#: (CloudWatch Logs and CloudWatch API References, and botocore's models).
MAX_QUERY_NAME = 255
MAX_RULE_NAME = 128
RULE_ENABLED = "ENABLED"
TCP = "6"

#: Saved queries: name -> (what it answers, the fields it reads).
QUERIES = {
    "rejected-by-source-destination-port": (
        "Rejected traffic by source, destination and destination port",
        ("action", "srcaddr", "dstaddr", "dstport"),
    ),
    "top-talkers-by-bytes": ("Top talkers: source and destination pairs by bytes", ("srcaddr", "dstaddr", "bytes")),
    "accepted-without-reply": (
        "Accepted flows with no flow in the other direction (a request that got no reply)",
        ("action", "interface-id", "protocol", "srcaddr", "dstaddr", "srcport", "dstport"),
    ),
}
#: Contributor Insights rules: name -> (what it ranks, the fields it reads).
RULES = {
    "top-source-ips-by-bytes": ("Top 10 source IP addresses by bytes", ("srcaddr", "bytes")),
    "rejected-tcp-by-interface": ("Rejected TCP flows by network interface", ("interface-id", "action", "protocol")),
}


def query_names(params):
    """{question: saved query name}: ``<name_prefix>/<log group>/<question>`` (the console shows / as folders)."""
    base = "{}/{}/".format(params.get("name_prefix") or DEFAULT_PREFIX, params["log_group_name"])
    return {question: base + question for question in QUERIES}


def rule_names(params):
    """{rule: Contributor Insights rule name}: ``<name_prefix>-<log group>-<rule>``, with the group's / and # as -
    (they would be read as part of the rule's ARN path)."""
    group = re.sub(r"[/#]", "-", params["log_group_name"])
    base = "{}-{}-".format(params.get("name_prefix") or DEFAULT_PREFIX, group)
    return {rule: base + rule for rule in RULES}


# ---------------------------------------------------------------- Logs Insights query text


def _parse_command(fields):
    """``parse @message "* * ..." as ...``: every field of the format, in order, named as Logs Insights names them."""
    return 'parse @message "{}" as {}'.format(" ".join("*" for _f in fields), ", ".join(map(insights_name, fields)))


def query_string(question, fields):
    """Logs Insights query text answering ``question`` on records of ``fields``."""
    n = insights_name
    body = {
        "rejected-by-source-destination-port": [
            'filter {} = "REJECT"'.format(n("action")),
            "stats count(*) as records by {}, {}, {}".format(n("srcaddr"), n("dstaddr"), n("dstport")),
            "sort records desc",
            "limit 100",
        ],
        "top-talkers-by-bytes": [
            "stats sum({}) as bytesTotal by {}, {}".format(n("bytes"), n("srcaddr"), n("dstaddr")),
            "sort bytesTotal desc",
            "limit 20",
        ],
        # No join in one pass: a conversation seen on an interface is keyed by its port pair, whichever the
        # direction; a key with a single source address saw no flow back.
        "accepted-without-reply": [
            'filter {} = "ACCEPT"'.format(n("action")),
            "fields least({0}, {1}) as portLow, greatest({0}, {1}) as portHigh".format(n("srcport"), n("dstport")),
            "stats count_distinct({0}) as directions, min({0}) as source, min({1}) as destination, count(*) as "
            "records by {2}, {3}, portLow, portHigh".format(
                n("srcaddr"), n("dstaddr"), n("interface-id"), n("protocol")
            ),
            "filter directions = 1",
            "sort records desc",
            "limit 100",
        ],
    }[question]
    return "\n| ".join([_parse_command(fields), *body])


# ---------------------------------------------------------------- Contributor Insights rule bodies


def rule_body(rule, log_group_name, fields):
    """The rule in the CloudWatchLogRule schema: flow-log records are space-delimited, so ``LogFormat: CLF``, with
    ``Fields`` naming the positions (1 = the first field of the format) the rule reads."""
    needed = RULES[rule][1]
    positions = {str(fields.index(f) + 1): insights_name(f) for f in needed}
    n = insights_name
    contribution = {
        "top-source-ips-by-bytes": dict(Keys=[n("srcaddr")], ValueOf=n("bytes")),
        "rejected-tcp-by-interface": dict(
            Keys=[n("interface-id")],
            Filters=[dict(Match=n("action"), In=["REJECT"]), dict(Match=n("protocol"), In=[TCP])],
        ),
    }[rule]
    return dict(
        Schema=dict(Name="CloudWatchLogRule", Version=1),
        LogGroupNames=[log_group_name],
        LogFormat="CLF",
        Fields=positions,
        Contribution=contribution,
        AggregateOn="Sum" if "ValueOf" in contribution else "Count",
    )


def rule_definition(body):
    """The JSON text PutInsightRule takes; the same body always gives the same text."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def same_definition(current, desired):
    """Whether two rule definitions say the same (AWS may give the JSON back formatted differently)."""
    try:
        return json.loads(current) == json.loads(desired)
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- option rules


def _check_format(params):
    problem = format_problem(params.get("log_format"))
    if problem:
        raise ParameterError("log_format", problem)


def _check_prefix(params):
    prefix = params.get("name_prefix")
    if prefix is not None and not NAME_PREFIX.match(prefix):
        raise ParameterError("name_prefix", "{!r} is not allowed: 1 to 64 of a-z A-Z 0-9 . _ -".format(prefix))


def _check_lengths(params):
    checks = [(query_names(params), MAX_QUERY_NAME, "saved query")]
    if params.get("contributor_insights"):
        checks.append((rule_names(params), MAX_RULE_NAME, "Contributor Insights rule"))
    for names, limit, what in checks:
        longest = max(names.values(), key=len)
        if len(longest) > limit:
            raise ParameterError(
                "name_prefix",
                "the {} name {}... would be {} characters; AWS allows {}: use a shorter name_prefix".format(
                    what, longest[:40], len(longest), limit
                ),
            )


def _check_needed_fields(params):
    fields = record_fields(params.get("log_format"))
    if params.get("queries", True):
        needs = {"the saved query {}".format(q): QUERIES[q][1] for q in QUERIES}
        check_fields(fields, needs, "log_format", "queries")
    if params.get("contributor_insights"):
        needs = {"the Contributor Insights rule {}".format(r): RULES[r][1] for r in RULES}
        check_fields(fields, needs, "log_format", "contributor_insights")


def _check_tags(params):
    problem = tag_problem(params.get("tags"), "cloudwatch")
    if problem:
        raise ParameterError("tags", problem)


def insights_param_errors(params):
    """Every problem with ``params``, one ParameterError per option, before any call."""
    checks = [lambda p: validate_log_group_name(p.get("log_group_name"), "log_group_name"), _check_prefix]
    if params.get("state", "present") != "absent":
        checks += [_check_format, _check_lengths, _check_needed_fields, _check_tags]
    # The names and fields of the later checks come from the group's name and the format.
    return run_checks(checks, params, stop_on=("log_group_name", "log_format"))


def validate_insights_params(params):
    raise_first(insights_param_errors(params))
