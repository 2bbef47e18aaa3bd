# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A flow log's record format as the analysis tools read it: its fields in order, the names each tool gives them,
and the check that a question's fields are there. Private: may change in any release. Pure: no AWS call."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.fields import DEFAULT_LOG_FORMAT, LOG_FORMAT_FIELD
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import log_format_problem

#: Athena column types of the flow log fields, as the Athena User Guide's tables for VPC flow logs declare them
#: ("Create a table for Amazon VPC flow logs", https://docs.aws.amazon.com/athena/latest/ug/vpc-flow-logs.html).
#: Every other field is a string column.
ATHENA_TYPES = {
    "version": "int",
    "srcport": "int",
    "dstport": "int",
    "protocol": "bigint",
    "packets": "bigint",
    "bytes": "bigint",
    "start": "bigint",
    "end": "bigint",
    "tcp-flags": "int",
    "traffic-path": "int",
}


def format_problem(log_format):
    """What AWS would refuse in ``log_format`` (a VPC or a transit gateway record format), or None."""
    vpc = log_format_problem(log_format, "VPC")
    if vpc is None or log_format_problem(log_format, "TransitGateway") is None:
        return None
    return vpc


def record_fields(log_format=None):
    """The fields of a record, in order: those of ``log_format``, or of AWS's default format (version 2)."""
    return LOG_FORMAT_FIELD.findall(log_format or DEFAULT_LOG_FORMAT)


def insights_name(field):
    """The field's name in Logs Insights and Contributor Insights: letters and digits only (``interface-id`` is
    ``interfaceId``), as CloudWatch names the fields it discovers in the default format."""
    head, *rest = field.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def athena_column(field):
    """The field's Athena column, as AWS's own tables name it (``interface-id`` is ``interface_id``)."""
    return field.replace("-", "_")


def athena_type(field):
    return ATHENA_TYPES.get(field, "string")


def check_fields(fields, needs, option, switch):
    """Refuse, naming the field, a question whose fields the record format lacks.

    ``needs``: {question name: fields it reads}; ``switch``: the option that turns the questions off.
    """
    for name, needed in needs.items():
        missing = [f for f in needed if f not in fields]
        if missing:
            raise ParameterError(
                option,
                "{} needs the field{} {}, which the record format lacks; add {} to the flow log's format or set "
                "{}: false".format(
                    name,
                    "s" if len(missing) > 1 else "",
                    ", ".join(missing),
                    " ".join("${{{}}}".format(f) for f in missing),
                    switch,
                ),
            )
